"""The measurements: one short function per side of each pair, each returning its figures.

A side returns ``{metric: value}`` (see METRICS in run.py); run.py calls the two
sides of a pair alternately and prints the table. Every side checks that it did
the real work (the app showed its text, the CLI printed 10,000 workspaces, …),
so a broken run is an error, not a fast figure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from harness import (
    BENCH,
    FLOOR_SERVICE,
    FLOOR_USER,
    BenchError,
    Sandbox,
    Tmux,
    World,
    cpu_seconds,
    onna_tui,
    peak_rss_mb,
    process_tree,
    timed,
    workspaces_state,
)

Figures = dict[str, float]

#: What the screens show, as regexes over capture-pane.
ONNA_FIRST_PAINT = r"F3 Token"  # the status bar, on every screen including the start screen
ONNA_COUNTDOWN = r"left · expires at \d\d:\d\d:\d\d"  # under the mm:ss digits, same tick
ONNA_SANDBOX_READY = r"Auto-renew on"  # the Token screen of the sandbox's demo profile
BARE_FIRST_PAINT = r"Bare countdown"  # bare_app.py's header
BARE_COUNTDOWN = r"\d\d:\d\d left"
#: Settle after the screen is up (workers finish, health and owner load) before idling.
SETTLE_SECONDS = 2.0
BARE_APP = [sys.executable, str(BENCH / "bare_app.py")]
FLOOR = [
    sys.executable,
    "-c",
    "import keyring, sys; sys.stdout.write(keyring.get_password("
    f"{FLOOR_SERVICE!r}, {FLOOR_USER!r}) or '')",
]


class NotMeasured(Exception):
    """A pair that cannot be measured yet; the message says why."""


@dataclass
class Bench:
    """The shared scene, built lazily so `--only token` does not start tmux."""

    stack: ExitStack
    idle_seconds: float
    workspaces: int
    concurrency: int
    #: True during warm-up: idle runs are cut to one second.
    warming: bool = False
    #: What the table cannot show (why processes failed), printed under it.
    notes: list[str] = field(default_factory=list)
    world: World = field(init=False)
    _tmux: Tmux | None = None
    _sandbox: Sandbox | None = None
    _storm_port: int = 0
    _storm_secret: str = "bench-secret-storm-0123456789"
    _upload_workspace: str = ""

    def __post_init__(self) -> None:
        self.world = World(self.stack)

    @property
    def tmux(self) -> Tmux:
        if self._tmux is None:
            self._tmux = Tmux(self.world)
        return self._tmux

    @property
    def sandbox(self) -> Sandbox:
        """The sandbox holding the workspaces, with the default profile `bench` on it."""
        if self._sandbox is None:
            self._sandbox = seeded_sandbox(self.world, self.workspaces)
            self.world.add_profile("bench", self._sandbox)  # verified: its token is cached
        return self._sandbox

    def onna_tui(self, *args: str) -> list[str]:
        """The `onna-tui` command line, once the sandbox and the default profile exist."""
        self.sandbox  # noqa: B018 - built on first use
        return [*onna_tui(), *args]


def seeded_sandbox(world: World, count: int) -> Sandbox:
    """A sandbox with ``count`` workspaces: from a state file, else through the API."""
    state = world.tmp / "state.json"
    state.write_text(json.dumps(workspaces_state(count)), encoding="utf-8")
    try:
        sandbox = Sandbox.start(world, "main", "--state", str(state))
        if sandbox.admin("GET", "stats")["workspaces"] == count:
            return sandbox
        sandbox.stop()
    except BenchError:
        pass  # the state format changed: fall back to the API
    sandbox = Sandbox.start(world, "main-api")
    create_workspaces(sandbox, count)
    return sandbox


def create_workspaces(sandbox: Sandbox, count: int) -> None:
    with httpx.Client(base_url=sandbox.base_url, timeout=60, trust_env=False) as http:
        minted = http.post(
            "oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": sandbox.client_id,
                "client_secret": sandbox.secret,
            },
        )
        minted.raise_for_status()
        headers = {"Authorization": f"Bearer {minted.json()['access_token']}"}

        def create(number: int) -> None:
            http.post(
                "workspaces", json={"name": f"Bench workspace {number}"}, headers=headers
            ).raise_for_status()

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(create, range(1, count + 1)))


# ------------------------------------------------------------ TUI pairs


def first_paint(bench: Bench, command: list[str], pattern: str) -> Figures:
    """Seconds from spawning ``command`` in tmux to the first screen showing ``pattern``."""
    pane = bench.tmux.launch(command)
    try:
        return {"seconds": pane.wait_for(pattern)}
    finally:
        pane.close()


def idle(
    bench: Bench, command: list[str], ready: str, then: tuple[tuple[str, str], ...] = ()
) -> Figures:
    """CPU (% of one core) of the app's process tree while it idles, and its peak RSS.

    Waits for ``ready``, presses each key of ``then`` and waits for its pattern,
    settles, then reads utime+stime at both ends of the idle window.
    """
    pane = bench.tmux.launch(command)
    try:
        pane.wait_for(ready)
        for key, pattern in then:
            pane.keys(key)
            pane.wait_for(pattern)
        time.sleep(SETTLE_SECONDS)
        root = pane.pid()
        cpu0, wall0 = cpu_seconds(process_tree(root)), time.perf_counter()
        time.sleep(1.0 if bench.warming else bench.idle_seconds)
        tree = process_tree(root)
        cpu1, wall1 = cpu_seconds(tree), time.perf_counter()
        pane.screen()  # still alive and drawing: a crash would have left its screen
        return {"cpu_pct": 100 * (cpu1 - cpu0) / (wall1 - wall0), "peak_rss_mb": peak_rss_mb(tree)}
    finally:
        pane.close()


def onna_first_paint(bench: Bench) -> Figures:
    return first_paint(bench, bench.onna_tui(), ONNA_FIRST_PAINT)


def onna_countdown(bench: Bench) -> Figures:
    return first_paint(bench, bench.onna_tui(), ONNA_COUNTDOWN)


def bare_first_paint(bench: Bench) -> Figures:
    return first_paint(bench, BARE_APP, BARE_FIRST_PAINT)


def onna_idle(bench: Bench) -> Figures:
    return idle(bench, bench.onna_tui(), ONNA_COUNTDOWN)


def onna_sandbox_idle(bench: Bench) -> Figures:
    # The demo profile has no token yet: press n, as a person would, to get a countdown.
    return idle(
        bench, [*onna_tui(), "--sandbox"], ONNA_SANDBOX_READY, then=(("n", ONNA_COUNTDOWN),)
    )


def bare_idle(bench: Bench) -> Figures:
    return idle(bench, BARE_APP, BARE_COUNTDOWN)


# ------------------------------------------------------------ CLI pairs


def _output(run_stdout: str, what: str, returncode: int) -> str:
    if returncode != 0 or not run_stdout.strip():
        raise BenchError(f"{what} exited {returncode} with output {run_stdout[:200]!r}")
    return run_stdout


def cli_token(bench: Bench) -> Figures:
    exchanges = bench.sandbox.admin("GET", "stats")["token_exchanges"]
    run = timed(bench.world, [*onna_tui(), "token"])
    _output(run.stdout.read_text(encoding="utf-8"), "onna-tui token", run.returncode)
    if bench.sandbox.admin("GET", "stats")["token_exchanges"] != exchanges:
        raise BenchError("onna-tui token made a token exchange: the cached path was not timed")
    return {"seconds": run.seconds}


def floor_token(bench: Bench) -> Figures:
    run = timed(bench.world, FLOOR)
    _output(run.stdout.read_text(encoding="utf-8"), "the keyring floor", run.returncode)
    return {"seconds": run.seconds}


def cli_version(bench: Bench) -> Figures:
    run = timed(bench.world, [*onna_tui(), "--version"])
    _output(run.stdout.read_text(encoding="utf-8"), "onna-tui --version", run.returncode)
    return {"seconds": run.seconds}


def bare_python(bench: Bench) -> Figures:
    run = timed(bench.world, [sys.executable, "-c", "pass"])
    if run.returncode != 0:
        raise BenchError(f"python -c pass exited {run.returncode}")
    return {"seconds": run.seconds}


def _listed(bench: Bench, run_stdout: str, what: str, returncode: int) -> None:
    items = json.loads(_output(run_stdout, what, returncode))
    if len(items) != bench.workspaces:
        raise BenchError(f"{what} listed {len(items)} workspaces, not {bench.workspaces}")


def cli_list(bench: Bench) -> Figures:
    run = timed(bench.world, bench.onna_tui("workspace", "list", "--json"))
    _listed(bench, run.stdout.read_text(encoding="utf-8"), "workspace list", run.returncode)
    return {"seconds": run.seconds, "peak_rss_mb": run.peak_rss_mb}


def raw_list(bench: Bench) -> Figures:
    sandbox = bench.sandbox
    run = timed(
        bench.world,
        [sys.executable, str(BENCH / "raw_list.py"), sandbox.base_url, sandbox.client_id],
        stdin=sandbox.secret + "\n",
    )
    _listed(bench, run.stdout.read_text(encoding="utf-8"), "raw_list.py", run.returncode)
    return {"seconds": run.seconds, "peak_rss_mb": run.peak_rss_mb}


# ---------------------------------------------------------- the storm


def storm_sandbox(bench: Bench) -> Sandbox:
    """A sandbox whose profile `storm` holds a cached token that has expired.

    The sandbox cannot change its token lifetime while it runs, so: start it with
    1 s tokens, (re)verify the profile (which caches a 1 s token), restart it on
    the same port with the usual lifetime, and wait until `profile list` says expired.
    (Not `status`: within the token's one second it asks the server, which has
    forgotten the token across the restart and refuses it, and the cache is dropped.)
    """
    world, state = bench.world, str(bench.world.tmp / "storm-state.json")
    short = Sandbox.start(
        world,
        "storm",
        "--state",
        state,
        "--token-ttl",
        "1",
        port=bench._storm_port,
        secret=bench._storm_secret,
    )
    if bench._storm_port == 0:
        world.add_profile("storm", short)
        bench._storm_port = short.port
    else:
        world.onna("profile", "set-secret", "storm", stdin=bench._storm_secret + "\n")
    short.stop()
    sandbox = Sandbox.start(
        world, "storm", "--state", state, port=bench._storm_port, secret=bench._storm_secret
    )
    deadline = time.monotonic() + 30
    while _cached_state(world, "storm") != "expired":
        if time.monotonic() > deadline:
            raise BenchError("the storm profile's cached token did not expire")
        time.sleep(0.2)
    return sandbox


def _cached_state(world: World, name: str) -> str:
    """The state of profile ``name``'s cached token, read from the keyring only."""
    profiles = json.loads(world.onna("profile", "list", "--json"))
    return str(next(item for item in profiles if item["name"] == name)["token"]["state"])


