"""`onna-tui token` and `onna-tui status`: the access token for scripts, and where things stand.

``token`` reuses the token cached in the keyring (shared with the TUI and other
processes) while it has more than the renewal margin left, so a script may call
it as often as it likes; ``--new`` mints a fresh one whatever the cache holds.
The cached path trusts the clock and asks the server nothing (nor imports
httpx): a token the server refused early is dropped from the cache by whichever
command meets the 401 (`status` included), and the next ``token`` mints.
``status`` never mints a token unless ``--check`` asks it to prove the
credentials work (the new token then replaces the cached one).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from onna_tui.cli.context import Context, connect
from onna_tui.cli.errors import remember_secret
from onna_tui.cli.options import Subcommands, add_json, leaf
from onna_tui.cli.output import emit_json, key_values, note, out
from onna_tui.core.formatting import human_duration, iso
from onna_tui.core.profile_rules import (
    DEFAULT_SECRET_MAX_AGE_DAYS,
    secret_age_days,
    secret_is_old,
)
from onna_tui.core.token_rules import RENEWAL_MARGIN
from onna_tui.errors import OnnaTuiError

if TYPE_CHECKING:
    from datetime import datetime

    from onna_tui.core.tokens import AccessToken
    from onna_tui.core.wire.auth import CurrentUser
    from onna_tui.profiles.resolve import ResolvedProfile


def register(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """``onna-tui token`` and ``onna-tui status``."""
    token_parser = leaf(
        sub,
        "token",
        "print a valid access token (cached and reused until about a minute before expiry)",
    )
    token_parser.add_argument(
        "--new",
        action="store_true",
        help="mint a new token even if the cached one has time left (for example after the "
        "server refused it); it replaces the cached one",
    )
    add_json(token_parser, "the token with its type and expiry")
    token_parser.set_defaults(handler=token)

    status_parser = leaf(
        sub, "status", "show the profile, where its secret is, and the token's state"
    )
    status_parser.add_argument(
        "--check",
        action="store_true",
        help="exchange the credentials for a new token to prove they work",
    )
    add_json(status_parser, "the status")
    status_parser.set_defaults(handler=status)


async def _fresh_cached_token(ctx: Context) -> AccessToken | None:
    """A cached token that needs no renewal, read without loading the HTTP stack."""
    from onna_tui.profiles.session import token_cache_for
    from onna_tui.storage.keyring.errors import VaultError

    resolved = await ctx.resolve()
    if resolved.credentials is None:
        return None
    try:
        cached = await token_cache_for(resolved, ctx.vault).load()
    except VaultError:
        return None  # the full path below reports keyring trouble properly
    return cached if cached is not None and cached.is_fresh(ctx.clock()) else None


async def token(ctx: Context) -> int:
    new = bool(getattr(ctx.args, "new", False))
    access = None if new else await _fresh_cached_token(ctx)
    if access is None:
        async with connect(ctx) as client:
            manager = client.require_tokens()
            access = await (manager.mint() if new else manager.get())
            if manager.cache_problem:
                note(
                    "The token works but could not be cached for next time: "
                    f"{manager.cache_problem}"
                )
    remember_secret(access.access_token)
    if ctx.as_json:
        emit_json(
            {
                "access_token": access.access_token.get_secret_value(),
                "token_type": access.token_type,
                "expires_at": iso(access.expires_at),
                "expires_in": access.seconds_left(ctx.clock()),
            }
        )
    else:
        out(access.access_token.get_secret_value())
    return 0


def _user_json(user: CurrentUser | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.id,
        "account_id": user.account_id,
        "name": user.name,
        "surname": user.surname,
    }


def _token_json(access: AccessToken | None, ctx: Context) -> dict[str, Any]:
    from onna_tui.core.tokens import token_state

    now = ctx.clock()
    return {
        "state": token_state(access, now, RENEWAL_MARGIN),
        "seconds_left": access.seconds_left(now) if access is not None else None,
        "expires_at": iso(access.expires_at) if access is not None else None,
        "fingerprint": access.fingerprint if access is not None else None,
    }


def _secret_json(resolved: ResolvedProfile, now: datetime, max_age_days: int) -> dict[str, Any]:
    set_at = resolved.profile.secret_set_at if resolved.profile is not None else None
    return {
        "stored": resolved.credentials is not None,
        "source": resolved.secret_source,
        "location": resolved.storage_description,
        "insecure": resolved.insecure,
        "set_at": iso(set_at),
        "age_days": secret_age_days(set_at, now),
        "old": secret_is_old(set_at, now, max_age_days),
    }


def _status_report(ctx: Context, resolved: ResolvedProfile) -> dict[str, Any]:
    """What ``status`` reports before anything is asked of the keyring or the server."""
    config = ctx.store.load() if resolved.profile is not None else None
    return {
        "profile": resolved.name,
        "default": config is not None and config.default == resolved.name,
        "from_environment": resolved.profile is None,
        "base_url": resolved.base_url,
        "client_id": resolved.client_id,
        "org": resolved.org,
        "overridden": list(resolved.overridden),
        "secret": _secret_json(
            resolved,
            ctx.clock(),
            config.secret_max_age_days if config is not None else DEFAULT_SECRET_MAX_AGE_DAYS,
        ),
        "token": None,
        "token_problem": None,
        "user": None,
        "user_problem": None,
        "check": None,
    }


async def _add_token_and_user(
    ctx: Context, resolved: ResolvedProfile, report: dict[str, Any]
) -> int:
    """The cached token (a new one with --check) and whose it is, into ``report``; the exit
    code a failed --check ends with (0 otherwise)."""
    from onna_tui.api.errors import OnnaError, TokenRefused
    from onna_tui.api.http import make_http_client
    from onna_tui.profiles.session import current_user_with, open_client, token_cache_for
    from onna_tui.storage.keyring.errors import VaultError

    exit_code = 0
    async with make_http_client() as http:
        client = open_client(resolved, http=http, clock=ctx.clock, vault=ctx.vault)
        access: AccessToken | None = None
        cache = token_cache_for(resolved, ctx.vault)
        try:
            access = await cache.load()
        except VaultError as exc:
            report["token_problem"] = ctx.describe(exc)
        if ctx.args.check:
            try:
                resolved.require_credentials()
                access = await client.require_tokens().mint()
                report["check"] = {"ok": True, "error": None}
            except OnnaTuiError as exc:  # no secret, refused, unreachable, keyring
                report["check"] = {"ok": False, "error": ctx.describe(exc)}
                exit_code = exc.exit_code
        if access is not None:
            remember_secret(access.access_token)
        report["token"] = _token_json(access, ctx)
        if access is not None and report["token"]["state"] in ("valid", "expiring"):
            try:
                report["user"] = _user_json(await current_user_with(client, access, cache))
            except TokenRefused as exc:
                # Alive by the clock, refused by the server; current_user_with has
                # dropped it from the cache, so every process mints anew.
                report["token"]["state"] = "refused"
                report["user_problem"] = ctx.describe(exc)
            except OnnaError as exc:
                report["user_problem"] = ctx.describe(exc)
    return exit_code


async def status(ctx: Context) -> int:
    resolved = await ctx.resolve()
    report = _status_report(ctx, resolved)
    exit_code = await _add_token_and_user(ctx, resolved, report)
    if ctx.as_json:
        emit_json(report)
    else:
        _print_status(report, resolved)
    if report["check"] is not None and not report["check"]["ok"]:
        note(report["check"]["error"])
    return exit_code


def _print_status(report: dict[str, Any], resolved: ResolvedProfile) -> None:
    from onna_tui.profiles.resolve import ENV_CLIENT_SECRET

    if report["from_environment"]:
        profile = f"{report['profile']} (ONNA_CLIENT_ID and {ENV_CLIENT_SECRET}, no stored profile)"
    else:
        profile = report["profile"] + (" (default)" if report["default"] else "")
    pairs = [("Profile", profile), ("Base URL", report["base_url"])]
    pairs.append(("Client id", report["client_id"]))
    if report["org"]:
        pairs.append(("Org", report["org"]))
    if report["overridden"] and not report["from_environment"]:
        pairs.append(("Overridden by", ", ".join(report["overridden"])))
    pairs.append(("Secret", _secret_line(report["secret"], resolved.name)))
    pairs.append(("Token", _token_line(report["token"], report["token_problem"])))
    user = report["user"]
    if user is not None:
        name = " ".join(part for part in (user["name"], user["surname"]) if part)
        pairs.append(("User", f"{name} <{user['id']}>, account {user['account_id']}"))
    elif report["user_problem"]:
        pairs.append(("User", f"unknown: {report['user_problem']}"))
    check = report["check"]
    if check is not None:
        pairs.append(
            ("Check", "ok: Onna exchanged the credentials for a new token")
            if check["ok"]
            else ("Check", "FAILED (the reason is on stderr)")
        )
    for line in key_values(pairs):
        out(line)


def _secret_line(secret: dict[str, Any], name: str) -> str:
    """Where the client secret is kept, and whether it is old enough to rotate."""
    if not secret["stored"]:
        return f"not stored — run `onna-tui profile set-secret {name}`"
    where = str(secret["location"])
    if secret["insecure"]:
        where += " (not a secure store; opted in)"
    if secret["age_days"] is not None:
        days = secret["age_days"]
        where = f"stored {days} day{'s' if days != 1 else ''} ago in {where}"
        if secret["old"]:
            where += f" — old: rotate with `onna-tui profile rotate {name}`"
    return where


def _token_line(tok: dict[str, Any], problem: str | None) -> str:
    """The cached token's state, as the status report's Token line says it."""
    if problem:
        return f"unknown ({problem})"
    if tok["state"] == "none":
        return "none cached (`onna-tui token` or `onna-tui status --check` gets one)"
    if tok["state"] == "expired":
        return f"expired at {tok['expires_at']}"
    if tok["state"] == "refused":
        return (
            f"refused by the server (revoked or expired there, though {tok['seconds_left']} s "
            "were left by the clock); dropped from the cache, the next `onna-tui token` "
            "mints a new one"
        )
    left = human_duration(tok["seconds_left"])
    return f"{tok['state']}, {tok['seconds_left']} s left ({left}), expires {tok['expires_at']}"
