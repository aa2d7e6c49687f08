"""BearerAuth against the sandbox: a refused token is re-minted once, a second 401
surfaces, and each attempt keeps its own deadline and body cap."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from misbehaving import RawServer, head
from pydantic import SecretStr

from onna_tui.api.bearer import BearerAuth
from onna_tui.api.client import OnnaClient
from onna_tui.api.errors import BadResponse, Unauthorized
from onna_tui.api.sending import RequestLimits, send
from onna_tui.core.tokens import Credentials

TOKEN = b'{"access_token": "abcdefghijkl", "token_type": "bearer", "expires_in": 3599}'
PAGE = b'{"items": []}'


async def test_a_revoked_token_is_minted_again_once_and_the_call_succeeds(
    client: OnnaClient, admin: Any
) -> None:
    tokens = client.require_tokens()
    first = await tokens.get()
    admin.expire_tokens()  # revoked at the server; the client still believes in it
    response = await send(
        client.http, "GET", f"{client.base_url}/oauth/user", action="read", auth=BearerAuth(tokens)
    )
    assert response.status_code == 200
    assert tokens.current is not None and tokens.current is not first
    stats = admin.stats()
    assert stats["token_exchanges"] == 2  # the first token, exactly one re-mint
    assert stats["by_route"]["GET /v1/oauth/user"] == 2  # refused, then retried ok


async def test_a_second_401_is_returned_not_retried_again(client: OnnaClient, admin: Any) -> None:
    tokens = client.require_tokens()
    admin.fault(path="/v1/oauth/user", status=401, count=5)
    response = await send(
        client.http, "GET", f"{client.base_url}/oauth/user", action="read", auth=BearerAuth(tokens)
    )
    assert response.status_code == 401
    stats = admin.stats()
    assert stats["token_exchanges"] == 2
    assert stats["by_route"]["GET /v1/oauth/user"] == 2  # no loop


async def test_through_the_client_a_second_401_surfaces_as_unauthorized(
    client: OnnaClient, admin: Any
) -> None:
    admin.fault(path="/v1/oauth/user", status=401, count=5)
    with pytest.raises(Unauthorized, match="not an expiry"):
        await client.current_user()
    stats = admin.stats()
    assert stats["token_exchanges"] == 2
    assert stats["by_route"]["GET /v1/oauth/user"] == 2


def test_a_blocking_client_is_told_it_cannot_mint(client: OnnaClient) -> None:
    auth = BearerAuth(client.require_tokens())
    with httpx.Client() as http, pytest.raises(RuntimeError, match="AsyncClient"):
        http.get("http://127.0.0.1:9/", auth=auth)


def _server(first_attempt: Any, delay: float = 0.0) -> RawServer:
    """Mints tokens; the first GET /workspaces runs ``first_attempt``, later ones answer
    after ``delay`` seconds."""

    async def script(server: RawServer, writer: asyncio.StreamWriter) -> None:
        if server.requests[-1][1] == "/v1/oauth/token":
            await server.write(writer, head("200 OK", f"Content-Length: {len(TOKEN)}") + TOKEN)
            return
        if server.requests.count(("GET", "/v1/workspaces")) == 1:
            await first_attempt(server, writer)
            return
        await asyncio.sleep(delay)
        await server.write(writer, head("200 OK", f"Content-Length: {len(PAGE)}") + PAGE)

    return RawServer(script)


async def test_each_attempt_has_the_whole_deadline() -> None:
    async def slow_401(server: RawServer, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.6)  # most of the deadline, then refused
        await server.write(writer, head("401 Unauthorized", "Content-Length: 0"))

    creds = Credentials(client_id="c", client_secret=SecretStr("s-secret-value"))
    limits = RequestLimits(deadline=1.0, max_body=64 * 1024)
    async with (
        # The retry takes as long: both together would not fit in one deadline.
        _server(slow_401, delay=0.6) as server,
        OnnaClient(server.base_url, creds, limits=limits) as client,
    ):
        page = await client.list_workspaces_page()
        assert page.items == []
    assert server.requests.count(("GET", "/v1/workspaces")) == 2


async def test_a_refused_attempt_s_body_is_read_within_the_cap() -> None:
    async def huge_401(server: RawServer, writer: asyncio.StreamWriter) -> None:
        await server.write(
            writer, head("401 Unauthorized", "Transfer-Encoding: chunked"), body=False
        )
        chunk = b"x" * 16384
        while True:
            await server.write(writer, b"4000\r\n" + chunk + b"\r\n")

    creds = Credentials(client_id="c", client_secret=SecretStr("s-secret-value"))
    limits = RequestLimits(deadline=5.0, max_body=64 * 1024)
    async with _server(huge_401) as server, OnnaClient(server.base_url, creds, limits=limits) as c:
        with pytest.raises(BadResponse) as info:
            await c.list_workspaces_page()
    # Read whole, it would have run into the deadline instead.
    assert "more than 64 KiB in answer to GET /v1/workspaces" in str(info.value)
    assert server.requests.count(("GET", "/v1/workspaces")) == 1  # not sent again
