"""The `onna-tui` command: the TUI by default, plus subcommands for scripts.

``main`` is the console script (``onna-tui = onna_tui.cli:main``). The top
level of the parser is in ``parser``, the options every subcommand shares in
``options``, running a command and reporting its failure in ``runner``, what
commands share in ``context`` and ``output``, and the commands themselves (each
with its own subcommands' parser) in ``commands/``. Only the TUI path imports
textual (lazily), and the command modules load httpx, pydantic and the keyring
only when a handler runs, so ``--help`` and ``--version`` stay fast.

Exit codes (``onna_tui.errors.ExitCode``, also in the README): {exit_codes}.
Errors are one line on stderr, ``onna-tui: <what happened and what to do>``;
``--verbose`` adds the HTTP status and request id, and a traceback for
unexpected errors.
"""

from __future__ import annotations

from onna_tui.errors import exit_code_summary

if __doc__:  # None under python -OO
    __doc__ = __doc__.replace("{exit_codes}", exit_code_summary())


def main(argv: list[str] | None = None) -> int:
    """The ``onna-tui`` command: run it with ``argv`` (default: the command line)."""
    import sys

    _without_httpx_cli()
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        # The same argparse action as the whole parser's (same text, same wrapping on a
        # narrow terminal, same SystemExit(0)), without importing and building the tree.
        import argparse

        from onna_tui.version import __version__

        version = argparse.ArgumentParser(prog="onna-tui", add_help=False)
        version.add_argument("--version", action="version", version=f"onna-tui {__version__}")
        version.parse_args(args)
    if args[:1] == ["__complete-profiles"]:
        # Shell completion asks for profile names on every <Tab>: read config.toml
        # and nothing else (no parser, no keyring, no pydantic).
        from onna_tui.storage.paths import profile_names

        names = profile_names()
        if names:
            sys.stdout.write("\n".join(names) + "\n")
        return 0
    if "token" in args[:3] or args[:2] == ["workspace", "list"]:
        try:
            code = _quick(args)
            if code is not None:
                return code
        except KeyboardInterrupt:
            from onna_tui.errors import ExitCode

            return ExitCode.INTERRUPTED
        except BrokenPipeError:
            from onna_tui.cli.runner import quiet_broken_pipe
            from onna_tui.errors import ExitCode

            quiet_broken_pipe()
            return ExitCode.BROKEN_PIPE
    from onna_tui.cli.runner import run

    return run(argv)


def _without_httpx_cli() -> None:
    """Keep httpx from importing its own command-line client into ours.

    ``import httpx`` tries ``from ._main import main`` and falls back to a stub on
    ImportError. With click installed (uvicorn, for the sandbox, brings it), that import
    succeeds and loads click, pygments and rich's console, progress and syntax modules:
    about 45 ms and 3.5 MB in every run that talks HTTP, for a function nothing here
    calls. A None in sys.modules makes that import raise ImportError, so httpx takes its
    own fallback. Only this process's entry point does it, before httpx is imported;
    a script importing onna_tui as a library keeps its httpx as it is.
    """
    import sys

    if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
        sys.modules["httpx._main"] = None  # type: ignore[assignment]


def _quick(args: list[str]) -> int | None:
    """The exit code of the commands scripts run most, answered without the command tree
    when the profile's cached token is fresh; None: the full command must run."""
    if args[:2] == ["workspace", "list"]:
        # Long listings: plain pages on a sync client (see cli.fast_list).
        from onna_tui.cli.fast_list import quick_list

        return quick_list(args)
    # Scripts ask for the token often, and it is nearly always cached with time left:
    # answered from config.toml and the keyring alone (see cli.fast_token), or None.
    import sys

    from onna_tui.cli.fast_token import cached_token_output

    text = cached_token_output(args)
    if text is None:
        return None
    sys.stdout.write(text)
    return 0
