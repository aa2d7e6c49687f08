"""What the measurements stand on: a throwaway world, the sandbox, tmux and process accounting.

Everything here drives onna-tui from the outside only (its command line, the
sandbox's HTTP admin surface, a terminal), so the benchmark keeps working when
modules move. Every resource is registered on an ExitStack, so a Ctrl-C still
stops the sandbox, kills the private tmux server and removes the temp dir.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
FILE_KEYRING = "bench_keyring.JsonFileKeyring"
#: The entry the floor reads: about the size of a cached token.
FLOOR_SERVICE, FLOOR_USER = "onna-bench-floor", "token"
FLOOR_VALUE = json.dumps(
    {
        "access_token": "x" * 64,
        "expires_at": "2030-01-01T00:00:00+00:00",
        "issued_at": "2030-01-01T00:00:00+00:00",
        "expires_in": 3599,
        "token_type": "bearer",
    }
)
TIMEOUT = 90.0  # generous: the machine may be busy


class BenchError(Exception):
    """A step of the benchmark could not be done; the message says which and why."""


def onna_tui() -> list[str]:
    """The console script next to this interpreter (what people run), else `python -m`."""
    script = Path(sys.executable).parent / "onna-tui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "onna_tui"]


# ---------------------------------------------------------------- the world


class World:
    """A throwaway HOME and config dir, and the keyring every process of the run shares."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        self.tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="onna-bench-")))
        home = self.tmp / "home"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ONNA_", "XDG_"))}
        if "XDG_RUNTIME_DIR" in os.environ:  # where the session bus may live
            env["XDG_RUNTIME_DIR"] = os.environ["XDG_RUNTIME_DIR"]
        env.update(
            {
                "HOME": str(home),
                "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_CACHE_HOME": str(home / ".cache"),
                "XDG_DATA_HOME": str(home / ".local" / "share"),
                "XDG_STATE_HOME": str(home / ".local" / "state"),
                "ONNA_TUI_CONFIG_DIR": str(self.tmp / "config"),
                "PYTHONPATH": os.pathsep.join([str(BENCH), str(REPO)]),
                "LANG": "C.UTF-8",
                "TERM": "xterm-256color",
                "COLORTERM": "truecolor",
            }
        )
        # Bytecode is cached as for anyone running onna-tui (PYTHONDONTWRITEBYTECODE would
        # make every run compile onna-tui from source but read textual's installed .pyc),
        # in the temp dir: the warm-up compiles, the timed runs read, the checkout stays clean.
        for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONSTARTUP", "PYTHONPYCACHEPREFIX"):
            env.pop(name, None)
        env["PYTHONPYCACHEPREFIX"] = str(self.tmp / "pycache")
        home.mkdir()
        self.env = env
        self.keyring = self._choose_keyring()
        stack.callback(self._forget_floor_entry)

    def _python(self, code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def _choose_keyring(self) -> str:
        """The Secret Service when one answers on the session bus, else the file keyring.

        Choosing stores the entry the floor reads, which also proves the backend works.
        """
        store = (
            "import keyring, os; keyring.set_password("
            f"{FLOOR_SERVICE!r}, {FLOOR_USER!r}, os.environ['FLOOR_VALUE'])"
        )
        if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            env = {**self.env, "PYTHON_KEYRING_BACKEND": SECRET_SERVICE, "FLOOR_VALUE": FLOOR_VALUE}
            if self._python(store, env).returncode == 0:
                self.env["PYTHON_KEYRING_BACKEND"] = SECRET_SERVICE
                return "Secret Service"
        self.env["PYTHON_KEYRING_BACKEND"] = FILE_KEYRING
        self.env["ONNA_BENCH_KEYRING_FILE"] = str(self.tmp / "keyring.json")
        result = self._python(store, {**self.env, "FLOOR_VALUE": FLOOR_VALUE})
        if result.returncode != 0:
            raise BenchError(f"the file keyring does not work: {result.stderr.strip()}")
        return "file (no Secret Service on the session bus)"

    def _forget_floor_entry(self) -> None:
        if self.keyring.startswith("Secret Service"):  # a real keyring outlives the temp dir
            self._python(
                f"import keyring; keyring.delete_password({FLOOR_SERVICE!r}, {FLOOR_USER!r})",
                self.env,
            )

    def onna(self, *args: str, stdin: str | None = None) -> str:
        """Run one `onna-tui` command to set the scene; its stdout, or BenchError."""
        result = subprocess.run(
            [*onna_tui(), *args],
            env=self.env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            raise BenchError(
                f"onna-tui {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}"
            )
        return result.stdout

    def add_profile(self, name: str, sandbox: Sandbox) -> None:
        """A verified profile (so its token is cached), removed again at exit."""
        self.onna(
            "profile",
            "add",
            name,
            "--client-id",
            sandbox.client_id,
            "--base-url",
            sandbox.base_url,
            stdin=sandbox.secret + "\n",
        )
        # `profile remove` also deletes its secret and cached token from a real keyring.
        self.stack.callback(
            subprocess.run,
            [*onna_tui(), "profile", "remove", name, "--force"],
            env=self.env,
            capture_output=True,
            timeout=60,
            check=False,
        )


# -------------------------------------------------------------- the sandbox


def workspaces_state(count: int) -> dict[str, Any]:
    """A sandbox state file (format 1) holding ``count`` workspaces and nothing else."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = []
    for seq in range(1, count + 1):
        when = (start + timedelta(seconds=seq)).isoformat()
        items.append(
            {
                "onna_id": f"benchws{seq:05d}-{seq:09d}",
                "name": f"Bench workspace {seq}",
                "seq": seq,
                "description": "",
                "tags": [],
                "creation_datetime": when,
                "modification_datetime": when,
            }
        )
    return {
        "format": "onna-tui-sandbox",
        "version": 1,
        "next_seq": count + 1,
        "users": [],
        "clients": [],
        "workspaces": items,
    }


@dataclass
class Sandbox:
    """A `python -m onna_tui sandbox` process of our own."""

    proc: subprocess.Popen[str]
    base_url: str
    root_url: str
    client_id: str
    secret: str

    @classmethod
    def start(
        cls, world: World, name: str, *options: str, port: int = 0, secret: str | None = None
    ) -> Sandbox:
        """Start one with client ``bench-NAME`` (re-keyed to ``secret`` if it exists)."""
        client_id = f"bench-{name}"
        secret = secret or f"bench-secret-{uuid.uuid4().hex}"
        log = open(world.tmp / f"sandbox-{name}.log", "a", encoding="utf-8")
        world.stack.callback(log.close)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "onna_tui",
                "sandbox",
                "--port",
                str(port),
                "--client-id",
                client_id,
                "--client-secret-stdin",
                *options,
            ],
            env=world.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        world.stack.callback(_stop, proc)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(secret + "\n")
        proc.stdin.close()
        lines = _lines_until(proc.stdout, "Press Ctrl-C to stop.", TIMEOUT)
        if lines is None:
            _stop(proc)
            raise BenchError(
                f"the sandbox did not start; see {log.name}: "
                f"{Path(log.name).read_text(encoding='utf-8').strip()[-500:]}"
            )
        text = "\n".join(lines)
        base = re.search(r"^Base URL:\s+(\S+)", text, re.M)
        admin = re.search(r"^Admin \(sandbox only\):\s+(\S+)/_sandbox/stats", text, re.M)
        if base is None or admin is None:
            _stop(proc)
            raise BenchError(f"cannot read the sandbox's URLs from its banner:\n{text}")
        return cls(proc, base.group(1), admin.group(1), client_id, secret)

    @property
    def port(self) -> int:
        return int(httpx.URL(self.base_url).port or 0)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        # The admin surface takes JSON POSTs only (Content-Type even with no body).
        response = httpx.request(
            method,
            f"{self.root_url}/_sandbox/{path}",
            json=body if body is not None else ({} if method == "POST" else None),
            timeout=TIMEOUT,
            trust_env=False,
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def stop(self) -> None:
        _stop(self.proc)


def _lines_until(stream: IO[str], last: str, timeout: float) -> list[str] | None:
    """Lines read from ``stream`` up to ``last``; None if it ends or times out first."""
    lines: queue.Queue[str | None] = queue.Queue()

    def reader() -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))
            if line.strip() == last:
                return
        lines.put(None)

    threading.Thread(target=reader, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        if line is None:
            return None
        seen.append(line)
        if line.strip() == last:
            return seen


def _stop(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM (the sandbox stops cleanly on it), then SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


# ------------------------------------------------------------------- tmux


class Tmux:
    """A tmux server on a private socket; every app runs in its own 120x40 session."""

    def __init__(self, world: World) -> None:
        tmux = shutil.which("tmux")
        if tmux is None:
            raise BenchError("tmux is not installed (apt-get install tmux)")
        self.tmux, self.env = tmux, world.env
        self.socket = f"onna-bench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._count = 0
        self._socket_path: Path | None = None
        world.stack.callback(self._shutdown)
        self.run("new-session", "-d", "-s", "keep", "sleep 86400")
        self._socket_path = Path(self.run("display-message", "-p", "#{socket_path}").strip())
        # A crashed app leaves its last screen to read instead of a vanished session.
        self.run("set-option", "-g", "remain-on-exit", "on")

    def _shutdown(self) -> None:
        self.run("kill-server", check=False)
        if self._socket_path is not None:  # kill-server leaves the socket file behind
            self._socket_path.unlink(missing_ok=True)

    def run(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            [self.tmux, "-u", "-L", self.socket, "-f", "/dev/null", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if check and result.returncode != 0:
            raise BenchError(f"tmux {args[0]} failed: {result.stderr.strip()}")
        return result.stdout

    def launch(self, command: list[str]) -> Pane:
        """Start ``command`` in a new 120x40 session; the clock starts just before."""
        self._count += 1
        name = f"p{self._count}"
        started = time.perf_counter()
        self.run(
            "new-session", "-d", "-s", name, "-x", "120", "-y", "40", "exec " + shlex.join(command)
        )
        return Pane(self, name, started)


@dataclass
class Pane:
    tmux: Tmux
    name: str
    started: float

    def screen(self) -> str:
        return self.tmux.run("capture-pane", "-p", "-t", self.name)

    def wait_for(self, pattern: str, timeout: float = TIMEOUT) -> float:
        """Seconds from launch to the first capture matching ``pattern`` (polled every 10 ms)."""
        deadline = time.perf_counter() + timeout
        screen = ""
        while time.perf_counter() < deadline:
            screen = self.screen()
            if re.search(pattern, screen):
                return time.perf_counter() - self.started
            time.sleep(0.01)
        raise BenchError(
            f"{pattern!r} did not appear within {timeout:g} s; the screen was:\n{screen.rstrip()}"
        )

    def keys(self, *keys: str) -> None:
        self.tmux.run("send-keys", "-t", self.name, *keys)

    def pid(self) -> int:
        return int(self.tmux.run("display-message", "-p", "-t", self.name, "#{pane_pid}"))

    def close(self) -> None:
        """Kill the session (the app gets SIGHUP) and wait until the app has gone."""
        try:
            pid = self.pid()
        except (BenchError, ValueError):
            pid = None
        self.tmux.run("kill-session", "-t", self.name, check=False)
        deadline = time.monotonic() + 10
        while pid is not None and Path(f"/proc/{pid}").exists():
            if time.monotonic() > deadline:
                _kill_tree(pid)
                break
            time.sleep(0.02)


# ------------------------------------------------------------ accounting

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from field 3 (state) on; None if the process has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants that are alive now."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, []))
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of the processes, with that of their reaped children.

    A process's own time is the sum of its threads' run times in nanoseconds
    (/proc/PID/task/TID/schedstat) where the kernel reports them, else utime + stime.
    Those two count in clock ticks (10 ms here), and at an idle app's half a percent
    of a core a 20 s window holds only about ten of them: one tick either way moved
    a ratio by a tenth. Reaped children (cutime + cstime) only come in ticks.
    """
    seconds = 0.0
    for pid in pids:
        fields = _stat(pid)
        if fields is None:
            continue
        run = _run_time(pid)
        own = run if run is not None else sum(int(v) for v in fields[11:13]) / _CLOCK_TICKS
        seconds += own + sum(int(v) for v in fields[13:15]) / _CLOCK_TICKS
    return seconds


def _run_time(pid: int) -> float | None:
    """Seconds on a CPU of the process's live threads (schedstat), or None if unknown."""
    total_ns = 0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
        for task in tasks:
            try:
                total_ns += int((task / "schedstat").read_text().split()[0])
            except FileNotFoundError:
                continue  # the thread ended between the listing and the read
    except (OSError, ValueError, IndexError):
        return None
    return total_ns / 1e9


def peak_rss_mb(pids: list[int]) -> float:
    """The sum of the processes' peak resident sets (VmHWM)."""
    total_kb = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        total_kb += int(match.group(1)) if match else 0
    return total_kb / 1024


def _kill_tree(root: int) -> None:
    for pid in reversed(process_tree(root)):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@dataclass
class Run:
    """One finished process: wall time, exit code, peak RSS, and where its stdout went."""

    seconds: float
    returncode: int
    peak_rss_mb: float
    stdout: Path


def timed(world: World, command: list[str], stdin: str | None = None, name: str = "out") -> Run:
    """Run ``command`` to the end; wall time from spawn to reaping, rusage from wait4."""
    out = world.tmp / f"{name}.stdout"
    with open(out, "wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(
            command,
            env=world.env,
            stdout=sink,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            text=True,
        )
        try:
            if proc.stdin is not None:
                proc.stdin.write(stdin or "")
                proc.stdin.close()
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, proc.returncode, usage.ru_maxrss / 1024, out)
