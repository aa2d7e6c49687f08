"""Fault injection: each kind, matching and counting, drops over real uvicorn and in-process."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from onna_tui.sandbox.faults import Fault, FaultSpecError
from onna_tui.sandbox.server import SandboxServer
from onna_tui.sandbox.state import SandboxState

Check = Callable[[httpx.Response, int, str], list[dict[str, Any]]]


# -------------------------------------------------------------- replacements


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (500, "XX500_internal_server_error"),
        (503, "XX503_service_unavailable"),
        (403, "XX403_forbidden"),
        (418, "XX418_i_m_a_teapot"),
    ],
)
async def test_status_fault_answers_a_proper_jsonapi_error(
    api: httpx.AsyncClient,
    admin: httpx.AsyncClient,
    auth: dict[str, str],
    status: int,
    code: str,
    jsonapi_error: Check,
    sandbox_state: SandboxState,
) -> None:
    response = await admin.post("/faults", json={"path": "/v1/workspaces", "status": status})
    assert response.status_code == 201
    faulty = await api.post("/workspaces", json={"name": "x"}, headers=auth)
    jsonapi_error(faulty, status, code)
    assert "x-request-id" in faulty.headers
    assert sandbox_state.workspace_count() == 0  # answered instead of performed
    # Used up: the next request is served normally.
    assert (await api.post("/workspaces", json={"name": "x"}, headers=auth)).status_code == 201


async def test_rate_limit_with_retry_after_and_count(
    api: httpx.AsyncClient, admin: httpx.AsyncClient, auth: dict[str, str], jsonapi_error: Check
) -> None:
    await admin.post("/faults", json={"status": 429, "count": 2, "headers": {"Retry-After": "7"}})
    for _ in range(2):
        response = await api.get("/workspaces", headers=auth)
        jsonapi_error(response, 429, "XX429_too_many_requests")
        assert response.headers["retry-after"] == "7"
    response = await api.get("/workspaces", headers=auth)
    assert response.status_code == 200
    assert "retry-after" not in response.headers


async def test_custom_body_and_headers(api: httpx.AsyncClient, sandbox_state: SandboxState) -> None:
    sandbox_state.add_fault(
        {
            "path": "/health",
            "status": 502,
            "body": {"message": "bad gateway"},
            "headers": {"X-Upstream": "down"},
        }
    )
    response = await api.get("/health")
    assert response.status_code == 502
    assert response.json() == {"message": "bad gateway"}
    assert response.headers["x-upstream"] == "down"


async def test_headers_alone_decorate_the_normal_answer(
    api: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    sandbox_state.add_fault({"path": "/health", "headers": {"Retry-After": "3"}})
    response = await api.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "pass"
    assert response.headers["retry-after"] == "3"


async def test_malformed_body(api: httpx.AsyncClient, sandbox_state: SandboxState) -> None:
    sandbox_state.add_fault({"path": "/oauth/user", "malformed": True})
    response = await api.get("/oauth/user")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_wrong_shape_is_json_but_not_the_documented_shape(
    api: httpx.AsyncClient, auth: dict[str, str], sandbox_state: SandboxState
) -> None:
    from pydantic import ValidationError

    from onna_tui.core.wire.auth import TokenResponse
    from onna_tui.core.wire.workspaces import CreatedWorkspace, Page

    sandbox_state.add_fault({"wrong_shape": True, "count": 3})
    for model, request in (
        (Page, api.get("/workspaces", headers=auth)),
        (CreatedWorkspace, api.post("/workspaces", json={"name": "x"}, headers=auth)),
        (TokenResponse, api.post("/oauth/token", data={"client_id": "a", "client_secret": "b"})),
    ):
        response = await request
        assert response.status_code == 200
        with pytest.raises(ValidationError):
            model.model_validate(response.json())
    assert sandbox_state.workspace_count() == 0


async def test_204_status_fault_has_no_body(
    api: httpx.AsyncClient, auth: dict[str, str], sandbox_state: SandboxState
) -> None:
    sandbox_state.add_fault({"path": "/workspaces", "method": "post", "status": 204})
    response = await api.post("/workspaces", json={"name": "x"}, headers=auth)
    assert (response.status_code, response.content) == (204, b"")


# ----------------------------------------------------------------- matching


async def test_method_and_prefix_matching(
    api: httpx.AsyncClient, auth: dict[str, str], sandbox_state: SandboxState
) -> None:
    onna_id = sandbox_state.create_workspace("W").onna_id
    # "/workspaces" is read as "/v1/workspaces"; the method must match too.
    sandbox_state.add_fault({"path": "/workspaces", "method": "DELETE", "status": 500})
    assert (await api.get(f"/workspaces/{onna_id}", headers=auth)).status_code == 200
    assert (await api.get("/health")).status_code == 200
    assert (await api.delete(f"/workspaces/{onna_id}", headers=auth)).status_code == 500
    assert sandbox_state.faults() == []
    assert (await api.delete(f"/workspaces/{onna_id}", headers=auth)).status_code == 204


async def test_default_fault_hits_any_api_path_but_never_admin(
    api: httpx.AsyncClient, admin: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    sandbox_state.add_fault({"status": 503})
    assert (await admin.get("/stats")).status_code == 200  # admin is not the API
    assert (await api.post("/oauth/token", data={})).status_code == 503


async def test_first_matching_fault_wins_and_faults_queue(
    api: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    sandbox_state.add_fault({"path": "/health", "status": 500})
    sandbox_state.add_fault({"path": "/health", "status": 503})
    assert [(await api.get("/health")).status_code for _ in range(3)] == [500, 503, 200]


async def test_clear_faults(
    api: httpx.AsyncClient, admin: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    sandbox_state.add_fault({"status": 500, "count": 5})
    listed = (await admin.get("/faults")).json()["faults"]
    assert listed == [{"path": "/v1", "method": None, "count": 5, "status": 500}]
    assert (await admin.delete("/faults")).status_code == 204
    assert (await api.get("/health")).status_code == 200


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": "1"}, "count"),
        ({"status": 99}, "status"),
        ({"status": True}, "status"),
        ({"drop": "sideways"}, "drop"),
        ({"latency": -1}, "latency"),
        ({"latency": "slow"}, "latency"),
        ({"headers": ["Retry-After"]}, "headers"),
        ({"malformed": "yes"}, "malformed"),
        ({"method": 5}, "method"),
        ({"path": ""}, "path"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_invalid_fault_specs_are_rejected(
    admin: httpx.AsyncClient,
    spec: dict[str, Any],
    field: str,
    jsonapi_error: Check,
    sandbox_state: SandboxState,
) -> None:
    response = await admin.post("/faults", json=spec)
    errors = jsonapi_error(response, 422, "XX422_unprocessable_entity")
    assert errors[0]["source"] == {"pointer": f"/{field}"}
    assert sandbox_state.faults() == []
    with pytest.raises(FaultSpecError):
        Fault.from_json(spec)


# ------------------------------------------------------------------ latency


async def test_latency_delays_then_serves(
    api: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    # The one deliberate wait in these tests: latency is the server really being slow.
    sandbox_state.add_fault({"path": "/health", "latency": 0.2})
    started = time.monotonic()
    response = await api.get("/health")
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200


async def test_latency_longer_than_the_client_timeout(
    sandbox_server: SandboxServer, sandbox_state: SandboxState
) -> None:
    sandbox_state.add_fault({"path": "/health", "latency": 0.5})
    async with httpx.AsyncClient(base_url=sandbox_server.base_url, timeout=0.1) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/health")


# --------------------------------------------------------------------- drop


def test_drop_before_over_real_uvicorn(
    sandbox_server: SandboxServer, sandbox_state: SandboxState
) -> None:
    sandbox_state.add_fault({"path": "/health", "drop": "before"})
    with httpx.Client(base_url=sandbox_server.base_url, timeout=5) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/health")
        # The server is fine afterwards, on a new connection.
        assert client.get("/health").status_code == 200
    assert sandbox_state.stats()["by_route"]["GET /v1/health"] == 2


def test_drop_after_performs_the_request_over_real_uvicorn(
    sandbox_server: SandboxServer,
    sandbox_state: SandboxState,
    token_form: dict[str, str],
) -> None:
    with httpx.Client(base_url=sandbox_server.base_url, timeout=5) as client:
        token = client.post("/oauth/token", data=token_form).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        sandbox_state.add_fault({"path": "/workspaces", "method": "POST", "drop": "after"})
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/workspaces", json={"name": "Maybe"}, headers=auth)
        # The workspace exists although the client never heard so.
        items = client.get("/workspaces", headers=auth).json()["items"]
        assert [item["name"] for item in items] == ["Maybe"]


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_drop_after_a_204_operation_is_still_a_drop(
    sandbox_server: SandboxServer,
    sandbox_state: SandboxState,
    token_form: dict[str, str],
    method: str,
) -> None:
    onna_id = sandbox_state.create_workspace("W").onna_id
    with httpx.Client(base_url=sandbox_server.base_url, timeout=5) as client:
        token = client.post("/oauth/token", data=token_form).json()["access_token"]
        sandbox_state.add_fault({"path": "/workspaces/", "method": method, "drop": "after"})
        with pytest.raises(httpx.RemoteProtocolError):
            client.request(
                method,
                f"/workspaces/{onna_id}",
                json={"name": "Renamed"},
                headers={"Authorization": f"Bearer {token}"},
            )
    record = sandbox_state.get_workspace(onna_id)
    if method == "DELETE":
        assert record is None
    else:
        assert record is not None and record.name == "Renamed"


def test_drop_before_does_not_perform_the_request(
    sandbox_server: SandboxServer,
    sandbox_state: SandboxState,
    token_form: dict[str, str],
) -> None:
    sandbox_state.add_fault({"path": "/oauth/token", "drop": "before"})
    with httpx.Client(base_url=sandbox_server.base_url, timeout=5) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/oauth/token", data=token_form)
    assert sandbox_state.stats()["token_exchanges"] == 0


def test_drop_after_of_a_token_exchange_counts_it(
    sandbox_server: SandboxServer,
    sandbox_state: SandboxState,
    token_form: dict[str, str],
) -> None:
    sandbox_state.add_fault({"path": "/oauth/token", "drop": "after"})
    with httpx.Client(base_url=sandbox_server.base_url, timeout=5) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/oauth/token", data=token_form)
    assert sandbox_state.stats()["token_exchanges"] == 1


def test_drop_is_not_logged_as_a_server_error(
    sandbox_server: SandboxServer,
    sandbox_state: SandboxState,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sandbox_state.add_fault({"path": "/health", "drop": "before"})
    with httpx.Client(base_url=sandbox_server.base_url, timeout=5) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/health")
        client.get("/health")  # the drop has certainly been handled by now
    assert not [r for r in caplog.records if r.name.startswith("uvicorn")]


@pytest.mark.parametrize("when", ["before", "after"])
async def test_drop_in_process_raises_the_same_httpx_error(
    asgi_transport: httpx.ASGITransport,
    sandbox_asgi_base_url: str,
    sandbox_state: SandboxState,
    token_form: dict[str, str],
    when: str,
) -> None:
    async with httpx.AsyncClient(transport=asgi_transport, base_url=sandbox_asgi_base_url) as c:
        token = (await c.post("/oauth/token", data=token_form)).json()["access_token"]
        sandbox_state.add_fault({"path": "/workspaces", "method": "POST", "drop": when})
        with pytest.raises(httpx.RemoteProtocolError):
            await c.post(
                "/workspaces", json={"name": "W"}, headers={"Authorization": f"Bearer {token}"}
            )
    assert sandbox_state.workspace_count() == (1 if when == "after" else 0)
