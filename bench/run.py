"""The benchmark: onna-tui side by side with its floors, every pair interleaved, one table.

Run by hand, never as a test: ``python bench/run.py [--runs 7] [--only NAME]
[--idle-seconds 20] [--json FILE]`` with the project's interpreter (its venv).

It starts its own sandbox (10,000 workspaces), works in a throwaway HOME and
config dir, uses the Secret Service when one answers on the session bus and a
file keyring of its own otherwise, and drives onna-tui only from the outside:
its command line, tmux (a private server, 120x40) and the sandbox's admin
surface. Each pair runs once to warm up, then N times alternately (ours,
baseline, ours, …) so drift in the machine's load hits both sides alike. The
table shows medians with min–max, the ratio of the medians and the median of
the per-run ratios. Absolute figures vary between machines; the ratios are what
to compare.

Pairs (``--only`` takes the name):
  first-paint   `onna-tui` on a profile vs bench/bare_app.py: spawn to first screen
  countdown     `onna-tui` until its cached token counts down vs the bare first paint
  idle          CPU and peak RSS idling on the Token screen vs the bare 1 Hz countdown
  idle-sandbox  the same for `onna-tui --sandbox` (after pressing n)
  token         cached `onna-tui token` vs `python -c` reading one keyring entry
  cli-entry     `onna-tui --version` vs `python -c pass`: the CLI entry's own cost
  list          `onna-tui workspace list --json` vs bench/raw_list.py (httpx loop)
  storm         100 `onna-tui token` at once on an expired cache: exchanges (must be 1);
                run once whatever --runs says
  upload        `onna-tui upload` of 64 MiB in 4 MiB chunks vs bench/raw_upload.py (httpx)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
from harness import BenchError, onna_tui
from pairs import PAIRS, Bench, NotMeasured, Pair

#: metric -> (unit shown in the table, number format)
METRICS = {
    "seconds": ("s", "{:.3f}"),
    "mb_per_s": ("MB/s", "{:.1f}"),
    "cpu_pct": ("% of a core", "{:.2f}"),
    "peak_rss_mb": ("MB peak RSS", "{:.1f}"),
    "exchanges": ("token exchanges", "{:.0f}"),
    "ok": ("processes exiting 0", "{:.0f}"),
    "distinct_tokens": ("distinct tokens printed", "{:.0f}"),
}
WHAT_WIDTH, CELL_WIDTH = 64, 27


def measure(bench: Bench, pair: Pair, runs: int) -> dict[str, Any]:
    """Warm up once, then ``runs`` alternate runs of both sides; figures or the error."""
    result: dict[str, Any] = {"what": pair.what, "baseline": pair.baseline, "ours": {}, "base": {}}
    sides = [("ours", pair.ours)] + ([("base", pair.base)] if pair.base else [])
    runs = pair.runs or runs
    try:
        if pair.base is not None:
            bench.warming = True
            for _, side in sides:
                side(bench)
            bench.warming = False
        for number in range(1, runs + 1):
            shown = []
            for key, side in sides:
                figures = side(bench)
                for metric, value in figures.items():
                    result[key].setdefault(metric, []).append(value)
                shown.append(f"{key} " + ", ".join(f"{m}={v:.3g}" for m, v in figures.items()))
            print(f"  {pair.name} {number}/{runs}: " + "; ".join(shown), file=sys.stderr)
    except NotMeasured as exc:
        result["not_measured"] = str(exc)
    except (BenchError, httpx.HTTPError, OSError, ValueError, subprocess.SubprocessError) as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        bench.warming = False
    return result


def spread(values: list[float], fmt: str) -> str:
    low, high = min(values), max(values)
    return f"{fmt.format(statistics.median(values))} ({fmt.format(low)}–{fmt.format(high)})"


def rows(result: dict[str, Any]) -> list[str]:
    """The table lines of one pair."""
    if "not_measured" in result or "error" in result:
        note = result.get("not_measured") or "failed: " + result["error"]
        return [f"{result['what']:{WHAT_WIDTH}} {note}"]
    lines = []
    for metric, ours in result["ours"].items():
        unit, fmt = METRICS[metric]
        base = result["base"].get(metric)
        vs = f" vs {result['baseline']}" if base else ""
        what = f"{result['what']} ({unit}){vs}"
        line = f"{what:{WHAT_WIDTH}} {spread(ours, fmt):{CELL_WIDTH}}"
        if base:
            ratio = statistics.median(ours) / statistics.median(base)
            per_run = statistics.median(o / b for o, b in zip(ours, base, strict=True))
            line += f" {spread(base, fmt):{CELL_WIDTH}} {ratio:6.2f} {per_run:8.2f}"
        else:
            line += f" {'—':{CELL_WIDTH}}"
        lines.append(line.rstrip())
    return lines


def table(results: list[dict[str, Any]]) -> str:
    head = (
        f"{'what':{WHAT_WIDTH}} {'ours median (min–max)':{CELL_WIDTH}} "
        f"{'baseline median (min–max)':{CELL_WIDTH}} {'ratio':>6} {'per-run':>8}"
    )
    return "\n".join([head, "-" * len(head), *(line for r in results for line in rows(r))])


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds the ExitStack: sandbox, tmux and temp dir go


def main() -> int:
    parser = argparse.ArgumentParser(
        description="onna-tui side by side with its floors (see the module docstring).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Pairs" + __doc__.split("Pairs", 1)[1],
    )
    parser.add_argument("--runs", type=int, default=7, help="runs of each side (default: 7)")
    parser.add_argument(
        "--only",
        action="append",
        choices=[p.name for p in PAIRS],
        metavar="NAME",
        help="run only this pair (repeatable)",
    )
    parser.add_argument(
        "--idle-seconds", type=float, default=20.0, help="length of each idle window (default: 20)"
    )
    parser.add_argument(
        "--workspaces",
        type=int,
        default=10_000,
        help="workspaces in the sandbox for the list pair (default: 10000)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=100,
        help="`onna-tui token` processes launched at once (default: 100)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save the raw figures")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    pairs = [p for p in PAIRS if not args.only or p.name in args.only]
    meta: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
        "python": platform.python_version(),
        "onna-tui": _version("onna-tui"),
        "textual": _version("textual"),
        "command": " ".join(onna_tui()),
        "runs": args.runs,
        "idle_seconds": args.idle_seconds,
        "workspaces": args.workspaces,
        "concurrency": args.concurrency,
    }
    results = []
    try:
        with ExitStack() as stack:
            bench = Bench(stack, args.idle_seconds, args.workspaces, args.concurrency)
            meta["keyring"] = bench.world.keyring
            print(f"keyring: {bench.world.keyring}; {args.runs} runs", file=sys.stderr)
            for pair in pairs:
                print(f"{pair.name}: {pair.what}", file=sys.stderr)
                results.append({"name": pair.name, **measure(bench, pair, args.runs)})
    except KeyboardInterrupt:
        print("\ninterrupted: the sandbox, tmux and temp files are gone", file=sys.stderr)
        return 130
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    meta["load_after"] = os.getloadavg()
    print(
        f"\nonna-tui {meta['onna-tui']} · textual {meta['textual']} · Python {meta['python']}"
        f" · {meta['cpus']} CPUs · load {meta['load_before'][0]:.2f}→"
        f"{meta['load_after'][0]:.2f} · keyring: {meta['keyring']} · {args.runs} runs, "
        f"idle {args.idle_seconds:g} s"
    )
    print(table(results))
    for note in bench.notes:
        print(f"note: {note}")
    if args.json:
        document = {"meta": meta, "pairs": results, "notes": bench.notes}
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    storm_ok = all(
        set(r["ours"].get("exchanges", [1])) == {1}
        and set(r["ours"].get("ok", [args.concurrency])) == {args.concurrency}
        for r in results
    )
    failed = any("error" in r for r in results)
    return 0 if storm_ok and not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
