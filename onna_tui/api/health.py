"""GET /health.

The document's global security covers it and its sample sends a bearer token, so the
token at hand goes along when there is one; none is minted just for this. A 401 is
HealthNeedsToken, not an outage (and a refused token at hand is dropped).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import httpx

from onna_tui.api.bearer import authorize
from onna_tui.api.errors import HealthNeedsToken
from onna_tui.api.requester import Requester
from onna_tui.api.responses import parse_model, request_id_of
from onna_tui.api.sending import paused, read_refused
from onna_tui.api.tokens import TokenManager
from onna_tui.core.urls import host_of
from onna_tui.core.wire.health import Health


class TokenAtHandAuth(httpx.Auth):
    """The token at hand, if any, and never a mint; a 401 raises HealthNeedsToken."""

    def __init__(self, tokens: TokenManager | None, host: str) -> None:
        self.tokens = tokens
        self.host = host

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        with paused(request):
            token = await self.tokens.at_hand() if self.tokens is not None else None
        if token is not None:
            authorize(request, token)
        response = yield request
        if response.status_code != 401:
            return
        await read_refused(response)
        if token is None or self.tokens is None:
            raise HealthNeedsToken(
                f"{self.host} answered the health check with 401: health needs a token there, "
                "and none is at hand. Get one (`onna-tui token`, or n on the Token screen) "
                "and check again; this is not an outage.",
                status=401,
                request_id=request_id_of(response),
            )
        with paused(request):
            await self.tokens.invalidate(token)
        raise HealthNeedsToken(
            f"{self.host} answered the health check with 401: health needs a valid token there, "
            "and it refused the one at hand (revoked or expired at the server). It has been "
            "dropped; get a new token and check again. This is not an outage.",
            status=401,
            request_id=request_id_of(response),
        )


async def health(api: Requester) -> Health:
    """GET /health with the token at hand, if any."""
    auth = TokenAtHandAuth(api.tokens, host_of(f"{api.base_url}/health"))
    response = await api.send("GET", "/health", action="check the API health", auth=auth)
    return parse_model(Health, response)
