"""What every subcommand's parser shares: the global options, ``--json`` and one leaf.

Each command module (``cli.commands.*``) builds its own subcommands with these
and binds its handler (``set_defaults(handler=...)``); ``cli.parser`` assembles
the top level. Standard library only, so building the parser stays fast.
"""

from __future__ import annotations

import argparse
from typing import Any

from onna_tui.cli.errors import RefuseSecretArgument

#: The subcommands' group of parsers, as ``add_subparsers`` returns it.
Subcommands = argparse._SubParsersAction

_GLOBAL_HELP = {
    "profile": "the profile to use (default: ONNA_PROFILE, then the default profile)",
    "base_url": "the API base URL for this run, or for `profile add/update` the profile's "
    "(default: the profile's, or ONNA_BASE_URL)",
    "verbose": "add HTTP status codes and request ids to errors (tracebacks for bugs)",
}


def add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """--profile, --base-url and --verbose, accepted before and after the subcommand.

    Below the top level the defaults are SUPPRESS, so an option given before the
    subcommand is not reset by the subcommand's parser.
    """

    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--profile", metavar="NAME", default=default(None), help=_GLOBAL_HELP["profile"]
    )
    group.add_argument(
        "--base-url", metavar="URL", default=default(None), help=_GLOBAL_HELP["base_url"]
    )
    group.add_argument(
        "--verbose", action="store_true", default=default(False), help=_GLOBAL_HELP["verbose"]
    )
    group.add_argument("--client-secret", action=RefuseSecretArgument, dest="client_secret_trap")


def add_json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON")


def group(
    sub: Subcommands[argparse.ArgumentParser],
    name: str,
    help_text: str,
    description: str,
    dest: str,
) -> Subcommands[argparse.ArgumentParser]:
    """A command with actions of its own (``profile``, ``workspace``): returns its actions."""
    parser = sub.add_parser(name, help=help_text, description=description)
    add_global_options(parser, top=False)
    return parser.add_subparsers(dest=dest, metavar="ACTION", required=True)


def leaf(
    sub: Subcommands[argparse.ArgumentParser],
    name: str,
    help_text: str,
    **kwargs: Any,
) -> argparse.ArgumentParser:
    """A subcommand whose description is its help sentence, with the global options."""
    parser = sub.add_parser(
        name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".", **kwargs
    )
    add_global_options(parser, top=False)
    return parser
