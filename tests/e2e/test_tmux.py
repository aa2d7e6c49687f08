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

#: The tmux server (and so the app) gets this environment. Without COLUMNS and LINES:
#: a test process can have them (the snapshot plugin sets 80x24), and an app that finds
#: them draws at that size whatever the size of its terminal.
TMUX_ENV = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


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
            env=TMUX_ENV,
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

    def cursor(self) -> tuple[int, int]:
        """Where the terminal's cursor is: Textual keeps it on the focused text field."""
        x, y = self.run("display-message", "-p", "-t", "app", "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def to_field(self, *keys: str) -> None:
        """Press keys that put the focus in a text field, and wait until it is there.

        Keys are routed to the focused widget as they arrive, and a key that moves the
        focus (Tab, ctrl+f, one that opens a dialog) does so a moment later, so text typed
        straight after it can land where the focus was (a person is never that fast).
        Waiting for the terminal's cursor to move to the new field avoids the race. Each
        key waits for its own move, and the position it starts from is one that has held
        still, so a cursor still catching up with the last typed character is not taken
        for the move.
        """
        for key in keys:
            before = self._settled_cursor()
            self.keys(key)
            deadline = time.monotonic() + TIMEOUT
            while self.cursor() == before:
                if time.monotonic() > deadline:
                    pytest.fail(f"the cursor stayed at {before} after {key}:\n{self.screen()}")
                time.sleep(0.02)

    def _settled_cursor(self) -> tuple[int, int]:
        """The cursor's position once two reads 0.1 s apart agree."""
        position = self.cursor()
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            time.sleep(0.1)
            again = self.cursor()
            if again == position:
                return position
            position = again
        pytest.fail(f"the cursor kept moving for {TIMEOUT:g} s:\n{self.screen()}")

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


def start_app(terminal: Terminal, tmp_path: Path, width: int = 120, height: int = 40) -> None:
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
        "echo EXITED rc=$?; sleep 30",
        width,
        height,
    )


def test_create_a_workspace_in_the_real_app(terminal: Terminal, tmp_path: Path) -> None:
    start_app(terminal, tmp_path)

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


def test_manage_a_workspace_by_keyboard_alone(terminal: Terminal, tmp_path: Path) -> None:
    """Create, edit, add a custom field and set its value, then delete: keys only."""
    start_app(terminal, tmp_path, 140, 50)
    terminal.wait_for(r"Auto-renew on")
    terminal.keys("n")
    terminal.wait_for(r"left · expires at")
    terminal.keys("F4")
    terminal.wait_for(r"Contracts review")

    terminal.type("E2E managed")
    terminal.wait_for(r'"name": "E2E managed"')
    terminal.keys("Enter")
    onna_id = terminal.wait_for(r"onna_id (e2emanaged-[A-Za-z0-9]+)").group(1)

    # To the list through the filter: only the new workspace matches.
    terminal.to_field("C-f")
    terminal.type("E2E managed")
    terminal.wait_for(r"1 of \d+ loaded workspaces match")
    terminal.keys("Down")
    terminal.wait_for(r"e Edit +d Delete")

    # A dialog takes the keys once it is drawn with its footer; its fields start
    # selected, so typing replaces the old value.
    terminal.keys("e")
    terminal.wait_for(rf"Edit workspace.*\n.*onna_id {onna_id}")
    terminal.wait_for(r"esc Cancel +\^s Save")
    terminal.type("E2E renamed")
    terminal.wait_for(r'"name": "E2E renamed"')
    terminal.to_field("Tab")
    terminal.type("Made by keys")
    terminal.wait_for(r'"description": "Made by keys"')
    terminal.to_field("Tab")
    terminal.type("e2e, tmux")
    terminal.wait_for(r'"tags": \[\s*"e2e",\s*"tmux"\s*\]')
    terminal.keys("C-s")
    terminal.wait_for(r"Workspace 'E2E renamed' was saved")
    terminal.wait_for(r"Description +Made by keys")
    terminal.wait_for(r"Tags +e2e, tmux")

    # An account-wide field, from the command palette.
    terminal.keys("C-p")
    terminal.wait_for(r"🔎 Search for commands")
    terminal.type("Create custom field")
    terminal.wait_for(r"🔎.*\n(?:\s*\n)*\s*Create custom field\s*\n\s*A new custom field")
    terminal.keys("Enter")
    terminal.wait_for(r"New custom field \(whole account\)")
    terminal.wait_for(r"esc Cancel +\^s Create")
    terminal.type("Matter")
    terminal.wait_for(r'"name": "Matter"')
    terminal.to_field("Tab", "Tab")  # past the type, a choice that keeps its default
    terminal.type("Matter number")
    terminal.wait_for(r'"description": "Matter number"')
    terminal.keys("C-s")
    terminal.wait_for(r"Custom field created with onna_id")

    terminal.wait_for(r"e Edit +d Delete")  # the focus is back on the list
    terminal.keys("a")
    terminal.wait_for(r"Enable a custom field")
    terminal.wait_for(r"Matter +keyword")
    terminal.keys("Enter")
    terminal.wait_for(r"Custom field 'Matter' is enabled")
    terminal.wait_for(r"Matter +keyword +—")
    terminal.wait_for(r"e Edit +d Delete")
    terminal.keys("Tab")  # the details pane (it scrolls), then its field table
    terminal.wait_for(r"\^r Refresh")
    terminal.keys("Tab")
    terminal.wait_for(r"⏎ Set value")
    terminal.keys("Enter")
    terminal.wait_for(r"Value of Matter")
    terminal.wait_for(r"⏎ Save +esc Cancel")
    terminal.type("M-42")
    terminal.keys("Enter")
    terminal.wait_for(r"The value was saved")
    terminal.wait_for(r"Matter +keyword +M-42")

    # Back to the list (ctrl+f works from anywhere), delete by typing the name.
    terminal.to_field("C-f")
    terminal.keys("Down")
    terminal.wait_for(r"e Edit +d Delete")
    terminal.keys("d")
    terminal.wait_for(r"Delete this workspace\?")
    terminal.wait_for(r"esc Cancel")
    terminal.type("E2E renamed")
    terminal.keys("Enter")
    terminal.wait_for(rf"Workspace 'E2E renamed' \({onna_id}\) was deleted")
    screen = terminal.wait_for(r"0 of \d+ loaded workspaces match").string
    assert "Traceback" not in screen

    terminal.keys("C-q")
    terminal.wait_for(r"EXITED rc=0")


def test_the_quiet_input_thread_still_times_out_a_lone_escape_and_exits(
    terminal: Terminal, tmp_path: Path
) -> None:
    """The input thread (tui.driver) sleeps until there is input: a lone Escape must still
    become a key once the parser's deadline passes, and ctrl+q must still wake it."""
    start_app(terminal, tmp_path, 80, 24)
    terminal.wait_for(r"F3 Token")
    terminal.wait_for(r"Auto-renew on")
    terminal.keys("n")
    terminal.wait_for(r"token \d\d:\d\d")
    terminal.keys("C-p")
    terminal.wait_for(r"Search for commands")
    terminal.keys("Escape")  # nothing follows it: only the parser's timeout makes it a key
    deadline = time.monotonic() + TIMEOUT
    while "Search for commands" in terminal.screen():
        if time.monotonic() > deadline:
            pytest.fail(f"a lone Escape did not close the palette:\n{terminal.screen()}")
        time.sleep(0.05)
    terminal.keys("C-q")
    terminal.wait_for(r"EXITED rc=0")
