"""The token manager against the sandbox: reuse, margin, 401 re-mint, single flight, listeners."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from onna_tui.api.cache import MemoryTokenCache
from onna_tui.api.client import OnnaClient
from onna_tui.api.errors import HealthNeedsToken, InvalidCredentials, TokenRefused, Unauthorized
from onna_tui.api.tokens import exchange_credentials
from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import AccessToken, Credentials
from onna_tui.profiles.session import current_user_with


async def test_exchange_is_the_guides_form_post(
    sandbox_server: Any, sandbox_credentials: Credentials, sandbox_clock: ManualClock
) -> None:
    seen: list[httpx.Request] = []

    async def remember(request: httpx.Request) -> None:
        seen.append(request)

    async with httpx.AsyncClient(event_hooks={"request": [remember]}) as http:
        token = await exchange_credentials(
            http, sandbox_server.base_url, sandbox_credentials, sandbox_clock
        )
    assert token.token_type == "bearer"
    assert token.expires_in == 3599
    assert token.issued_at == sandbox_clock()
    assert (token.expires_at - token.issued_at).total_seconds() == 3599
    (request,) = seen
    assert request.method == "POST"
    assert request.url.path.endswith("/v1/oauth/token")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = dict(httpx.QueryParams(request.content.decode()))
    assert form == {
        "client_id": sandbox_credentials.client_id,
        "client_secret": sandbox_credentials.client_secret.get_secret_value(),
        "grant_type": "client_credentials",
    }


async def test_valid_token_is_reused(client: OnnaClient, admin: Any) -> None:
    tokens = client.require_tokens()
    first = await tokens.get()
    second = await tokens.get()
    await client.current_user()
    assert first is second
    assert admin.exchanges == 1


async def test_new_token_minted_inside_the_margin(
    client: OnnaClient, admin: Any, sandbox_clock: ManualClock
) -> None:
    tokens = client.require_tokens()
    first = await tokens.get()
    sandbox_clock.advance(3599 - 61)
    assert await tokens.get() is first
    sandbox_clock.advance(1)  # now exactly 60 s left: inside the default margin
    second = await tokens.get()
    assert second is not first
    assert admin.exchanges == 2


async def test_without_early_renewal_the_token_runs_to_expiry(
    sandbox_server: Any, sandbox_credentials: Credentials, sandbox_clock: ManualClock, admin: Any
) -> None:
    async with OnnaClient(
        sandbox_server.base_url, sandbox_credentials, clock=sandbox_clock, renew_early=False
    ) as client:
        tokens = client.require_tokens()
        first = await tokens.get()
        sandbox_clock.advance(3598)
        assert await tokens.get() is first
        await client.list_workspaces_page()
        assert admin.exchanges == 1
        sandbox_clock.advance(1)  # expired now: the next call mints on demand
        await client.list_workspaces_page()
        assert admin.exchanges == 2


async def test_expired_on_the_server_mints_once_and_retries(client: OnnaClient, admin: Any) -> None:
    await client.current_user()
    admin.expire_tokens()  # the client still believes its token is good
    user = await client.current_user()
    assert user.id
    stats = admin.stats()
    assert stats["token_exchanges"] == 2
    assert stats["by_route"]["GET /v1/oauth/user"] == 3  # ok, 401, retried ok


async def test_clock_skew_401_recovers(
    sandbox_server: Any, sandbox_credentials: Credentials, sandbox_clock: ManualClock, admin: Any
) -> None:
    behind = ManualClock(sandbox_clock())
    async with OnnaClient(sandbox_server.base_url, sandbox_credentials, clock=behind) as client:
        await client.current_user()
        sandbox_clock.advance(3600)  # the server's clock says expired; ours does not
        await client.current_user()
    assert admin.exchanges == 2


async def test_refused_fresh_token_is_an_authorization_problem(
    client: OnnaClient, admin: Any
) -> None:
    admin.fault(path="/v1/workspaces", status=401, count=2)
    with pytest.raises(Unauthorized) as info:
        await client.list_workspaces_page()
    message = str(info.value)
    assert "not authorized" in message
    assert "not an expiry" in message
    assert "expired" not in message
    assert admin.exchanges == 2  # one for the first try, exactly one re-mint


async def test_bad_secret_is_invalid_credentials(sandbox_server: Any, admin: Any) -> None:
    wrong = Credentials(client_id="test-client", client_secret=SecretStr("wrong-secret-000"))
    async with OnnaClient(sandbox_server.base_url, wrong) as client:
        with pytest.raises(InvalidCredentials) as info:
            await client.current_user()
    text = str(info.value)
    assert "client id or client secret" in text
    assert "Platform API app" in text
    assert "wrong-secret-000" not in text and "wrong-secret-000" not in repr(info.value)
    assert info.value.exit_code == 3


async def test_one_exchange_for_a_hundred_concurrent_calls(
    client: OnnaClient, admin: Any, sandbox_clock: ManualClock
) -> None:
    await client.current_user()
    sandbox_clock.advance(3600)  # expired on both sides
    admin.fault(path="/v1/oauth/token", latency=0.2, count=1)  # widen the race window
    await asyncio.gather(*(client.current_user() for _ in range(100)))
    assert admin.exchanges == 2


async def test_one_exchange_when_a_hundred_calls_hit_401_together(
    client: OnnaClient, admin: Any
) -> None:
    await client.current_user()
    admin.expire_tokens()
    await asyncio.gather(*(client.current_user() for _ in range(100)))
    assert admin.exchanges == 2


async def test_listeners_hear_every_change(client: OnnaClient, sandbox_clock: ManualClock) -> None:
    heard: list[AccessToken | None] = []
    tokens = client.require_tokens()
    unsubscribe = tokens.subscribe(heard.append)
    first = await tokens.get()
    await tokens.get()  # reuse: no news
    second = await tokens.mint()
    await tokens.forget()
    unsubscribe()
    await tokens.get()
    assert heard == [first, second, None]
    assert first.access_token != second.access_token


async def test_forced_mints_at_once_make_one_exchange(client: OnnaClient, admin: Any) -> None:
    tokens = client.require_tokens()
    results = await asyncio.gather(*(tokens.mint() for _ in range(10)))
    assert len({t.access_token.get_secret_value() for t in results}) == 1
    assert admin.exchanges == 1


class BrokenCache:
    async def load(self) -> AccessToken | None:
        raise RuntimeError("the keyring is locked")

    async def store(self, token: AccessToken) -> None:
        raise RuntimeError("the keyring is locked")

    async def clear(self) -> None:
        raise RuntimeError("the keyring is locked")


async def test_a_failing_cache_does_not_stop_calls(
    sandbox_server: Any, sandbox_credentials: Credentials
) -> None:
    async with OnnaClient(
        sandbox_server.base_url, sandbox_credentials, token_cache=BrokenCache()
    ) as client:
        await client.current_user()
        assert client.require_tokens().cache_problem == "the keyring is locked"


async def test_forced_mint_is_not_satisfied_by_a_cached_pickup(
    client: OnnaClient, admin: Any
) -> None:
    tokens = client.require_tokens()
    old = await tokens.get()
    await asyncio.gather(tokens.peek_cached(), tokens.get())
    fresh = await tokens.mint()
    assert fresh.access_token != old.access_token
    assert admin.exchanges == 2


async def test_token_shorter_than_the_margin_is_still_reused(
    sandbox_server: Any,
    sandbox_state: Any,
    sandbox_credentials: Credentials,
    sandbox_clock: ManualClock,
    admin: Any,
) -> None:
    sandbox_state.token_ttl = 30
    async with OnnaClient(
        sandbox_server.base_url, sandbox_credentials, clock=sandbox_clock
    ) as client:
        for _ in range(5):
            await client.list_workspaces_page()
        assert admin.exchanges == 1
        sandbox_clock.advance(15)  # half the lifetime left: renew now
        await client.list_workspaces_page()
        assert admin.exchanges == 2


async def test_http_proxy_from_the_environment_never_sees_loopback_traffic(
    sandbox_server: Any, sandbox_credentials: Credentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as trap:
        trap.bind(("127.0.0.1", 0))
        trap.listen()
        port = trap.getsockname()[1]
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with OnnaClient(sandbox_server.base_url, sandbox_credentials) as client:
            assert (await client.current_user()).id
        trap.setblocking(False)
        with pytest.raises(BlockingIOError):
            trap.accept()  # nothing ever connected to the "proxy"


# ------------------------------------------------------- refused tokens, every path


async def test_a_401_drops_the_refused_token_from_the_shared_cache(
    sandbox_server: Any, sandbox_credentials: Credentials, admin: Any
) -> None:
    """Two clients on one cache stand for two processes on one keyring."""
    shared = MemoryTokenCache()
    async with (
        OnnaClient(sandbox_server.base_url, sandbox_credentials, token_cache=shared) as one,
        OnnaClient(sandbox_server.base_url, sandbox_credentials, token_cache=shared) as two,
    ):
        refused = await one.require_tokens().get()
        admin.expire_tokens()
        await one.current_user()  # 401: dropped, minted once, retried
        fresh = await shared.load()
        assert fresh is not None and fresh.access_token != refused.access_token
        # The other "process" picks up the replacement instead of minting.
        assert (await two.require_tokens().get()).access_token == fresh.access_token
    assert admin.exchanges == 2


async def test_current_user_with_drops_a_refused_token_and_never_mints(
    sandbox_server: Any, sandbox_credentials: Credentials, admin: Any
) -> None:
    """The status lookup: it used to leave the refused token in the cache."""
    shared = MemoryTokenCache()
    async with OnnaClient(sandbox_server.base_url, sandbox_credentials, token_cache=shared) as c:
        token = await c.require_tokens().get()
        admin.expire_tokens()
        with pytest.raises(TokenRefused) as info:
            await current_user_with(c, token)
        assert c.require_tokens().current is None
    assert await shared.load() is None
    assert "dropped from the token cache" in str(info.value)
    assert info.value.exit_code == 3
    assert admin.exchanges == 1


async def test_current_user_with_drops_from_the_given_cache_without_credentials(
    sandbox_server: Any, sandbox_credentials: Credentials, admin: Any
) -> None:
    async with OnnaClient(sandbox_server.base_url, sandbox_credentials) as minting:
        token = await minting.require_tokens().get()
    cache = MemoryTokenCache()
    await cache.store(token)
    admin.expire_tokens()
    async with OnnaClient(sandbox_server.base_url, None) as no_secret:
        with pytest.raises(TokenRefused):
            await current_user_with(no_secret, token, cache)
    assert await cache.load() is None


async def test_a_refused_token_is_not_dropped_when_the_cache_already_holds_another(
    sandbox_server: Any, sandbox_credentials: Credentials, admin: Any
) -> None:
    shared = MemoryTokenCache()
    async with OnnaClient(sandbox_server.base_url, sandbox_credentials, token_cache=shared) as c:
        old = await c.require_tokens().get()
        newer = await c.require_tokens().mint()
        with pytest.raises(TokenRefused):
            admin.fault(path="/v1/oauth/user", status=401)
            await current_user_with(c, old)
    assert (await shared.load()) == newer


# ------------------------------------------------------------------ /health


def _health_server(state: dict[str, Any]) -> httpx.ASGITransport:
    """A server whose /health needs a token, as the document's global security says."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def token(request: Request) -> JSONResponse:
        state["exchanges"] += 1
        value = f"tok-{state['exchanges']}-abcdefgh"
        state["tokens"].add(value)
        return JSONResponse({"access_token": value, "token_type": "bearer", "expires_in": 3599})

    async def health(request: Request) -> JSONResponse:
        header = request.headers.get("authorization", "")
        state["seen"].append(header)
        if header.removeprefix("Bearer ") not in state["tokens"]:
            return JSONResponse({"status": "401", "code": "XX401", "title": "Unauthorized"}, 401)
        return JSONResponse({"status": "pass", "version": "1", "release_id": "r"})

    app = Starlette(
        routes=[
            Route("/v1/oauth/token", token, methods=["POST"]),
            Route("/v1/health", health),
        ]
    )
    return httpx.ASGITransport(app=app)


