"""Shared fixtures for the whole test suite.

Sandbox (onna_tui.sandbox): ``sandbox_clock``, ``sandbox_credentials``,
``sandbox_state``, ``sandbox_app``, ``asgi_transport``, ``sandbox_asgi_base_url``
and ``sandbox_server``. The state has one client (``sandbox_credentials``) and
runs on a ManualClock, so token expiry is tested by advancing the clock, never
by sleeping. ``sandbox_server`` is real uvicorn on 127.0.0.1 (one server per
session) serving that same state.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sandbox_admin import Admin
from starlette.applications import Starlette

from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import Credentials
from onna_tui.sandbox.app import create_app
from onna_tui.sandbox.server import SandboxServer
from onna_tui.sandbox.state import SandboxState

# ------------------------------------------------------------------ sandbox

SANDBOX_CLIENT_ID = "test-client"
SANDBOX_CLIENT_SECRET = "test-secret-value-1234567890"


@pytest.fixture
def sandbox_clock() -> ManualClock:
    """The sandbox's clock; advance it to expire tokens."""
    return ManualClock()


@pytest.fixture
def sandbox_credentials() -> Credentials:
    """The credentials of the one client that ``sandbox_state`` knows."""
    return Credentials(client_id=SANDBOX_CLIENT_ID, client_secret=SecretStr(SANDBOX_CLIENT_SECRET))


@pytest.fixture
def sandbox_state(sandbox_clock: ManualClock, sandbox_credentials: Credentials) -> SandboxState:
    """A fresh in-memory sandbox: default token TTL (3599 s) and page size (50)."""
    state = SandboxState(clock=sandbox_clock)
    state.add_client(
        client_id=sandbox_credentials.client_id,
        client_secret=sandbox_credentials.client_secret.get_secret_value(),
    )
    return state


@pytest.fixture
def sandbox_app(sandbox_state: SandboxState) -> Starlette:
    return create_app(sandbox_state)


@pytest.fixture
def asgi_transport(sandbox_app: Starlette) -> httpx.ASGITransport:
    """In-process transport to ``sandbox_app``; use it with ``sandbox_asgi_base_url``.

    A ``drop`` fault raises httpx.RemoteProtocolError through it, as over the network.
    """
    return httpx.ASGITransport(app=sandbox_app)


@pytest.fixture
def sandbox_asgi_base_url() -> str:
    """A base URL for clients on ``asgi_transport`` (loopback, so plain http is fine)."""
    return "http://127.0.0.1/v1"


@pytest.fixture(scope="session")
def _sandbox_server_session() -> Iterator[SandboxServer]:
    # One uvicorn for the whole run: stopping one costs ~0.15 s, which adds up.
    with SandboxServer() as server:
        yield server


@pytest.fixture
def sandbox_server(
    _sandbox_server_session: SandboxServer, sandbox_state: SandboxState
) -> SandboxServer:
    """Real uvicorn on 127.0.0.1 serving this test's ``sandbox_state``.

    See ``.base_url`` ("http://127.0.0.1:PORT/v1"), ``.root_url`` and ``.state``.
    The server is shared by the session; each test gets its own fresh state.
    """
    _sandbox_server_session.replace_state(sandbox_state)
    return _sandbox_server_session


@pytest.fixture
def admin(sandbox_server: SandboxServer) -> Iterator[Admin]:
    """The sandbox's admin surface over HTTP: faults, expiry, counters."""
    api = Admin(sandbox_server.root_url)
    yield api
    api.close()