def storm(bench: Bench) -> Figures:
    """``concurrency`` `onna-tui token` launched at once on an expired cache: exchanges made."""
    sandbox = storm_sandbox(bench)
    sandbox.admin("POST", "expire-tokens")  # the server agrees: no old token is any good
    sandbox.admin("POST", "reset-stats")
    out = bench.world.tmp / "storm"
    out.mkdir(exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []
    started = time.perf_counter()
    try:
        for number in range(bench.concurrency):
            with (
                open(out / f"{number}.out", "wb") as sink,
                open(out / f"{number}.err", "wb") as errors,
            ):
                procs.append(
                    subprocess.Popen(
                        [*onna_tui(), "--profile", "storm", "token"],
                        env=bench.world.env,
                        stdout=sink,
                        stderr=errors,
                    )
                )
        codes = [proc.wait(300) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    seconds = time.perf_counter() - started
    tokens = {path.read_text().strip() for path in out.glob("*.out")} - {""}
    exchanges = sandbox.admin("GET", "stats")["token_exchanges"]
    sandbox.stop()
    failures = Counter(
        (code, (out / f"{n}.err").read_text(errors="replace").strip()[:300])
        for n, code in enumerate(codes)
        if code != 0
    )
    for (code, message), times in failures.most_common():
        shown = message or "(no message)"
        bench.notes.append(f"storm: {times} of {len(codes)} exited {code}: {shown}")
    return {
        "exchanges": exchanges,
        "ok": codes.count(0),
        "distinct_tokens": len(tokens),
        "seconds": seconds,
    }


#: The file both sides of the upload pair send, and the chunk size both use.
UPLOAD_BYTES = 64 * 1024 * 1024
UPLOAD_CHUNK = 4 * 1024 * 1024


def _upload_scene(bench: Bench) -> tuple[Path, str, dict[str, str]]:
    """The file to send, a workspace to send it into, and a token for cleaning up."""
    sandbox = bench.sandbox
    path = bench.world.tmp / "upload.bin"
    if not path.exists():
        with path.open("wb") as handle:
            for _ in range(UPLOAD_BYTES // (1024 * 1024)):
                handle.write(os.urandom(1024 * 1024))
    with httpx.Client(base_url=sandbox.base_url, timeout=60, trust_env=False) as http:
        minted = http.post(
            "oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": sandbox.client_id,
                "client_secret": sandbox.secret,
            },
        )
        minted.raise_for_status()
        auth = {"Authorization": f"Bearer {minted.json()['access_token']}"}
        if not bench._upload_workspace:
            created = http.post("workspaces", json={"name": "bench uploads"}, headers=auth)
            created.raise_for_status()
            bench._upload_workspace = created.json()["onna_id"]
    return path, bench._upload_workspace, auth


def _uploaded(bench: Bench, run: Any, what: str, auth: dict[str, str]) -> Figures:
    text = _output(run.stdout.read_text(encoding="utf-8"), what, run.returncode)
    onna_id = json.loads(text)["onna_id"] if text.lstrip().startswith("{") else text.strip()
    with httpx.Client(base_url=bench.sandbox.base_url, timeout=60, trust_env=False) as http:
        # Checked, then deleted: the sandbox keeps upload bytes in temporary files.
        read = http.get(f"resources/files/{onna_id}", headers=auth)
        read.raise_for_status()
        if read.json().get("size") != UPLOAD_BYTES:
            raise BenchError(f"{what} stored {read.json().get('size')} bytes")
        http.delete(f"resources/files/{onna_id}", headers=auth)
    return {
        "seconds": run.seconds,
        "mb_per_s": UPLOAD_BYTES / 1e6 / run.seconds,
        "peak_rss_mb": run.peak_rss_mb,
    }


def cli_upload(bench: Bench) -> Figures:
    """`onna-tui upload` of a 64 MiB file in 4 MiB chunks: the whole process."""
    path, parent, auth = _upload_scene(bench)
    command = bench.onna_tui(
        "upload", str(path), "--parent", parent, "--chunk-size", str(UPLOAD_CHUNK), "--json"
    )
    return _uploaded(bench, timed(bench.world, command), "onna-tui upload", auth)


def raw_upload(bench: Bench) -> Figures:
    """bench/raw_upload.py sending the same chunks with httpx, as its own process."""
    path, parent, auth = _upload_scene(bench)
    sandbox = bench.sandbox
    command = [
        sys.executable,
        str(BENCH / "raw_upload.py"),
        sandbox.base_url,
        sandbox.client_id,
        parent,
        str(path),
        str(UPLOAD_CHUNK),
    ]
    run = timed(bench.world, command, stdin=sandbox.secret + "\n")
    return _uploaded(bench, run, "raw_upload.py", auth)


@dataclass
class Pair:
    name: str
    what: str
    ours: Callable[[Bench], Figures]
    base: Callable[[Bench], Figures] | None
    baseline: str = ""
    #: A fixed number of runs whatever --runs says (None: --runs).
    runs: int | None = None


PAIRS = [
    Pair(
        "first-paint",
        "first paint, 120x40 tmux",
        onna_first_paint,
        bare_first_paint,
        "bare Textual app",
    ),
    Pair(
        "countdown",
        "cached token counting down",
        onna_countdown,
        bare_first_paint,
        "bare first paint",
    ),
    Pair("idle", "idle on the Token screen", onna_idle, bare_idle, "bare 1 Hz countdown"),
    Pair(
        "idle-sandbox",
        "idle, onna-tui --sandbox",
        onna_sandbox_idle,
        bare_idle,
        "bare 1 Hz countdown",
    ),
    Pair("token", "onna-tui token, cached", cli_token, floor_token, "python -c keyring read"),
    Pair("cli-entry", "onna-tui --version", cli_version, bare_python, "python -c pass"),
    Pair("list", "workspace list --json", cli_list, raw_list, "raw httpx loop"),
    # A count, not a timing, and a heavy one (100 interpreters at once): run once.
    Pair("storm", "concurrent token, expired cache", storm, None, runs=1),
    Pair("upload", "upload 64 MiB, 4 MiB chunks", cli_upload, raw_upload, "raw httpx chunk loop"),
]
