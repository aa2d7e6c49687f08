"""The `onna-tui` command: the TUI by default, plus subcommands for scripts.

Only the TUI path imports textual; every other command stays free of it.
"""

from __future__ import annotations

import argparse
import sys

from onna_tui import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onna-tui",
        description="A terminal UI and CLI for the Onna Platform API.",
    )
    parser.add_argument("--version", action="version", version=f"onna-tui {__version__}")
    sub = parser.add_subparsers(dest="command")
    from onna_tui.sandbox import cli as sandbox_cli

    sandbox_parser = sub.add_parser(
        "sandbox", help="serve a local Onna-compatible API on loopback (for trying things out)"
    )
    sandbox_cli.add_arguments(sandbox_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        from onna_tui.sandbox import cli as sandbox_cli

        return sandbox_cli.run(args)
    parser.print_help(sys.stderr)
    return 2
