"""End to end: `onna-tui --sandbox` in a real pseudo-terminal, ended by SIGTERM or SIGHUP.

The app must end as ctrl+q ends it: the terminal restored, no traceback, exit
code 128 + the signal, and its temporary onna-tui-sandbox-* folder gone. SIGHUP
is also sent the way a closed terminal window sends it: with the terminal gone.
Every wait polls for what it needs; none sleeps a fixed time.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0


class PtyApp:
    """The app on the slave side of a fresh pty; the test reads the master side."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        env = {
            **os.environ,
            # Nothing of the person running the tests is read or written, and the
            # sandbox's temporary folder lands where the test can look for it.
            "HOME": str(tmp),
            "TMPDIR": str(tmp),
            "ONNA_TUI_CONFIG_DIR": str(tmp / "config"),
            "PYTHONPATH": str(REPO),
            "TERM": "xterm-256color",
        }
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "onna_tui", "--sandbox"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=tmp,
            start_new_session=True,  # its own session, with the pty as its terminal
        )
        os.close(slave)
        self.output = b""

    def read(self, timeout: float = 0.1) -> None:
        if self.master < 0:
            return
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                self.output += os.read(self.master, 1 << 16)
            except OSError:  # the app closed its end
                pass

    def wait_for(self, what: bytes) -> None:
        deadline = time.monotonic() + TIMEOUT
        while what not in self.output:
            if time.monotonic() > deadline or self.process.poll() is not None:
                pytest.fail(f"{what!r} never appeared; the app wrote:\n{self.text()[-2000:]}")
            self.read()

    def close_terminal(self) -> None:
        os.close(self.master)
        self.master = -1

    def wait_for_exit(self) -> int:
        deadline = time.monotonic() + TIMEOUT
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                self.process.kill()
                pytest.fail(f"the app did not exit; it wrote:\n{self.text()[-2000:]}")
            self.read()
        self.read(0)
        return self.process.returncode

    def sandbox_folders(self) -> list[Path]:
        return sorted(self.tmp.glob("onna-tui-sandbox-*"))

    def text(self) -> str:
        return self.output.decode("utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        if self.master >= 0:
            os.close(self.master)


@pytest.mark.parametrize(
    ("signum", "terminal_gone"),
    [
        pytest.param(signal.SIGTERM, False, id="SIGTERM"),
        pytest.param(signal.SIGHUP, False, id="SIGHUP"),
        pytest.param(signal.SIGHUP, True, id="SIGHUP-terminal-closed"),
    ],
)
def test_a_signal_ends_the_app_cleanly_and_removes_the_sandbox_folder(
    tmp_path: Path, signum: int, terminal_gone: bool
) -> None:
    app = PtyApp(tmp_path)
    try:
        app.wait_for(b"sandbox (sandbox)")  # the sandbox runs and its profile is open
        folders = app.sandbox_folders()
        assert len(folders) == 1 and (folders[0] / "config.toml").exists()
        if terminal_gone:
            app.close_terminal()
        app.process.send_signal(signum)
        code = app.wait_for_exit()
    finally:
        app.stop()
    assert code == 128 + signum, app.text()[-2000:]
    assert app.sandbox_folders() == []
    if not terminal_gone:
        screen = app.text()
        assert "Traceback" not in screen
        # The terminal is given back: the last switch of the alternate screen leaves it.
        assert screen.rfind("\x1b[?1049l") > screen.rfind("\x1b[?1049h") >= 0
