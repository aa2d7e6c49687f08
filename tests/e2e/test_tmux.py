"""End to end: the real `onna-tui --sandbox` in a real terminal (tmux), driven by keys.

It types a workspace into the form, presses Enter, and reads the screen with
capture-pane until the new onna_id shows up. No fixed sleeps: every wait polls
the screen for the text it needs. Skipped when tmux is missing, unless
ONNA_TUI_REQUIRE_TMUX=1 (CI) turns the skip into a failure.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0

pytestmark = pytest.mark.tmux


def _require_tmux() -> str:
    tmux = shutil.which("tmux")
    if tmux is None:
        if os.environ.get("ONNA_TUI_REQUIRE_TMUX") == "1":
            pytest.fail("tmux is not installed but ONNA_TUI_REQUIRE_TMUX=1 requires this test")
        pytest.skip(
            "tmux is not installed (apt-get install tmux); set ONNA_TUI_REQUIRE_TMUX=1 "
            "to make this a failure"
        )
    return tmux


def onna_tui_command() -> list[str]:
    """The installed console script next to this Python, else `python -m onna_tui`."""
    script = Path(sys.executable).parent / "onna-tui"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "onna_tui"]


class Terminal:
    """One tmux server on a private socket, with one window running the app."""

    def __init__(self, tmux: str) -> None:
        self.tmux = tmux
        self.socket = f"onna-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def run(self, *args: str) -> str:
        result = subprocess.run(
            [self.tmux, "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        return result.stdout

    def start(self, command: str, width: int = 120, height: int = 40) -> None:
        self.run("new-session", "-d", "-s", "app", "-x", str(width), "-y", str(height), command)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "app")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "app", *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "app", "-l", text)

    def wait_for(self, pattern: str, timeout: float = TIMEOUT) -> re.Match[str]:
        """Poll the screen until ``pattern`` (a regex) appears; fail with the screen if not."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            match = re.search(pattern, screen)
            if match:
                return match
            time.sleep(0.05)
        pytest.fail(f"{pattern!r} did not appear within {timeout:g} s; the screen was:\n{screen}")

    def kill(self) -> None:
        subprocess.run(
            [self.tmux, "-L", self.socket, "kill-server"],
            capture_output=True,
            timeout=10,
            check=False,
        )


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal(_require_tmux())
    try:
        yield term
    finally:
        term.kill()


def test_create_a_workspace_in_the_real_app(terminal: Terminal, tmp_path: Path) -> None:
    env = {
        # Nothing of the person running the tests is read or written.
        "HOME": str(tmp_path),
        "ONNA_TUI_CONFIG_DIR": str(tmp_path / "config"),
        "PYTHONPATH": str(REPO),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "ESCDELAY": "10",
    }
    assignments = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    app = " ".join(shlex.quote(part) for part in onna_tui_command())
    # Not exec'd: the shell reports the exit code after the app has gone.
    terminal.start(
        f"cd {shlex.quote(str(REPO))} && env {assignments} {app} --sandbox; "
        "echo EXITED rc=$?; sleep 30"
    )

    terminal.wait_for(r"F3 Token")
    terminal.wait_for(r"sandbox \(sandbox\)")
    terminal.wait_for(r"Auto-renew on")

    terminal.keys("n")
    terminal.wait_for(r"token \d\d:\d\d")
    terminal.wait_for(r"left · expires at")

    terminal.keys("F4")
    terminal.wait_for(r"New workspace")
    terminal.wait_for(r"Contracts review")  # the sandbox's demo list has loaded
    terminal.type("E2E workspace")
    terminal.wait_for(r'"name": "E2E workspace"')  # the curl preview follows the form
    terminal.keys("Enter")
    match = terminal.wait_for(r"onna_id (e2eworkspace-[A-Za-z0-9]+)")
    onna_id = match.group(1)
    screen = terminal.wait_for(rf"E2E workspace\s+{onna_id[:12]}").string
    assert "Traceback" not in screen

    terminal.keys("C-q")
    terminal.wait_for(r"EXITED rc=0")
