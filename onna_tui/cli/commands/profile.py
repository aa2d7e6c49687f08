"""`onna-tui profile ...`: add, list, remove, choose the default, replace a secret, update.

A secret is stored only after Onna accepted it (a token exchange at the
profile's base URL) unless ``--no-verify``; on failure nothing changes. The
token minted by that check is cached, so the next ``onna-tui token`` is free.

These commands are synchronous (the vault's blocking calls are time-bounded
too); only the exchange-and-save step runs in ``asyncio.run``. The secret is
read before that, outside the event loop, so a single Ctrl-C at the hidden
prompt ends the command at once and leaves the terminal as it was.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING, Any

from onna_tui.cli.commands import profile_list
from onna_tui.cli.context import Context, read_client_secret
from onna_tui.cli.errors import UsageError, remember_secret
from onna_tui.cli.options import Subcommands, add_json, group, leaf
from onna_tui.cli.output import note, out
from onna_tui.core.errors import ConfigError
from onna_tui.core.formatting import human_duration
from onna_tui.core.profile_rules import validate_profile_name
from onna_tui.core.urls import DEFAULT_BASE_URL, normalize_base_url

if TYPE_CHECKING:
    from pydantic import SecretStr

    from onna_tui.core.tokens import AccessToken, Credentials
    from onna_tui.storage.config_file import Config, Profile
    from onna_tui.storage.keyring.vault import Vault


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
    _register_credential_changes(actions)


def _register_credential_changes(actions: Subcommands[argparse.ArgumentParser]) -> None:
    """``profile set-secret``, ``rotate`` and ``update``."""
    set_secret_parser = leaf(
        actions, "set-secret", "replace a profile's client secret (stdin or a hidden prompt)"
    )
    set_secret_parser.add_argument("name", metavar="NAME")
    set_secret_parser.add_argument(
        "--no-verify", action="store_true", help="save without exchanging the credentials first"
    )
    set_secret_parser.set_defaults(handler=set_secret)

    rotate_parser = leaf(
        actions,
        "rotate",
        "replace a profile's credentials with new ones made in Onna's Platform API app "
        "(verified first), then say to delete the old ones",
    )
    rotate_parser.add_argument("name", metavar="NAME")
    rotate_parser.add_argument(
        "--client-id", metavar="ID", help="the new credentials' client id (asked when omitted)"
    )
    rotate_parser.set_defaults(handler=rotate)

    update_parser = leaf(
        actions, "update", "change a profile's client id, base URL (--base-url) or org"
    )
    update_parser.add_argument("name", metavar="NAME")
    update_parser.add_argument(
        "--client-id", metavar="ID", help="new client id (asks for its secret)"
    )
    update_parser.add_argument("--org", metavar="ORG", help="new organization ('' clears it)")
    update_parser.add_argument(
        "--keep-secret",
        action="store_true",
        help="with --base-url: send the stored client secret to the new base URL (to verify it "
        "there, unless --no-verify) instead of asking for it again",
    )
    update_parser.add_argument(
        "--no-verify", action="store_true", help="save without exchanging the credentials first"
    )
    update_parser.set_defaults(handler=update)


def _stored_profile(config: Config, name: str) -> Profile:
    """The profile called ``name``, or the error that lists the ones there are."""
    from onna_tui.storage.config_file import profile_not_found

    profile = config.profiles.get(name)
    if profile is None:
        raise profile_not_found(name, config)
    return profile


def _scoped_vault(ctx: Context, config: Config, profile: Profile) -> Vault:
    from onna_tui.profiles.manage import scoped_vault

    return scoped_vault(ctx.vault, config, profile)


def _check_base_url(url: str) -> str:
    # The base-URL policy (https, or http to loopback only) applies before
    # anything is saved: a profile that could never be used is refused up front.
    return normalize_base_url(url)


def _base_url_option(ctx: Context) -> str | None:
    """``--base-url`` as given; an empty or blank one is a mistake, never "the default"."""
    given = getattr(ctx.args, "base_url", None)  # as typed: the Context drops an empty one
    if isinstance(given, str) and not given.strip():
        raise UsageError(
            f"--base-url is empty. Give the API root, like {DEFAULT_BASE_URL}, or leave the "
            "option out."
        )
    return ctx.base_url_override


async def _averify_and_save(
    ctx: Context,
    profile: Profile,
    secret: SecretStr,
    *,
    verify: bool,
    make_default: bool = False,
) -> tuple[Profile, AccessToken | None]:
    """Exchange the credentials (unless told not to), then store the secret and profile."""
    from onna_tui.api.http import make_http_client
    from onna_tui.api.tokens import exchange_credentials
    from onna_tui.profiles.manage import save_profile_secret

    minted: list[AccessToken] = []
    async with make_http_client() as http:

        async def check(credentials: Credentials) -> object:
            token = await exchange_credentials(http, profile.base_url, credentials, ctx.clock)
            remember_secret(token.access_token)
            minted.append(token)
            return token

        saved = await save_profile_secret(
            ctx.store,
            ctx.vault,
            profile,
            secret,
            check if verify else None,
            clock=ctx.clock,
            make_default=make_default,
        )
    token = minted[0] if minted else None
    return saved, token


def _verify_and_save(
    ctx: Context, profile: Profile, secret: SecretStr, *, verify: bool, make_default: bool = False
) -> tuple[Profile, AccessToken | None]:
    return asyncio.run(
        _averify_and_save(ctx, profile, secret, verify=verify, make_default=make_default)
    )


def _saved_message(ctx: Context, profile: Profile, token: AccessToken | None, verb: str) -> None:
    where = _scoped_vault(ctx, ctx.store.load(), profile).backend_description()
    out(
        f"{verb} profile {profile.name!r}: client id {profile.client_id} at {profile.base_url}. "
        f"The client secret is in the keyring ({where})."
    )
    if token is not None:
        out(
            "Verified: Onna issued an access token "
            f"(valid for {human_duration(token.expires_in)}; cached for `onna-tui token`)."
        )
    else:
        out("Not verified (--no-verify): the first command that needs a token will tell.")


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
    base_url = _check_base_url(
        _base_url_option(ctx) or os.environ.get(ENV_BASE_URL, "").strip() or DEFAULT_BASE_URL
    )
    profile = Profile.new(name, args.client_id, base_url, args.org, clock=ctx.clock)
    # Find out about a missing, refused or locked keyring before asking for the secret.
    _scoped_vault(ctx, config, profile).check(profile.base_url, profile.client_id)
    secret = read_client_secret(
        f"Client secret for {profile.client_id} (input hidden): ",
        f"onna-tui profile add {name} --client-id {profile.client_id}",
    )
    saved, token = _verify_and_save(
        ctx, profile, secret, verify=not args.no_verify, make_default=args.default
    )
    _saved_message(ctx, saved, token, "Added")
    if ctx.store.load().default == name:
        out(f"{name!r} is the default profile.")
    return 0


def set_secret(ctx: Context) -> int:
    args = ctx.args
    config = ctx.store.load()
    profile = _stored_profile(config, args.name)
    _check_base_url(profile.base_url)
    _scoped_vault(ctx, config, profile).check(profile.base_url, profile.client_id)
    secret = read_client_secret(
        f"New client secret for {profile.client_id} (input hidden): ",
        f"onna-tui profile set-secret {profile.name}",
    )
    saved, token = _verify_and_save(ctx, profile, secret, verify=not args.no_verify)
    _saved_message(ctx, saved, token, "Updated")
    return 0


def update(ctx: Context) -> int:
    """Change a profile's client id, base URL or org. New credentials need their secret, and
    a secret goes to a new base URL only when entered again or with --keep-secret."""
    args = ctx.args
    keep_secret = bool(getattr(args, "keep_secret", False))
    config = ctx.store.load()
    old = _stored_profile(config, args.name)
    changes: dict[str, Any] = {}
    if args.client_id is not None and args.client_id != old.client_id:
        changes["client_id"] = args.client_id
    base_url = _base_url_option(ctx)
    if base_url is not None:
        new_url = _check_base_url(base_url)
        if new_url != old.base_url:
            changes["base_url"] = new_url
    if args.org is not None:
        changes["org"] = args.org or None
    if keep_secret and "base_url" not in changes:
        raise UsageError(
            "--keep-secret applies only when --base-url moves the profile to a new base URL."
        )
    if not changes:
        raise UsageError(
            "Nothing to change: pass --client-id, --base-url or --org (an empty --org '' "
            "clears it)."
        )
    from onna_tui.profiles.manage import stored_secret_may_follow

    changed = old.changed(ctx.clock, **changes)
    if "client_id" not in changes and "base_url" not in changes:
        saved = ctx.store.update(old.name, **changes)
        out(f"Updated profile {saved.name!r}.")
        return 0

    old_vault = _scoped_vault(ctx, config, old)
    new_vault = _scoped_vault(ctx, config, changed)
    new_vault.check(changed.base_url, changed.client_id)
    secret: SecretStr | None = None
    if stored_secret_may_follow(old, changed, keep_secret=keep_secret):
        # --keep-secret: the person said the stored secret may go to the new URL.
        secret = old_vault.get_secret(old.base_url, old.client_id)
    if secret is None:
        hint = f" --base-url {changed.base_url}" if "base_url" in changes else ""
        if "client_id" in changes:
            hint += f" --client-id {changed.client_id}"
        secret = read_client_secret(
            f"Client secret for {changed.client_id} at {changed.base_url} (input hidden): ",
            f"onna-tui profile update {old.name}{hint}",
        )
    remember_secret(secret)
    saved, token = _verify_and_save(ctx, changed, secret, verify=not args.no_verify)
    _forget_old_entries(ctx, old)
    _saved_message(ctx, saved, token, "Updated")
    return 0


def _forget_old_entries(ctx: Context, old: Profile) -> None:
    """Remove the old credentials' keyring entries, unless another profile still uses them."""
    from onna_tui.profiles.manage import forget_replaced, old_secret_not_removed

    problem = forget_replaced(ctx.store, ctx.vault, old)
    if problem is not None:
        note(old_secret_not_removed(problem))


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


