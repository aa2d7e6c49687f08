"""What the `onna-tui profile` commands share: find a profile, check a URL, verify and save.

A secret is stored only after Onna accepted it (a token exchange at the
profile's base URL) unless ``--no-verify``; on failure nothing changes. The
token minted by that check is cached, so the next ``onna-tui token`` is free.
Only the exchange-and-save step runs in ``asyncio.run``: the secret is read
before it, outside the event loop.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from onna_tui.cli.context import Context
from onna_tui.cli.errors import UsageError, remember_secret
from onna_tui.cli.output import out
from onna_tui.core.formatting import human_duration
from onna_tui.core.urls import DEFAULT_BASE_URL, normalize_base_url

if TYPE_CHECKING:
    from pydantic import SecretStr

    from onna_tui.core.tokens import AccessToken, Credentials
    from onna_tui.storage.config_file import Config, Profile
    from onna_tui.storage.keyring.vault import Vault


def stored_profile(config: Config, name: str) -> Profile:
    """The profile called ``name``, or the error that lists the ones there are."""
    from onna_tui.storage.config_file import profile_not_found

    profile = config.profiles.get(name)
    if profile is None:
        raise profile_not_found(name, config)
    return profile


def scoped_vault(ctx: Context, config: Config, profile: Profile) -> Vault:
    from onna_tui.profiles.manage import scoped_vault

    return scoped_vault(ctx.vault, config, profile)


def check_base_url(url: str) -> str:
    # The base-URL policy (https, or http to loopback only) applies before
    # anything is saved: a profile that could never be used is refused up front.
    return normalize_base_url(url)


def base_url_option(ctx: Context) -> str | None:
    """``--base-url`` as given; an empty or blank one is a mistake, never "the default"."""
    given = getattr(ctx.args, "base_url", None)  # as typed: the Context drops an empty one
    if isinstance(given, str) and not given.strip():
        raise UsageError(
            f"--base-url is empty. Give the API root, like {DEFAULT_BASE_URL}, or leave the "
            "option out."
        )
    return ctx.base_url_override


async def averify_and_save(
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


def verify_and_save(
    ctx: Context, profile: Profile, secret: SecretStr, *, verify: bool, make_default: bool = False
) -> tuple[Profile, AccessToken | None]:
    return asyncio.run(
        averify_and_save(ctx, profile, secret, verify=verify, make_default=make_default)
    )


def saved_message(ctx: Context, profile: Profile, token: AccessToken | None, verb: str) -> None:
    where = scoped_vault(ctx, ctx.store.load(), profile).backend_description()
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
