"""Nothing below onna_tui/tui imports textual (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _modules_outside_the_tui() -> list[str]:
    """Every module of the package but the TUI's, found on disk so a new one is never missed."""
    import pkgutil

    import onna_tui

    found = ["onna_tui"]
    for info in pkgutil.walk_packages(onna_tui.__path__, "onna_tui."):
        if info.name == "onna_tui.tui" or info.name.startswith("onna_tui.tui."):
            continue
        if info.name == "onna_tui.__main__":
            continue  # runs the CLI when imported
        found.append(info.name)
    return found


CORE_MODULES = _modules_outside_the_tui()


def test_the_module_list_is_complete() -> None:
    assert {"onna_tui.api.custom_fields", "onna_tui.cli.completion", "onna_tui.errors"} <= set(
        CORE_MODULES
    )
    assert not [m for m in CORE_MODULES if m.startswith("onna_tui.tui")]


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
