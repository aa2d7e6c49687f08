"""Fixtures for the sandbox's own tests.

``api`` and ``admin`` are httpx.AsyncClients parametrised over the two ways
the sandbox is used: real uvicorn over TCP ("uvicorn") and in-process through
httpx.ASGITransport ("asgi"). A test taking either runs once per transport.
Helpers are fixtures (not an importable module) so they work under any pytest
import mode.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from onna_tui.core.tokens import Credentials
from onna_tui.sandbox.server import SandboxServer

JsonApiCheck = Callable[[httpx.Response, int, str], list[dict[str, Any]]]


@pytest.fixture(params=["uvicorn", "asgi"])
def sandbox_root(request: pytest.FixtureRequest) -> tuple[str, httpx.AsyncBaseTransport]:
    """(root URL, transport) of the sandbox under test."""
    if request.param == "uvicorn":
        server: SandboxServer = request.getfixturevalue("sandbox_server")
        # Plain http on loopback: skip building a CA-verifying SSL context, which
        # costs ~0.1 s per client and would dominate these tests' run time.
        return server.root_url, httpx.AsyncHTTPTransport(verify=False)
    transport: httpx.ASGITransport = request.getfixturevalue("asgi_transport")
    return "http://127.0.0.1", transport


@pytest.fixture
async def api(
    sandbox_root: tuple[str, httpx.AsyncBaseTransport],
) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose base URL is the sandbox's /v1."""
    root, transport = sandbox_root
    async with httpx.AsyncClient(transport=transport, base_url=root + "/v1", timeout=5) as client:
        yield client


@pytest.fixture
async def admin(
    sandbox_root: tuple[str, httpx.AsyncBaseTransport],
) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the /_sandbox admin surface, on the same transport as ``api``.

    It declares JSON on every request, as the admin surface requires of POSTs
    (even bodyless ones), so that no web form can send one.
    """
    root, transport = sandbox_root
    async with httpx.AsyncClient(
        transport=transport,
        base_url=root + "/_sandbox",
        timeout=5,
        headers={"Content-Type": "application/json"},
    ) as client:
        yield client


@pytest.fixture
def token_form(sandbox_credentials: Credentials) -> dict[str, str]:
    """The guide's token request body for the test client (a fresh dict per test)."""
    return {
        "client_id": sandbox_credentials.client_id,
        "client_secret": sandbox_credentials.client_secret.get_secret_value(),
        "grant_type": "client_credentials",
    }


@pytest.fixture
async def token(api: httpx.AsyncClient, token_form: dict[str, str]) -> str:
    response = await api.post("/oauth/token", data=token_form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _check_jsonapi_error(response: httpx.Response, status: int, code: str) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    errors = response.json()["errors"]
    assert errors, "an error document needs at least one error"
    for error in errors:
        assert error["status"] == str(status)
        assert error["code"] == code
        assert error["title"]
        assert error["detail"]
        assert len(error["id"]) == 36  # a UUID
    return list(errors)


@pytest.fixture
def jsonapi_error() -> JsonApiCheck:
    """``jsonapi_error(response, status, code)``: assert a JSON:API error document.

    Returns the document's errors for further checks.
    """
    return _check_jsonapi_error
