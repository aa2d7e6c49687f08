"""Start-up hygiene: what is imported before the first paint, checked in fresh interpreters."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("httpx", "keyring", "pydantic", "uvicorn", "starlette", "onna_tui.sandbox.state")


def loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint(','.join(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.strip().split(","))


def test_building_the_app_imports_nothing_heavy() -> None:
    # What `onna-tui` does before app.run(): parse options, build settings, build the app.
    modules = loaded_after(
        "from onna_tui.tui.launch import build_settings\n"
        "from onna_tui.tui.app import make_app\n"
        "make_app(build_settings(sandbox=True))\n"
    )
    assert not {m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY}


@pytest.mark.parametrize(
    "module",
    [
        "onna_tui.tui.settings",
        "onna_tui.tui.store",
        "onna_tui.tui.session",
        "onna_tui.tui.sandbox_mode",
        "onna_tui.tui.formatting",
        "onna_tui.tui.curl",
        "onna_tui.tui.errors",
        "onna_tui.tui.launch",
    ],
)
def test_the_ui_helpers_without_widgets_do_not_import_textual(module: str) -> None:
    modules = loaded_after(f"import {module}")
    assert not {m for m in modules if m == "textual" or m.startswith("textual.")}