def rotate(ctx: Context) -> int:
    """Onna's rotation, guided: new credentials in, verified, swapped, and a reminder to
    delete the old ones (they keep working until someone does)."""
    args = ctx.args
    config = ctx.store.load()
    old = _stored_profile(config, args.name)
    _check_base_url(old.base_url)
    interactive = sys.stdin is not None and sys.stdin.isatty()
    new_id = args.client_id
    if new_id is None and not interactive:
        raise UsageError(
            "Pass the new credentials' client id with --client-id (standard input is not a "
            "terminal, so it cannot be asked for); the secret comes on standard input."
        )
    note(f"Rotating profile {old.name!r} (client id {old.client_id} at {old.base_url}):")
    note("  1. In Onna's Platform API app, create new credentials and copy the client secret")
    note("     (it is shown only once).")
    note("  2. Give the new client id and secret here: they are exchanged for a token before")
    note("     anything stored is replaced.")
    note("  3. Then delete the old credentials in the Platform API app.")
    if new_id is None:
        try:
            new_id = input("New client id: ").strip()
        except EOFError:
            new_id = ""
        if not new_id:
            raise UsageError("No client id was entered; nothing was changed.")
    changed = old.changed(ctx.clock, client_id=new_id) if new_id != old.client_id else old
    _scoped_vault(ctx, config, changed).check(changed.base_url, changed.client_id)
    secret = read_client_secret(
        f"New client secret for {changed.client_id} (input hidden): ",
        f"onna-tui profile rotate {old.name} --client-id {changed.client_id}",
    )
    saved, token = _verify_and_save(ctx, changed, secret, verify=True)
    if changed.client_id != old.client_id:
        _forget_old_entries(ctx, old)
    _saved_message(ctx, saved, token, "Rotated")
    if changed.client_id != old.client_id:
        out(
            f"Now delete the old credentials (client id {old.client_id}) in Onna's Platform "
            "API app: they keep working until they are deleted."
        )
    else:
        out(
            "The client id is the same, so Onna regenerated the secret of these credentials: "
            "the old secret no longer matters."
        )
    return 0
