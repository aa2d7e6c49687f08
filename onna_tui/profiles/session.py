"""Building an OnnaClient for a resolved profile, shared by the CLI and the TUI.

``open_client`` is the one place that decides which token cache a run uses:
the vault (so the TUI, ``onna-tui token`` and other processes share one token
per profile) unless the secret came from the environment, in which case the
token stays in this process's memory and nothing is written anywhere.

Also here: the user lookup that status displays make with exactly the token at
hand. No argparse, no printing, no textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onna_tui.api.cache import MemoryTokenCache, TokenCache
from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.token_rules import RENEWAL_MARGIN
from onna_tui.core.tokens import AccessToken
from onna_tui.core.wire.auth import CurrentUser

if TYPE_CHECKING:
    # httpx and the client load only when a command really talks to the API, so a
    # cached `onna-tui token` answers without importing them.
    import httpx

    from onna_tui.api.client import OnnaClient
    from onna_tui.profiles.resolve import ResolvedProfile
    from onna_tui.storage.keyring.vault import Vault


def token_cache_for(resolved: ResolvedProfile, vault: Vault | None = None) -> TokenCache:
    """Where a run keeps its token: the vault, or memory for environment credentials."""
    if vault is None and resolved.secret_source != "environment":
        from onna_tui.storage.keyring.vault import Vault

        vault = Vault()
    return resolved.token_cache(vault) if vault is not None else MemoryTokenCache()


def open_client(
    resolved: ResolvedProfile,
    *,
    http: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock = system_clock,
    vault: Vault | None = None,
    margin: float = RENEWAL_MARGIN,
    renew_early: bool = True,
) -> OnnaClient:
    """An OnnaClient for ``resolved`` with the right token cache.

    Pass ``http`` to share one AsyncClient per process (the caller closes it);
    otherwise the client owns one built on ``transport``. When the profile has
    no secret, ``client.tokens`` is None and authenticated calls raise a
    ConfigError that says how to add one.
    """
    from onna_tui.api.client import OnnaClient

    cache = token_cache_for(resolved, vault) if resolved.credentials is not None else None
    return OnnaClient(
        resolved.base_url,
        resolved.credentials,
        http=http,
        transport=transport,
        token_cache=cache,
        clock=clock,
        margin=margin,
        renew_early=renew_early,
    )


async def forget_refused(
    client: OnnaClient, token: AccessToken, cache: TokenCache | None = None
) -> None:
    """The server refused ``token``: drop it from the shared cache (and the client's
    memory), unless the cache already holds another token. Every process then sees
    it gone, so `onna-tui token` stops printing it."""
    if client.tokens is not None:
        await client.tokens.invalidate(token)
        return
    if cache is None:
        return
    try:
        cached = await cache.load()
        if cached is not None and cached.access_token == token.access_token:
            await cache.clear()
    except Exception:  # the keyring failed: the token just stays until it expires
        pass


async def current_user_with(
    client: OnnaClient, token: AccessToken, cache: TokenCache | None = None
) -> CurrentUser:
    """GET /oauth/user with exactly ``token``: never mints, never retries.

    For status displays, which must not create a token as a side effect. A
    refused token (401) is dropped from the token cache (the client's, or
    ``cache`` when the client has no credentials) and raises TokenRefused;
    network trouble raises a NetworkError.
    """
    from onna_tui.api.errors import TokenRefused
    from onna_tui.api.http import (
        parse_model,
        problem_of,
        request_id_of,
        response_error,
        send,
        server_said,
    )

    action = "read the current user"
    response = await send(
        client.http,
        "GET",
        f"{client.base_url}/oauth/user",
        action=action,
        limits=client.limits,
        headers={"Authorization": token.authorization_header()},
    )
    if response.status_code == 401:
        await forget_refused(client, token, cache)
        problem = problem_of(response)
        raise TokenRefused(
            "Onna refused the access token although it has not expired by this machine's "
            f"clock: it was revoked or expired at the server.{server_said(problem)} It has been "
            "dropped from the token cache, so the next `onna-tui token` or API call gets a "
            "new one.",
            status=401,
            request_id=request_id_of(response, problem),
            code=problem.code,
        )
    if response.status_code != 200:
        raise response_error(response, action=action, clock=client.clock)
    return parse_model(CurrentUser, response)
