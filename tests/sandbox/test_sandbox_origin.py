"""Web pages cannot drive the sandbox: Host (DNS rebinding), Origin and Content-Type checks.

A page in a browser on this machine can send simple requests to loopback: a
form POST (urlencoded, multipart or text/plain), or a no-cors fetch, with the
page's Origin. With DNS rebinding its own name resolves to 127.0.0.1, so its
requests carry that name as Host. Over both transports unless said otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from onna_tui.sandbox.app import create_app, host_name
from onna_tui.sandbox.server import SandboxServer
from onna_tui.sandbox.state import DEFAULT_USER_ID, SandboxState

Check = Callable[[httpx.Response, int, str], list[dict[str, Any]]]
EVIL = "https://evil.example"


# ------------------------------------------------------- admin: web forms


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
        None,  # a no-cors fetch without a body
    ],
)
async def test_admin_posts_need_json_so_no_web_form_can_send_one(
    api: httpx.AsyncClient,
    admin: httpx.AsyncClient,
    auth: dict[str, str],
    jsonapi_error: Check,
    sandbox_state: SandboxState,
    content_type: str | None,
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    for path in ("/expire-tokens", f"/users/{DEFAULT_USER_ID}/revoke-developer-role"):
        request = admin.build_request("POST", path, content=b"a=b" if content_type else None)
        request.headers.pop("content-type", None)
        request.headers.update(headers)
        response = await admin.send(request)
        errors = jsonapi_error(response, 415, "XX415_unsupported_media_type")
        assert "application/json" in errors[0]["detail"]
    # Nothing happened: the token still works and the role is still there.
    assert (await api.get("/oauth/user", headers=auth)).status_code == 200
    assert sandbox_state.get_user(DEFAULT_USER_ID).developer_role  # type: ignore[union-attr]


async def test_admin_json_posts_work_with_or_without_a_body(
    api: httpx.AsyncClient, admin: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    bare = admin.build_request("POST", "/expire-tokens")
    bare.headers["Content-Type"] = "application/json; charset=utf-8"
    assert (await admin.send(bare)).status_code == 204
    assert (await api.get("/oauth/user", headers=auth)).status_code == 401


# ------------------------------------------------------------ admin: Origin


@pytest.mark.parametrize("origin", [EVIL, "null", "http://127.0.0.1.evil.example", "file://"])
async def test_admin_refuses_a_foreign_origin(
    api: httpx.AsyncClient,
    admin: httpx.AsyncClient,
    auth: dict[str, str],
    jsonapi_error: Check,
    origin: str,
) -> None:
    for method, path in (("POST", "/expire-tokens"), ("GET", "/stats"), ("DELETE", "/faults")):
        response = await admin.request(method, path, headers={"Origin": origin})
        jsonapi_error(response, 403, "XX403_forbidden")
    assert (await api.get("/oauth/user", headers=auth)).status_code == 200


@pytest.mark.parametrize(
    "origin",
    ["http://127.0.0.1:5173", "http://localhost", "https://[::1]:8443", "http://127.9.9.9"],
)
async def test_admin_takes_a_loopback_origin(admin: httpx.AsyncClient, origin: str) -> None:
    assert (await admin.get("/stats", headers={"Origin": origin})).status_code == 200


# -------------------------------------------------------------- Host checks


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io"])
async def test_dns_rebinding_is_refused_on_the_admin_surface(
    admin: httpx.AsyncClient, jsonapi_error: Check, sandbox_state: SandboxState, host: str
) -> None:
    response = await admin.post("/clients", json={}, headers={"Host": host})
    errors = jsonapi_error(response, 403, "XX403_forbidden")
    assert "localhost, 127.0.0.1 or [::1]" in errors[0]["detail"]
    assert len(sandbox_state.client_ids()) == 1


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example"])
async def test_dns_rebinding_is_refused_on_the_api(
    api: httpx.AsyncClient,
    admin: httpx.AsyncClient,
    auth: dict[str, str],
    jsonapi_error: Check,
    host: str,
) -> None:
    # With DNS rebinding this page could read the answers, token and workspaces included.
    before = (await admin.get("/stats")).json()["requests"]
    for method, path in (("GET", "/workspaces"), ("POST", "/oauth/token"), ("GET", "/health")):
        response = await api.request(method, path, headers={**auth, "Host": host})
        errors = jsonapi_error(response, 400, "XX400_bad_request")
        assert "DNS rebinding" in errors[0]["detail"]
    # Refused before being served: not counted either.
    assert (await admin.get("/stats")).json()["requests"] == before


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:1", "localhost:65535", "LOCALHOST.", "[::1]:8000", "[::1]"]
)
async def test_loopback_hosts_on_any_port_are_served_everywhere(
    api: httpx.AsyncClient, admin: httpx.AsyncClient, host: str
) -> None:
    assert (await api.get("/health", headers={"Host": host})).status_code == 200
    assert (await admin.get("/stats", headers={"Host": host})).status_code == 200


async def test_the_api_answers_any_ip_address_but_the_admin_surface_does_not(
    api: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    # An address involves no DNS, so it cannot be rebound: `--host 0.0.0.0` stays usable.
    for host in ("192.0.2.10:8000", "[2001:db8::1]:8000"):
        assert (await api.get("/health", headers={"Host": host})).status_code == 200
        assert (await admin.get("/stats", headers={"Host": host})).status_code == 403


@pytest.mark.parametrize("host", ["127.0.0.1:http", "[::1", "[::1]x", "[nope]:80", "", ":80"])
async def test_a_malformed_host_is_refused(api: httpx.AsyncClient, host: str) -> None:
    assert (await api.get("/health", headers={"Host": host})).status_code == 400


async def test_a_named_serving_host_is_answered_by_the_api_only(
    sandbox_state: SandboxState,
) -> None:
    app = create_app(sandbox_state, allowed_hosts=["MyBox.lan"])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mybox.lan:8000") as client:
        assert (await client.get("/v1/health")).status_code == 200
        assert (await client.get("/_sandbox/stats")).status_code == 403
        assert (await client.get("/v1/health", headers={"Host": "other.lan"})).status_code == 400


def test_a_server_on_localhost_answers_to_localhost() -> None:
    with SandboxServer(host="localhost") as server:
        assert server.root_url.startswith("http://localhost:")
        assert httpx.get(server.base_url + "/health").status_code == 200


def test_host_name_parsing() -> None:
    assert host_name("Example.COM:80") == "example.com"
    assert host_name("[::1]:8000") == "::1"
    assert host_name("localhost.") == "localhost"
    assert host_name("127.0.0.1:") == "127.0.0.1"
    for bad in ("", ":80", "a:b", "[::1", "[x]", "a:123456"):
        assert host_name(bad) is None, bad
