"""`onna-tui profile ...`: add, list, remove, choose the default, replace a secret, update.

A secret is stored only after Onna accepted it (a token exchange at the
profile's base URL) unless ``--no-verify``; on failure nothing changes. The
token minted by that check is cached, so the next ``onna-tui token`` is free.

These commands are synchronous (the vault's blocking calls are time-bounded
too); only the exchange-and-save step runs in ``asyncio.run``. The secret is
read before that, outside the event loop, so a single Ctrl-C at the hidden
prompt ends the command at once and leaves the terminal as it was.

Here: the ``profile`` parser, ``add``, ``remove`` and ``default``. The secret
changes (``set-secret``, ``rotate``, ``update``) are in ``profile_credentials``,
``list`` in ``profile_list``, and what they share in ``profile_save``.
"""

from __future__ import annotations

import argparse
import os

from onna_tui.cli.commands import profile_list
from onna_tui.cli.commands.profile_credentials import register_credential_changes
from onna_tui.cli.commands.profile_save import (
    base_url_option,
    check_base_url,
    saved_message,
    scoped_vault,
    verify_and_save,
)
from onna_tui.cli.context import Context, read_client_secret
from onna_tui.cli.options import Subcommands, add_json, group, leaf
from onna_tui.cli.output import note, out
from onna_tui.core.errors import ConfigError
from onna_tui.core.profile_rules import validate_profile_name
from onna_tui.core.urls import DEFAULT_BASE_URL


def register(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """``onna-tui profile add | list | remove | default | set-secret | rotate | update``."""
    actions = group(
        sub,
        "profile",
        "manage profiles (client id and base URL; the secret goes to the keyring)",
        "Manage profiles. Client secrets are kept in the system keyring, never in the config "
        "file, and are read from standard input or a hidden prompt, never from arguments.",
        "profile_command",
    )
    add_parser = leaf(
        actions, "add", "add a profile; the secret is read from stdin or a hidden prompt"
    )
    add_parser.add_argument("name", metavar="NAME")
    add_parser.add_argument(
        "--client-id", required=True, metavar="ID", help="the client id from Onna"
    )
    add_parser.add_argument(
        "--org", metavar="ORG", help="your organization (the ORG of enterprise.onna.com/ORG)"
    )
    add_parser.add_argument("--default", action="store_true", help="make it the default profile")
    add_parser.add_argument(
        "--no-verify",
        action="store_true",
        help="save without exchanging the credentials for a token first",
    )
    add_parser.set_defaults(handler=add)

    list_parser = leaf(actions, "list", "list profiles and the time left on their cached tokens")
    add_json(list_parser, "the profiles")
    list_parser.set_defaults(handler=profile_list.list_profiles)

    remove_parser = leaf(actions, "remove", "remove a profile and its secret and cached token")
    remove_parser.add_argument("name", metavar="NAME")
    remove_parser.add_argument(
        "--force",
        action="store_true",
        help="remove the profile even if the keyring cannot be reached (the secret may remain)",
    )
    remove_parser.set_defaults(handler=remove)

    default_parser = leaf(actions, "default", "make a profile the default")
    default_parser.add_argument("name", metavar="NAME")
    default_parser.set_defaults(handler=set_default)
    register_credential_changes(actions)


def add(ctx: Context) -> int:
    from onna_tui.profiles.resolve import ENV_BASE_URL
    from onna_tui.storage.config_file import Profile

    args = ctx.args
    name = validate_profile_name(args.name)
    config = ctx.store.load()
    if name in config.profiles:
        raise ConfigError(
            f"A profile named {name!r} already exists. Replace its secret with "
            f"`onna-tui profile set-secret {name}`, change it with `onna-tui profile update "
            f"{name}`, or remove it first with `onna-tui profile remove {name}`."
        )
    base_url = check_base_url(
        base_url_option(ctx) or os.environ.get(ENV_BASE_URL, "").strip() or DEFAULT_BASE_URL
    )
    profile = Profile.new(name, args.client_id, base_url, args.org, clock=ctx.clock)
    # Find out about a missing, refused or locked keyring before asking for the secret.
    scoped_vault(ctx, config, profile).check(profile.base_url, profile.client_id)
    secret = read_client_secret(
        f"Client secret for {profile.client_id} (input hidden): ",
        f"onna-tui profile add {name} --client-id {profile.client_id}",
    )
    saved, token = verify_and_save(
        ctx, profile, secret, verify=not args.no_verify, make_default=args.default
    )
    saved_message(ctx, saved, token, "Added")
    if ctx.store.load().default == name:
        out(f"{name!r} is the default profile.")
    return 0


def remove(ctx: Context) -> int:
    from onna_tui.profiles.manage import remove_profile

    name = ctx.args.name
    before = ctx.store.load()
    profile, problem = remove_profile(ctx.store, ctx.vault, name, force=ctx.args.force)
    out(f"Removed profile {profile.name!r}.")
    if problem is not None:
        note(
            f"The keyring could not be cleaned up, so its client secret may still be stored: "
            f"{problem}"
        )
    after = ctx.store.load()
    if before.default == name:
        if after.default:
            out(f"{after.default!r} is now the default profile.")
        elif after.profiles:
            out("There is no default profile now: choose one with `onna-tui profile default NAME`.")
    return 0


def set_default(ctx: Context) -> int:
    ctx.store.set_default(ctx.args.name)
    out(f"{ctx.args.name!r} is now the default profile.")
    return 0
