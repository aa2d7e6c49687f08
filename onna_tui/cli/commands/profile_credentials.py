"""`onna-tui profile set-secret | rotate | update`: new credentials for a stored profile.

Each asks for the secret (stdin or a hidden prompt, never an argument),
verifies it with Onna unless ``--no-verify``, saves it, and removes the old
credentials' keyring entries unless another profile still uses them.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from onna_tui.cli.commands.profile_save import (
    base_url_option,
    check_base_url,
    saved_message,
    scoped_vault,
    stored_profile,
    verify_and_save,
)
from onna_tui.cli.context import Context, read_client_secret
from onna_tui.cli.errors import UsageError, remember_secret
from onna_tui.cli.options import Subcommands, leaf
from onna_tui.cli.output import note, out

if TYPE_CHECKING:
    from pydantic import SecretStr

    from onna_tui.storage.config_file import Profile


def register_credential_changes(actions: Subcommands[argparse.ArgumentParser]) -> None:
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


def set_secret(ctx: Context) -> int:
    args = ctx.args
    config = ctx.store.load()
    profile = stored_profile(config, args.name)
    check_base_url(profile.base_url)
    scoped_vault(ctx, config, profile).check(profile.base_url, profile.client_id)
    secret = read_client_secret(
        f"New client secret for {profile.client_id} (input hidden): ",
        f"onna-tui profile set-secret {profile.name}",
    )
    saved, token = verify_and_save(ctx, profile, secret, verify=not args.no_verify)
    saved_message(ctx, saved, token, "Updated")
    return 0


def update(ctx: Context) -> int:
    """Change a profile's client id, base URL or org. New credentials need their secret, and
    a secret goes to a new base URL only when entered again or with --keep-secret."""
    args = ctx.args
    keep_secret = bool(getattr(args, "keep_secret", False))
    config = ctx.store.load()
    old = stored_profile(config, args.name)
    changes: dict[str, Any] = {}
    if args.client_id is not None and args.client_id != old.client_id:
        changes["client_id"] = args.client_id
    base_url = base_url_option(ctx)
    if base_url is not None:
        new_url = check_base_url(base_url)
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

    old_vault = scoped_vault(ctx, config, old)
    new_vault = scoped_vault(ctx, config, changed)
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
    saved, token = verify_and_save(ctx, changed, secret, verify=not args.no_verify)
    _forget_old_entries(ctx, old)
    saved_message(ctx, saved, token, "Updated")
    return 0


def _forget_old_entries(ctx: Context, old: Profile) -> None:
    """Remove the old credentials' keyring entries, unless another profile still uses them."""
    from onna_tui.profiles.manage import forget_replaced, old_secret_not_removed

    problem = forget_replaced(ctx.store, ctx.vault, old)
    if problem is not None:
        note(old_secret_not_removed(problem))


def rotate(ctx: Context) -> int:
    """Onna's rotation, guided: new credentials in, verified, swapped, and a reminder to
    delete the old ones (they keep working until someone does)."""
    args = ctx.args
    config = ctx.store.load()
    old = stored_profile(config, args.name)
    check_base_url(old.base_url)
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
    scoped_vault(ctx, config, changed).check(changed.base_url, changed.client_id)
    secret = read_client_secret(
        f"New client secret for {changed.client_id} (input hidden): ",
        f"onna-tui profile rotate {old.name} --client-id {changed.client_id}",
    )
    saved, token = verify_and_save(ctx, changed, secret, verify=True)
    if changed.client_id != old.client_id:
        _forget_old_entries(ctx, old)
    saved_message(ctx, saved, token, "Rotated")
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
