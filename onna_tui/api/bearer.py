"""Bearer auth for httpx: every request carries the token manager's token.

Onna tokens cannot be refreshed; a 401 means "mint again". So on a 401 the refused
token is dropped from the shared cache (no process hands it out again), one new token
is minted and the request is sent once more. A 401 to that is returned as it is: the
caller words it with ``refused_fresh_token`` (it is not an expiry). Under api.sending,
each attempt has the whole deadline and token work does not count against it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator

import httpx

from onna_tui.api.errors import Unauthorized
from onna_tui.api.responses import request_id_of
from onna_tui.api.sending import paused, read_refused
from onna_tui.api.tokens import TokenManager
from onna_tui.core.tokens import AccessToken


def authorize(request: httpx.Request, token: AccessToken) -> None:
    """Put ``token`` on ``request``."""
    request.headers["Authorization"] = token.authorization_header()


class BearerAuth(httpx.Auth):
    """The token manager's token on every request; one re-mint and retry after a 401."""

    def __init__(self, tokens: TokenManager) -> None:
        self.tokens = tokens

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        # The token manager mints through the process's AsyncClient, so a blocking
        # client cannot get a token from it; say so instead of sending none.
        raise RuntimeError("BearerAuth needs an httpx.AsyncClient: its tokens are minted async")
        yield request  # pragma: no cover - makes this a generator

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        with paused(request):
            token = await self.tokens.get()
        authorize(request, token)
        response = yield request
        if response.status_code != 401:
            return
        # Expired or revoked early: mint once and retry once.
        await read_refused(response)
        with paused(request):
            await self.tokens.invalidate(token)
            fresh = await self.tokens.get()
        authorize(request, fresh)
        yield request


def refused_fresh_token(response: httpx.Response, action: str) -> Unauthorized:
    """A 401 after BearerAuth re-minted: the credentials may not make this call."""
    return Unauthorized(
        f"Onna accepted the client credentials and issued a new token, but refused "
        f"that token when trying to {action}: these credentials are not authorized "
        "for this call (this is not an expiry). Ask an Onna admin to check the "
        "developer role and permissions of the user who owns these credentials.",
        status=401,
        request_id=request_id_of(response),
    )
