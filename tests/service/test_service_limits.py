"""A total deadline per request and a cap on the body, against servers that misbehave.

httpx's read timeout restarts with every byte, so before the deadline a server
sending one byte every few seconds kept `onna-tui token` running indefinitely;
and bodies were buffered whole (a 1 GiB answer used 2.4 GB). The servers here
run in the test's event loop; the limits are made small so nothing waits long.
"""

from __future__ import annotations

import asyncio
import gzip
import time

import pytest
from misbehaving import RawServer, head
from pydantic import SecretStr

from onna_tui.api.client import OnnaClient
from onna_tui.api.errors import BadResponse, OutcomeUnknown, TimedOut
from onna_tui.api.http import DEFAULT_LIMITS, RequestLimits
from onna_tui.core.tokens import Credentials
from onna_tui.core.wire.workspaces import WorkspaceDraft

CREDS = Credentials(client_id="c", client_secret=SecretStr("s-secret-value"))
SMALL = RequestLimits(deadline=0.5, max_body=64 * 1024)
TOKEN = b'{"access_token": "abcdefghijkl", "token_type": "bearer", "expires_in": 3599}'


async def trickle_body(server: RawServer, writer: asyncio.StreamWriter) -> None:
    """Headers at once, then one byte every 50 ms: each read returns well within httpx's
    20 s read timeout, so only a total deadline stops it."""
    await server.write(writer, head("200 OK", "Content-Length: 1000"), body=False)
    while True:
        await server.write(writer, b" ")
        await asyncio.sleep(0.05)


async def trickle_head(server: RawServer, writer: asyncio.StreamWriter) -> None:
    """The status line and headers themselves, one byte at a time."""
    for byte in head("200 OK", "Content-Length: 2", "X-Padding: " + "x" * 1000):
        await server.write(writer, bytes([byte]), body=False)
        await asyncio.sleep(0.05)


async def endless_body(server: RawServer, writer: asyncio.StreamWriter) -> None:
    await server.write(writer, head("200 OK", "Transfer-Encoding: chunked"), body=False)
    chunk = b"[" * 16384
    while True:
        await server.write(writer, b"4000\r\n" + chunk + b"\r\n")


def _client(server: RawServer, limits: RequestLimits = SMALL) -> OnnaClient:
    return OnnaClient(server.base_url, CREDS, limits=limits)


@pytest.mark.parametrize("script", [trickle_body, trickle_head], ids=["body", "headers"])
async def test_a_trickling_token_endpoint_is_stopped_by_the_deadline(script: object) -> None:
    async with RawServer(script) as server, _client(server) as client:  # type: ignore[arg-type]
        started = time.monotonic()
        with pytest.raises(TimedOut) as info:
            await client.require_tokens().get()
        took = time.monotonic() - started
    assert took < 3, f"the deadline did not stop it ({took:.1f} s)"
    assert "did not answer in time (no complete answer within 0.5 s)" in str(info.value)
    assert "get a token" in str(info.value)
    assert info.value.exit_code == 5
    assert server.requests == [("POST", "/v1/oauth/token")]


async def _token_then(script_after_token: object) -> RawServer:
    async def script(server: RawServer, writer: asyncio.StreamWriter) -> None:
        if server.requests[-1][1] == "/v1/oauth/token":
            await server.write(writer, head("200 OK", f"Content-Length: {len(TOKEN)}") + TOKEN)
            return
        await script_after_token(server, writer)  # type: ignore[operator]

    return RawServer(script)


async def test_a_trickling_get_times_out_and_the_client_stays_usable() -> None:
    page = b'{"items": []}'

    async def trickle_once(server: RawServer, writer: asyncio.StreamWriter) -> None:
        if server.requests.count(("GET", "/v1/workspaces")) == 1:
            await trickle_body(server, writer)
        await server.write(writer, head("200 OK", f"Content-Length: {len(page)}") + page)

    async with await _token_then(trickle_once) as server, _client(server) as client:
        with pytest.raises(TimedOut, match="did not answer in time"):
            await client.list_workspaces_page()
        # The cancelled request left nothing behind in the shared connection pool.
        assert (await client.list_workspaces_page()).items == []


