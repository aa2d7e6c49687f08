"""Nothing below onna_tui/tui imports textual (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE_MODULES = [
    "onna_tui.errors",
    "onna_tui.core.clock",
    "onna_tui.core.errors",
    "onna_tui.core.formatting",
    "onna_tui.core.profile_rules",
    "onna_tui.core.shell",
    "onna_tui.core.text",
    "onna_tui.core.token_rules",
    "onna_tui.core.tokens",
    "onna_tui.core.urls",
    "onna_tui.core.wire.auth",
    "onna_tui.core.wire.health",
    "onna_tui.core.wire.workspaces",
    "onna_tui.api.client",
    "onna_tui.api.tokens",
    "onna_tui.api.errors",
    "onna_tui.api.http",
    "onna_tui.api.problems",
    "onna_tui.sandbox.app",
    "onna_tui.sandbox.server",
    "onna_tui.storage.config_file",
    "onna_tui.storage.files",
    "onna_tui.storage.keyring.backends",
    "onna_tui.storage.keyring.bounded",
    "onna_tui.storage.keyring.entries",
    "onna_tui.storage.keyring.errors",
    "onna_tui.storage.keyring.token_cache",
    "onna_tui.storage.keyring.vault",
    "onna_tui.profiles.manage",
    "onna_tui.profiles.resolve",
    "onna_tui.cli",
    "onna_tui.profiles.session",
    "onna_tui.storage.locks",
    "onna_tui.cli.runner",
    "onna_tui.cli.parser",
    "onna_tui.cli.context",
    "onna_tui.cli.output",
    "onna_tui.cli.commands.profile",
    "onna_tui.cli.commands.auth",
    "onna_tui.cli.commands.workspace",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module: str) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} imports textual: {result.stdout}"


#: What the cached `onna-tui token` path and the config reader load: no httpx there.
LIGHT_MODULES = [
    "onna_tui.core.urls",
    "onna_tui.api.errors",
    "onna_tui.api.problems",
    "onna_tui.api.cache",
    "onna_tui.profiles.session",
]


@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_light_module_does_not_import_httpx(module: str) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(','.join(sorted(m for m in ('httpx', 'textual') if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"
