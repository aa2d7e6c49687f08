"""Every error kind, provoked for real through the sandbox's fault injection, and the
sentence a person will read for each."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from onna_tui.models import Credentials, WorkspaceDraft
from onna_tui.service.client import OnnaClient
from onna_tui.service.errors import (
    BadResponse,
    Forbidden,
    InvalidCredentials,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TimedOut,
    Unreachable,
)


async def test_forbidden_points_at_the_developer_role(client: OnnaClient, admin: Any) -> None:
    admin.fault(path="/v1/workspaces", status=403)
    with pytest.raises(Forbidden) as info:
        await client.list_workspaces_page()
    assert "developer role" in str(info.value)
    assert info.value.status == 403
    assert info.value.request_id


async def test_token_endpoint_422_is_invalid_credentials(client: OnnaClient, admin: Any) -> None:
    body = {"detail": [{"loc": ["body", "client_id"], "msg": "field required", "type": "missing"}]}
    admin.fault(path="/v1/oauth/token", status=422, body=body)
    with pytest.raises(InvalidCredentials) as info:
        await client.current_user()
    assert "client_id" in str(info.value)


async def test_token_endpoint_400_invalid_client(client: OnnaClient, admin: Any) -> None:
    admin.fault(path="/v1/oauth/token", status=400, body={"error": "invalid_client"})
    with pytest.raises(InvalidCredentials, match="client id or client secret"):
        await client.current_user()


async def test_get_retries_429_honouring_retry_after(
    client: OnnaClient, admin: Any, sleeps: Any
) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces", status=429, headers={"Retry-After": "3"}, count=2)
    page = await client.list_workspaces_page()
    assert page.items == []
    assert sleeps.waits == [3.0, 3.0]


async def test_get_gives_up_after_bounded_retries(
    client: OnnaClient, admin: Any, sleeps: Any
) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces", status=429, headers={"Retry-After": "2"}, count=5)
    with pytest.raises(RateLimited) as info:
        await client.list_workspaces_page()
    assert info.value.retry_after == 2
    assert "Try again in 2 s" in str(info.value)
    assert len(sleeps.waits) == client.get_retries


async def test_get_retries_503_then_succeeds(client: OnnaClient, admin: Any, sleeps: Any) -> None:
    admin.fault(path="/health", status=503, count=1)
    health = await client.health()
    assert health.passing
    assert len(sleeps.waits) == 1


async def test_post_is_never_retried_on_429(client: OnnaClient, admin: Any, sleeps: Any) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces", method="POST", status=429, headers={"Retry-After": "1"})
    with pytest.raises(RateLimited):
        await client.create_workspace(WorkspaceDraft(name="once"))
    assert sleeps.waits == []
    assert [i async for i in client.iter_workspaces()] == []


async def test_server_error_quotes_the_request_id(client: OnnaClient, admin: Any) -> None:
    admin.fault(path="/v1/oauth/user", status=500)
    with pytest.raises(ServerError) as info:
        await client.current_user()
    assert "HTTP 500" in str(info.value)
    assert "request id" in str(info.value)
    assert info.value.request_id and info.value.request_id in info.value.verbose()


async def test_body_that_is_not_json(client: OnnaClient, admin: Any) -> None:
    admin.fault(path="/v1/oauth/user", malformed=True)
    with pytest.raises(BadResponse, match="not JSON"):
        await client.current_user()


async def test_body_that_is_not_the_documented_shape(client: OnnaClient, admin: Any) -> None:
    admin.fault(path="/v1/workspaces", method="GET", wrong_shape=True)
    with pytest.raises(BadResponse, match="not the documented shape"):
        await client.list_workspaces_page()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_refused_connection(sandbox_credentials: Credentials) -> None:
    base = f"http://127.0.0.1:{_closed_port()}/v1"
    async with OnnaClient(base, sandbox_credentials) as client:
        with pytest.raises(Unreachable) as info:
            await client.current_user()
    assert "refused" in str(info.value)
    assert "sandbox running" in str(info.value)
    assert info.value.exit_code == 5


async def test_unknown_host(sandbox_credentials: Credentials) -> None:
    async with OnnaClient("https://no-such-host.invalid/v1", sandbox_credentials) as client:
        with pytest.raises(Unreachable, match="could not be found"):
            await client.health()


async def test_tls_failure_sends_nothing(
    sandbox_server: Any, sandbox_credentials: Credentials
) -> None:
    # https to the sandbox's plain-http port: the handshake fails before anything is sent.
    base = sandbox_server.base_url.replace("http://", "https://")
    async with OnnaClient(base, sandbox_credentials) as client:
        with pytest.raises(Unreachable) as info:
            await client.current_user()
    assert "TLS" in str(info.value)


def _quick(sandbox_server: Any, creds: Credentials) -> OnnaClient:
    timeout = httpx.Timeout(connect=2.0, read=0.3, write=2.0, pool=2.0)
    from onna_tui.service.http import make_http_client

    return OnnaClient(sandbox_server.base_url, creds, http=make_http_client(timeout=timeout))


async def test_slow_get_times_out(
    sandbox_server: Any, sandbox_credentials: Credentials, admin: Any
) -> None:
    client = _quick(sandbox_server, sandbox_credentials)
    try:
        await client.current_user()
        admin.fault(path="/v1/workspaces", latency=1.5)
        with pytest.raises(TimedOut, match="did not answer in time"):
            await client.list_workspaces_page()
    finally:
        await client.http.aclose()


async def test_slow_post_may_have_happened_and_is_not_retried(
    sandbox_server: Any, sandbox_credentials: Credentials, admin: Any
) -> None:
    client = _quick(sandbox_server, sandbox_credentials)
    try:
        await client.current_user()
        admin.fault(path="/v1/workspaces", method="POST", latency=1.5)
        with pytest.raises(OutcomeUnknown) as info:
            await client.create_workspace(WorkspaceDraft(name="slow"))
        assert "may or may not" in str(info.value)
        assert "Check the workspace list" in str(info.value)
        assert admin.stats()["by_route"]["POST /v1/workspaces"] == 1
    finally:
        await client.http.aclose()


async def test_dropped_post_is_reported_and_not_retried(client: OnnaClient, admin: Any) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces", method="POST", drop="after")
    with pytest.raises(OutcomeUnknown) as info:
        await client.create_workspace(WorkspaceDraft(name="dropped"))
    assert "dropped" in str(info.value)
    assert "Check the workspace list" in str(info.value)
    # The server did create it, exactly once: no blind retry made a duplicate.
    names = [item.name async for item in client.iter_workspaces()]
    assert names == ["dropped"]


async def test_dropped_get_is_unreachable(client: OnnaClient, admin: Any) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces", method="GET", drop="before")
    with pytest.raises(Unreachable, match="dropped"):
        await client.list_workspaces_page()
