"""The ``onna-tui`` command line: every option and subcommand, and its help text.

Standard library only (with the sandbox's option checks), so ``--help`` and
``--version`` stay fast: the command modules are imported only once a
subcommand is chosen (see ``cli.runner``).
"""

from __future__ import annotations

import argparse
from typing import Any

from onna_tui.cli.arguments import SafeArgumentParser
from onna_tui.cli.errors import RefuseSecretArgument
from onna_tui.core.token_rules import EXEC_MIN_LEFT
from onna_tui.errors import exit_code_summary
from onna_tui.sandbox.cli import positive_int
from onna_tui.version import __version__

_GLOBAL_HELP = {
    "profile": "the profile to use (default: ONNA_PROFILE, then the default profile)",
    "base_url": "the API base URL for this run, or for `profile add/update` the profile's "
    "(default: the profile's, or ONNA_BASE_URL)",
    "verbose": "add HTTP status codes and request ids to errors (tracebacks for bugs)",
}


def _add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
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


def _add_json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON")


def _leaf(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    **kwargs: Any,
) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".", **kwargs
    )
    _add_global_options(parser, top=False)
    return parser


def _add_profile_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    profile = sub.add_parser(
        "profile",
        help="manage profiles (client id and base URL; the secret goes to the keyring)",
        description="Manage profiles. Client secrets are kept in the system keyring, never in "
        "the config file, and are read from standard input or a hidden prompt, never from "
        "arguments.",
    )
    _add_global_options(profile, top=False)
    actions = profile.add_subparsers(dest="profile_command", metavar="ACTION", required=True)

    add = _leaf(actions, "add", "add a profile; the secret is read from stdin or a hidden prompt")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--client-id", required=True, metavar="ID", help="the client id from Onna")
    add.add_argument(
        "--org", metavar="ORG", help="your organization (the ORG of enterprise.onna.com/ORG)"
    )
    add.add_argument("--default", action="store_true", help="make it the default profile")
    add.add_argument(
        "--no-verify",
        action="store_true",
        help="save without exchanging the credentials for a token first",
    )

    list_ = _leaf(actions, "list", "list profiles and the time left on their cached tokens")
    _add_json(list_, "the profiles")

    remove = _leaf(actions, "remove", "remove a profile and its secret and cached token")
    remove.add_argument("name", metavar="NAME")
    remove.add_argument(
        "--force",
        action="store_true",
        help="remove the profile even if the keyring cannot be reached (the secret may remain)",
    )

    default = _leaf(actions, "default", "make a profile the default")
    default.add_argument("name", metavar="NAME")

    set_secret = _leaf(
        actions, "set-secret", "replace a profile's client secret (stdin or a hidden prompt)"
    )
    set_secret.add_argument("name", metavar="NAME")
    set_secret.add_argument(
        "--no-verify", action="store_true", help="save without exchanging the credentials first"
    )

    rotate = _leaf(
        actions,
        "rotate",
        "replace a profile's credentials with new ones made in Onna's Platform API app "
        "(verified first), then say to delete the old ones",
    )
    rotate.add_argument("name", metavar="NAME")
    rotate.add_argument(
        "--client-id", metavar="ID", help="the new credentials' client id (asked when omitted)"
    )

    update = _leaf(
        actions,
        "update",
        "change a profile's client id, base URL (--base-url) or org",
    )
    update.add_argument("name", metavar="NAME")
    update.add_argument("--client-id", metavar="ID", help="new client id (asks for its secret)")
    update.add_argument("--org", metavar="ORG", help="new organization ('' clears it)")
    update.add_argument(
        "--keep-secret",
        action="store_true",
        help="with --base-url: send the stored client secret to the new base URL (to verify it "
        "there, unless --no-verify) instead of asking for it again",
    )
    update.add_argument(
        "--no-verify", action="store_true", help="save without exchanging the credentials first"
    )


