"""Start-up benchmark: how much onna-tui adds on top of bare Textual and bare Python.

Run by hand (never as a timed test): ``python bench/startup.py [--runs 15]``.
Every figure is measured side by side in one run and reported as a ratio
against its baseline, because absolute times drift between runs and machines.

Pairs measured (child process, wall time of the whole interpreter):
- ``import onna_tui.ui.app`` vs ``import textual.app``: what our UI adds before
  the first paint (the service layer, httpx, keyring and the sandbox should not
  be imported there);
- ``onna-tui --version`` vs ``python -c pass``: the CLI entry's own cost;
- ``import onna_tui.service.client`` vs ``import httpx``: the service layer's cost.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

PAIRS = [
    ("UI module before first paint", "import onna_tui.ui.app", "import textual.app"),
    (
        "CLI entry (--version)",
        "import sys; sys.argv=['onna-tui','--version']\n"
        "from onna_tui.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass",
        "pass",
    ),
    ("service layer", "import onna_tui.service.client", "import httpx"),
]


def run_once(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{'what':32} {'ours ms':>9} {'base ms':>9} {'ratio':>7}")
    for label, ours, base in PAIRS:
        ours_t: list[float] = []
        base_t: list[float] = []
        run_once(ours), run_once(base)  # warm the file cache for both
        for _ in range(args.runs):
            # Interleave so drift in machine load hits both sides alike.
            ours_t.append(run_once(ours))
            base_t.append(run_once(base))
        o, b = statistics.median(ours_t), statistics.median(base_t)
        print(f"{label:32} {o * 1000:9.0f} {b * 1000:9.0f} {o / b:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
