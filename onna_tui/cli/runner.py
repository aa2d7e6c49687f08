"""Running one ``onna-tui`` command: parse, dispatch, and report failures as one line.

Only the TUI path imports textual (lazily); every other command stays free of
it. Each subcommand's parser carries the handler that runs it (bound by its
command module, see ``cli.parser``); the handler is given the run's Context.
An OnnaTuiError ends the command with its sentence on stderr and its exit code
(``errors.ExitCode``); anything else is reported as a bug.
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import traceback
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from onna_tui.cli.errors import redact
from onna_tui.core.text import printable
from onna_tui.errors import ExitCode, OnnaTuiError

if TYPE_CHECKING:
    from onna_tui.cli.context import Context


def _run_tui(
    *,
    profile: str | None = None,
    sandbox: bool = False,
    token_ttl: int | None = None,
    base_url: str | None = None,
) -> int:
    try:
        from onna_tui.tui.launch import run_tui
    except ImportError as exc:
        print(
            f"onna-tui: the terminal UI cannot start ({printable(str(exc))}). Reinstall "
            "onna-tui, or use the subcommands (`onna-tui --help`).",
            file=sys.stderr,
        )
        return ExitCode.API
    return run_tui(profile=profile, sandbox=sandbox, token_ttl=token_ttl, base_url=base_url)


#: What a subcommand's parser binds as ``handler`` (``set_defaults``): given the run's
#: Context, sync (profile) or async (the rest).
Handler = Callable[[Any], int | Coroutine[Any, Any, int]]


def _report(error: OnnaTuiError, verbose: bool) -> int:
    """Print an expected failure as one line and return its exit code.

    Server messages and ids reach this line, so control characters are shown as escapes.
    """
    text = error.verbose() if verbose else str(error)
    print(f"onna-tui: {printable(redact(text))}", file=sys.stderr)
    return error.exit_code


def report_unexpected(error: BaseException, verbose: bool = False) -> int:
    """Report an error that is a bug in onna-tui (no OnnaTuiError) and return its exit code."""
    if verbose:
        trace = "".join(traceback.format_exception(error))
        print(printable(redact(trace), keep_newlines=True), file=sys.stderr, end="")
    print(
        f"onna-tui: unexpected error ({type(error).__name__}): {printable(redact(str(error)))}. "
        "This is a bug in onna-tui; run again with --verbose for details and report it.",
        file=sys.stderr,
    )
    return ExitCode.API


def quiet_broken_pipe() -> None:
    # The reader went away (`onna-tui workspace list | head -1`): say nothing more.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run(
    argv: list[str] | None = None,
    *,
    make_context: Callable[[argparse.Namespace], Context] | None = None,
) -> int:
    """Run ``onna-tui`` with ``argv`` (default: the command line); returns the exit code.

    ``make_context`` builds the commands' `Context` from the parsed arguments (gh's
    Factory): tests pass one with their own config store, vault and clock. The
    default reads the person's config.toml and keyring.
    """
    verbose = False
    try:
        if not (sys.argv[1:] if argv is None else argv):
            # `onna-tui` alone, the usual launch: the TUI before the parser is built (its
            # modules and tree are ~20 ms of the first paint); what parsing [] would give.
            return _run_tui()
        from onna_tui.cli.parser import build_parser

        parser = build_parser()
        args = parser.parse_args(argv)
        verbose = bool(args.verbose)
        if args.command == "sandbox":
            from onna_tui.sandbox import cli as sandbox_cli

            return sandbox_cli.run(args)
        if args.command is None:
            return _run_tui(
                profile=args.profile,
                sandbox=args.sandbox,
                token_ttl=args.token_ttl,
                base_url=args.base_url,
            )
        if args.sandbox or args.token_ttl is not None:
            parser.error(
                "--sandbox and --token-ttl start the terminal UI with a sandbox; they do not apply "
                f"to `onna-tui {args.command}` (for a sandbox to script against, run "
                "`onna-tui sandbox`)"
            )
        if make_context is None:
            from onna_tui.cli.context import Context

            make_context = Context

        handler: Handler = args.handler
        outcome = handler(make_context(args))
        if inspect.iscoroutine(outcome):
            import asyncio

            code: int = asyncio.run(outcome)
            return code
        assert isinstance(outcome, int)
        return outcome
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except OnnaTuiError as error:
        return _report(error, verbose)
    except BrokenPipeError:
        quiet_broken_pipe()
        return ExitCode.BROKEN_PIPE
    except Exception as error:
        return report_unexpected(error, verbose)