async def test_health_sends_the_token_at_hand_and_never_mints_for_it() -> None:
    state: dict[str, Any] = {"tokens": set(), "exchanges": 0, "seen": []}
    creds = Credentials(client_id="c", client_secret=SecretStr("s-secret"))
    shared = MemoryTokenCache()
    transport = _health_server(state)
    async with OnnaClient(
        "http://127.0.0.1/v1", creds, transport=transport, token_cache=shared
    ) as client:
        with pytest.raises(HealthNeedsToken) as none_at_hand:
            await client.health()
        assert state["exchanges"] == 0 and state["seen"] == [""]
        assert "health needs a token" in str(none_at_hand.value)
        assert "none is at hand" in str(none_at_hand.value)
        assert "not an outage" in str(none_at_hand.value)
        assert none_at_hand.value.exit_code == 3
        token = await client.require_tokens().get()
        assert (await client.health()).passing
        assert state["seen"][-1] == token.authorization_header()
    # A new client (another process) finds the token in the shared cache and sends it.
    async with OnnaClient(
        "http://127.0.0.1/v1", creds, transport=transport, token_cache=shared
    ) as other:
        assert (await other.health()).passing
        state["tokens"].clear()  # the server forgets every token
        with pytest.raises(HealthNeedsToken) as refused:
            await other.health()
        assert "refused the one at hand" in str(refused.value)
        assert other.require_tokens().current is None
    assert await shared.load() is None  # dropped for every process
    assert state["exchanges"] == 1


async def test_health_without_credentials_sends_no_token(client: OnnaClient) -> None:
    async with OnnaClient(client.base_url, None) as anonymous:
        assert (await anonymous.health()).passing