def _add_workspace_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    workspace = sub.add_parser(
        "workspace",
        help="create, list, show, update and delete workspaces, and set their custom fields",
        description="Workspaces.",
    )
    _add_global_options(workspace, top=False)
    actions = workspace.add_subparsers(dest="workspace_command", metavar="ACTION", required=True)

    create = _leaf(actions, "create", "create a workspace and print its onna_id")
    create.add_argument("--name", required=True, help="display name of the workspace")
    create.add_argument("--description", metavar="TEXT", help="short description")
    create.add_argument("--tag", action="append", metavar="TAG", help="a tag (repeat for several)")
    _add_json(create, '{"onna_id": ...}')

    list_ = _leaf(actions, "list", "list workspaces (onna_id and name)")
    list_.add_argument("--limit", type=positive_int, metavar="N", help="stop after N workspaces")
    _add_json(list_, "the workspaces")

    show = _leaf(actions, "show", "show one workspace")
    show.add_argument("onna_id", metavar="ONNA_ID")
    _add_json(show, "the workspace")

    update = _leaf(actions, "update", "change a workspace's name, description or tags")
    update.add_argument("onna_id", metavar="ONNA_ID")
    update.add_argument("--name", help="the new display name")
    update.add_argument("--description", metavar="TEXT", help="the new description")
    update.add_argument(
        "--tag", action="append", metavar="TAG", help="a tag; the tags given replace the old ones"
    )
    update.add_argument("--clear-tags", action="store_true", help="remove every tag")
    _add_json(update, "the workspace as it is after the change")

    delete = _leaf(
        actions,
        "delete",
        "delete a workspace and everything in it (asks for its name in a terminal)",
    )
    delete.add_argument("onna_id", metavar="ONNA_ID")
    delete.add_argument(
        "--yes", action="store_true", help="delete without asking (needed when not in a terminal)"
    )

    field = _leaf(actions, "field", "a workspace's custom fields and their values")
    fields = field.add_subparsers(dest="field_command", metavar="ACTION", required=True)
    listed = _leaf(fields, "list", "list the workspace's enabled fields with their values")
    listed.add_argument("onna_id", metavar="ONNA_ID")
    _add_json(listed, "the fields")
    enable = _leaf(fields, "enable", "enable an account custom field for the workspace")
    get = _leaf(fields, "get", "print the value of one of the workspace's fields")
    set_ = _leaf(fields, "set", "set the value of one of the workspace's fields")
    for leaf in (enable, get, set_):
        leaf.add_argument("onna_id", metavar="ONNA_ID")
        leaf.add_argument("field_id", metavar="FIELD_ID")
    set_.add_argument("value", metavar="VALUE")
    _add_json(get, '{"onna_id": ..., "value": ...}')


def _add_customfield_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    customfield = sub.add_parser(
        "customfield",
        help="list and create the account's custom fields",
        description="The account's custom fields, which workspaces can enable.",
    )
    _add_global_options(customfield, top=False)
    actions = customfield.add_subparsers(
        dest="customfield_command", metavar="ACTION", required=True
    )
    listed = _leaf(actions, "list", "list the account's custom fields")
    _add_json(listed, "the fields")
    create = _leaf(actions, "create", "create a custom field and print its onna_id")
    create.add_argument("--name", required=True, help="display name of the field")
    create.add_argument("--type", required=True, metavar="TYPE", help="its type, such as keyword")
    create.add_argument("--description", required=True, metavar="TEXT", help="what it holds")
    create.add_argument("--required", action="store_true", help="a value is required")
    _add_json(create, '{"onna_id": ...}')


def build_parser() -> argparse.ArgumentParser:
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
    _add_global_options(parser, top=True)
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    _add_profile_parsers(sub)

    token = _leaf(
        sub,
        "token",
        "print a valid access token (cached and reused until about a minute before expiry)",
    )
    token.add_argument(
        "--new",
        action="store_true",
        help="mint a new token even if the cached one has time left (for example after the "
        "server refused it); it replaces the cached one",
    )
    _add_json(token, "the token with its type and expiry")

    status = _leaf(sub, "status", "show the profile, where its secret is, and the token's state")
    status.add_argument(
        "--check",
        action="store_true",
        help="exchange the credentials for a new token to prove they work",
    )
    _add_json(status, "the status")

    _add_workspace_parsers(sub)
    _add_customfield_parsers(sub)

    run = _leaf(
        sub,
        "exec",
        "run a command with a valid token in its environment (ONNA_ACCESS_TOKEN, "
        "ONNA_BASE_URL, ONNA_TOKEN_EXPIRES_AT); its exit status is onna-tui's",
    )
    run.add_argument(
        "--min-left",
        type=positive_int,
        default=EXEC_MIN_LEFT,
        metavar="SECONDS",
        help="the least time the token must have left, else a new one is minted "
        f"(default: {EXEC_MIN_LEFT}; tokens live about an hour)",
    )
    run.add_argument(
        "--allow-nested",
        action="store_true",
        help="allow running inside another `onna-tui exec` of a different profile",
    )
    run.add_argument(
        "--server",
        action="store_true",
        help="instead of a token, give the command ONNA_TOKEN_URL and ONNA_TOKEN_AUTH: a "
        "loopback endpoint that hands out fresh tokens for as long as it runs",
    )
    run.add_argument("exec_argv", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]")

    serve = _leaf(
        sub,
        "serve-token",
        "serve fresh tokens on 127.0.0.1, in the foreground, to programs that present the "
        "printed ONNA_TOKEN_AUTH (prints ONNA_TOKEN_URL and ONNA_TOKEN_AUTH first)",
    )
    serve.add_argument(
        "--min-left",
        type=positive_int,
        default=EXEC_MIN_LEFT,
        metavar="SECONDS",
        help=f"the least time a token handed out has left (default: {EXEC_MIN_LEFT})",
    )
    _add_json(serve, "the URL and the secret")

    completion = sub.add_parser(
        "completion", help="print the shell completion script for bash, zsh or fish"
    )
    completion.add_argument(
        "shell", choices=("bash", "zsh", "fish"), metavar="SHELL", help="bash, zsh or fish"
    )

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
    return parser
