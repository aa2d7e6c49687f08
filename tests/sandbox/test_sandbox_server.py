"""SandboxServer: start, URLs, both context managers, clean stop, state swapping."""

from __future__ import annotations

import asyncio
import socket
import threading
from email.utils import formatdate

import httpx
import pytest

from onna_tui.sandbox.server import SandboxServer, bind_socket, url_host
from onna_tui.sandbox.state import SandboxState


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_sync_context_manager_serves_then_frees_the_port() -> None:
    state = SandboxState()
    with SandboxServer(state) as server:
        assert server.state is state
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
        assert server.root_url == f"http://127.0.0.1:{server.port}"
        assert server.running
        assert httpx.get(server.base_url + "/health").json()["status"] == "pass"
        port = server.port
    assert not server.running
    assert server.error is None
    assert _port_is_free(port)
    assert not [t for t in threading.enumerate() if t.name == f"onna-sandbox-{port}"]


async def test_async_context_manager() -> None:
    async with SandboxServer() as server:
        async with httpx.AsyncClient(base_url=server.base_url) as client:
            assert (await client.get("/health")).status_code == 200
    assert not server.running


def test_two_servers_side_by_side_have_separate_state() -> None:
    with SandboxServer() as one, SandboxServer() as two:
        assert one.port != two.port
        one.state.create_workspace("only in one")
        assert one.state.workspace_count() == 1
        assert two.state.workspace_count() == 0


def test_urls_need_a_running_server() -> None:
    with pytest.raises(RuntimeError, match="not running"):
        _ = SandboxServer().base_url


def test_a_busy_port_fails_in_the_callers_thread() -> None:
    with SandboxServer() as running:
        assert running.port is not None
        with pytest.raises(OSError):
            SandboxServer(port=running.port).start()


def test_cannot_start_twice_and_stop_twice_is_fine() -> None:
    server = SandboxServer().start()
    with pytest.raises(RuntimeError, match="already started"):
        server.start()
    server.stop()
    server.stop()


def test_replace_state_swaps_what_is_served() -> None:
    with SandboxServer() as server, httpx.Client(base_url=server.base_url) as client:
        server.state.create_workspace("old")
        fresh = SandboxState()
        creds = fresh.add_client()
        server.replace_state(fresh)
        assert server.state is fresh
        response = client.post(
            "/oauth/token",
            data={
                "client_id": creds.client_id,
                "client_secret": creds.client_secret.get_secret_value(),
            },
        )
        assert response.status_code == 200
        assert fresh.stats()["token_exchanges"] == 1


def test_bind_socket_picks_a_free_port() -> None:
    with bind_socket("127.0.0.1", 0) as sock:
        assert sock.getsockname()[1] > 0


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("0.0.0.0", "127.0.0.1"),
        ("::", "[::1]"),
        ("::1", "[::1]"),
        ("localhost", "localhost"),
    ],
)
def test_url_host(host: str, expected: str) -> None:
    assert url_host(host) == expected


# ------------------------------------------------------------- idle


def _timers_due_within(server: SandboxServer, seconds: float) -> list[float]:
    """How soon each live timer of the server's event loop fires (asked on that loop)."""
    quiet = server._server
    assert quiet is not None and quiet._loop is not None
    loop = quiet._loop

    async def due() -> list[float]:
        now = loop.time()
        scheduled = getattr(loop, "_scheduled", [])  # asyncio's timer heap
        return [t.when() - now for t in scheduled if not t.cancelled()]

    soon = asyncio.run_coroutine_threadsafe(due(), loop).result(timeout=5)
    return [left for left in soon if left < seconds]


def test_an_idle_server_sets_no_timer() -> None:
    # uvicorn's own loop wakes every 0.1 s; an idle `onna-tui --sandbox` must not.
    with SandboxServer() as server:
        assert httpx.get(server.base_url + "/health").status_code == 200
        # The request's connection is closed: nothing is waiting to happen.
        assert _timers_due_within(server, 1.0) == []
    assert server.error is None


def test_the_date_header_follows_the_clock_request_by_request() -> None:
    now = [1_800_000_000.0]
    with (
        SandboxServer(wall_clock=lambda: now[0]) as server,
        httpx.Client(base_url=server.base_url) as client,
    ):
        assert client.get("/health").headers["date"] == formatdate(now[0], usegmt=True)
        now[0] += 3600.5  # an hour on, on the same keep-alive connection
        assert client.get("/health").headers["date"] == formatdate(now[0], usegmt=True)
