"""The ``onna-tui`` command line: the top level, assembled from the command modules.

Each command module (``cli.commands.*``) registers its own subcommands, their
help text, and the handler that runs them (``set_defaults(handler=...)``); the
options they share are in ``cli.options``. Here are the top-level options, the
order of the commands, ``completion`` and ``sandbox``. The command modules
import only the standard library and light modules at load time (the rest when
a handler runs), so ``--help`` and ``--version`` stay fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from onna_tui.cli.arguments import SafeArgumentParser
from onna_tui.cli.commands import (
    auth,
    contents,
    customfield,
    profile,
    serve_token,
    upload,
    workspace,
    workspace_edit,
)
from onna_tui.cli.commands import exec as exec_command
from onna_tui.cli.errors import RefuseSecretArgument
from onna_tui.cli.options import Subcommands, add_global_options
from onna_tui.errors import exit_code_summary
from onna_tui.sandbox.cli import positive_int
from onna_tui.version import __version__


def _top_level() -> argparse.ArgumentParser:
    # Never echoes a value from the command line in an error; its subparsers are the same.
    parser: argparse.ArgumentParser = SafeArgumentParser(
        prog="onna-tui",
        description="A terminal UI and CLI for the Onna Platform API. Without a command, "
        "the terminal UI starts.",
        epilog="Environment: ONNA_PROFILE, ONNA_CLIENT_ID, ONNA_CLIENT_SECRET, ONNA_BASE_URL "
        "(with ONNA_CLIENT_ID and ONNA_CLIENT_SECRET set, no profile is needed and nothing is "
        f"stored), ONNA_TUI_CONFIG_DIR. Exit codes: {exit_code_summary()}.",
    )
    parser.add_argument("--version", action="version", version=f"onna-tui {__version__}")
    add_global_options(parser, top=True)
    tui = parser.add_argument_group("terminal UI options (without a command)")
    tui.add_argument(
        "--sandbox",
        action="store_true",
        help="start a local sandbox API and use its demo profile (nothing is stored)",
    )
    tui.add_argument(
        "--token-ttl",
        type=positive_int,
        metavar="SECONDS",
        help="with --sandbox: lifetime of the sandbox's tokens (to watch expiry quickly)",
    )
    return parser


def _print_completion(ctx: Any) -> int:
    from onna_tui.cli.completion import script

    sys.stdout.write(script(ctx.args.shell, build_parser()))
    return 0


def _add_completion(sub: Subcommands[argparse.ArgumentParser]) -> None:
    completion = sub.add_parser(
        "completion", help="print the shell completion script for bash, zsh or fish"
    )
    completion.add_argument(
        "shell", choices=("bash", "zsh", "fish"), metavar="SHELL", help="bash, zsh or fish"
    )
    completion.set_defaults(handler=_print_completion)


def _add_sandbox(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """``onna-tui sandbox``: the sandbox's own parser (``cli.runner`` runs it without a Context)."""
    from onna_tui.sandbox import cli as sandbox_cli

    sandbox_parser = sub.add_parser(
        "sandbox", help="serve a local Onna-compatible API on loopback (for trying things out)"
    )
    sandbox_cli.add_arguments(sandbox_parser)
    sandbox_parser.add_argument(
        "--client-secret",
        action=RefuseSecretArgument,
        dest="client_secret_trap",
        hint="use --client-secret-stdin and pipe it in instead",
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; every subcommand's parser carries its ``handler``."""
    parser = _top_level()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    profile.register(sub)
    auth.register(sub)
    workspace_actions = workspace.register(sub)
    workspace_edit.register(workspace_actions)
    customfield.register_workspace_fields(workspace_actions)
    customfield.register(sub)
    exec_command.register(sub)
    serve_token.register(sub)
    contents.register(sub)
    upload.register(sub)
    _add_completion(sub)
    _add_sandbox(sub)
    return parser