async def test_a_trickling_post_may_have_happened_and_is_not_retried() -> None:
    async with await _token_then(trickle_body) as server, _client(server) as client:
        with pytest.raises(OutcomeUnknown) as info:
            await client.create_workspace(WorkspaceDraft(name="slow"))
    assert "may or may not have taken effect" in str(info.value)
    assert server.requests.count(("POST", "/v1/workspaces")) == 1


async def test_an_endless_body_is_cut_off_at_the_cap() -> None:
    async with await _token_then(endless_body) as server, _client(server) as client:
        with pytest.raises(BadResponse) as info:
            await client.list_workspaces_page()
    message = str(info.value)
    assert message.startswith("The answer was too large:")
    assert "more than 64 KiB in answer to GET /v1/workspaces" in message
    assert info.value.exit_code == 1
    assert server.sent < 4 * 1024 * 1024  # stopped early, not read to some later limit


async def test_a_declared_length_above_the_cap_is_refused_without_reading() -> None:
    async def huge(server: RawServer, writer: asyncio.StreamWriter) -> None:
        await server.write(writer, head("200 OK", f"Content-Length: {1 << 30}"), body=False)
        await asyncio.sleep(30)  # never sends the body: reading it would hit the deadline

    limits = RequestLimits(deadline=5, max_body=64 * 1024)
    async with await _token_then(huge) as server, _client(server, limits) as client:
        started = time.monotonic()
        with pytest.raises(BadResponse, match="too large"):
            await client.list_workspaces_page()
    assert time.monotonic() - started < 4


async def test_a_gzip_bomb_is_capped_by_its_decoded_size() -> None:
    bomb = gzip.compress(b"[" * (8 * 1024 * 1024))  # ~8 KiB on the wire

    async def script(server: RawServer, writer: asyncio.StreamWriter) -> None:
        await server.write(
            writer,
            head("200 OK", "Content-Encoding: gzip", f"Content-Length: {len(bomb)}") + bomb,
        )

    async with await _token_then(script) as server, _client(server) as client:
        with pytest.raises(BadResponse, match="too large"):
            await client.list_workspaces_page()


async def test_a_too_large_answer_to_a_create_says_it_probably_happened() -> None:
    async def created(server: RawServer, writer: asyncio.StreamWriter) -> None:
        await server.write(writer, head("201 Created", "Transfer-Encoding: chunked"), body=False)
        while True:
            await server.write(writer, b"4000\r\n" + b" " * 16384 + b"\r\n")

    async with await _token_then(created) as server, _client(server) as client:
        with pytest.raises(BadResponse) as info:
            await client.create_workspace(WorkspaceDraft(name="big"))
    assert "too large" in str(info.value)
    assert "probably took effect: check the workspace list" in str(info.value)


async def test_answers_within_the_limits_are_read_whole() -> None:
    body = b'{"items": [' + b",".join([b'{"onna_id": "x", "name": "n"}'] * 1000) + b"]}"

    async def script(server: RawServer, writer: asyncio.StreamWriter) -> None:
        await server.write(writer, head("200 OK", f"Content-Length: {len(body)}") + body)

    limits = RequestLimits(deadline=5, max_body=len(body))
    async with await _token_then(script) as server, _client(server, limits) as client:
        page = await client.list_workspaces_page()
    assert len(page.items) == 1000


def test_the_default_limits_are_generous() -> None:
    """Documented in the README: a minute per request, 32 MiB per answer."""
    assert DEFAULT_LIMITS.deadline == 60
    assert DEFAULT_LIMITS.max_body == 32 * 1024 * 1024
