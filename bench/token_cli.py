"""Benchmark: `onna-tui token` with a cached token, the call scripts make before every request.

Run by hand: ``python bench/token_cli.py [--runs 15]``. It starts the sandbox in
this process, adds a profile in a throwaway config dir with the tests'
file-backed keyring, then times, interleaved and side by side:

- ``onna-tui token`` answered from the cache (no exchange, no HTTP);
- the floor: ``python -c "import pydantic, keyring, asyncio"``, what any run
  that reads the keyring and the config must load anyway;
- ``python -c pass``: the interpreter alone.

Reported as medians and as ratios against the floor, since absolute times
drift between runs and machines. It also checks that only one token exchange
happened in all the runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout, installed or not

from onna_tui.sandbox.server import SandboxServer  # noqa: E402
from onna_tui.sandbox.state import SandboxState  # noqa: E402


def timed(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, input=stdin, text=True, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    state = SandboxState()
    creds = state.add_client(client_id="bench", client_secret="bench-secret-0123456789")
    with SandboxServer(state) as server, tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO / "tests" / "cli"), str(REPO)]),
            "PYTHON_KEYRING_BACKEND": "filekeyring.JsonFileKeyring",
            "ONNA_TEST_KEYRING_FILE": str(Path(tmp) / "keyring.json"),
            "ONNA_TUI_CONFIG_DIR": str(Path(tmp) / "config"),
            "ONNA_TUI_LOCK_DIR": str(Path(tmp) / "locks"),
        }
        onna = [sys.executable, "-m", "onna_tui"]
        timed(
            [
                *onna,
                "profile",
                "add",
                "bench",
                "--client-id",
                "bench",
                "--base-url",
                server.base_url,
            ],
            env,
            stdin=creds.client_secret.get_secret_value(),
        )
        cases = {
            "onna-tui token (cached)": [*onna, "token"],
            "floor: pydantic+keyring+asyncio": [
                sys.executable,
                "-c",
                "import pydantic, keyring, asyncio",
            ],
            "python -c pass": [sys.executable, "-c", "pass"],
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, cmd in cases.items():  # interleaved: load drift hits all alike
                times[name].append(timed(cmd, env))
        exchanges = httpx.get(f"{server.root_url}/_sandbox/stats").json()["token_exchanges"]
    floor = statistics.median(times["floor: pydantic+keyring+asyncio"])
    print(f"{'what':34} {'median ms':>10} {'vs floor':>9}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:34} {median * 1000:10.0f} {median / floor:9.2f}")
    print(f"token exchanges in all runs: {exchanges} (1 expected: the verification)")
    return 0 if exchanges == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
