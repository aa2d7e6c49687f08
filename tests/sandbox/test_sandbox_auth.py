"""The sandbox's health, token exchange, bearer checks and current user, on both transports."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from onna_tui.core.clock import ManualClock
from onna_tui.sandbox.state import DEFAULT_USER_ID, SandboxState

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
Check = Callable[[httpx.Response, int, str], list[dict[str, Any]]]


# ------------------------------------------------------------------ health


async def test_health_needs_no_token(api: httpx.AsyncClient) -> None:
    response = await api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "pass", "version": "v1", "release_id": "sandbox-0.1.0"}
    assert UUID_RE.match(response.headers["x-request-id"])


async def test_request_ids_are_fresh_per_request_and_echo_a_sane_incoming_one(
    api: httpx.AsyncClient,
) -> None:
    first = await api.get("/health")
    second = await api.get("/health")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    echoed = await api.get("/health", headers={"X-Request-ID": "trace-1234.abc"})
    assert echoed.headers["x-request-id"] == "trace-1234.abc"
    # Something that could smuggle text into logs is replaced, not echoed.
    replaced = await api.get("/health", headers={"X-Request-ID": "x y<script>"})
    assert UUID_RE.match(replaced.headers["x-request-id"])


async def test_openapi_document_is_served(api: httpx.AsyncClient) -> None:
    response = await api.get("/openapi.yaml")
    assert response.status_code == 200
    assert "operationId: Workspaces_create" in response.text


async def test_unknown_endpoint_and_method_are_jsonapi_errors(
    api: httpx.AsyncClient, auth: dict[str, str], jsonapi_error: Check
) -> None:
    jsonapi_error(await api.get("/collections", headers=auth), 404, "XX404_not_found")
    response = await api.put("/workspaces", headers=auth)
    jsonapi_error(response, 405, "XX405_method_not_allowed")
    assert "x-request-id" in response.headers


# ------------------------------------------------------------------- token


async def test_token_exchange_like_the_guide(
    api: httpx.AsyncClient, token_form: dict[str, str], sandbox_state: SandboxState
) -> None:
    response = await api.post(
        "/oauth/token",
        content=httpx.QueryParams(token_form).__str__().encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3599
    assert len(body["access_token"]) >= 64
    assert re.fullmatch(r"[A-Za-z0-9_-]+", body["access_token"])
    assert response.headers["cache-control"] == "no-store"
    assert sandbox_state.stats()["token_exchanges"] == 1


async def test_each_exchange_mints_a_new_token(
    api: httpx.AsyncClient, token_form: dict[str, str]
) -> None:
    tokens = {
        (await api.post("/oauth/token", data=token_form)).json()["access_token"] for _ in range(3)
    }
    assert len(tokens) == 3


async def test_grant_type_defaults_to_client_credentials(
    api: httpx.AsyncClient, token_form: dict[str, str]
) -> None:
    del token_form["grant_type"]
    assert (await api.post("/oauth/token", data=token_form)).status_code == 200


@pytest.mark.parametrize(
    ("drop", "expected_missing"),
    [
        (["client_id"], ["client_id"]),
        (["client_secret"], ["client_secret"]),
        (["client_id", "client_secret"], ["client_id", "client_secret"]),
    ],
)
async def test_missing_form_fields_are_fastapi_422(
    api: httpx.AsyncClient,
    token_form: dict[str, str],
    drop: list[str],
    expected_missing: list[str],
    sandbox_state: SandboxState,
) -> None:
    for name in drop:
        del token_form[name]
    response = await api.post("/oauth/token", data=token_form)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["body", name], "msg": "field required", "type": "value_error.missing"}
            for name in expected_missing
        ]
    }
    assert sandbox_state.stats()["token_exchanges"] == 0


async def test_empty_form_value_counts_as_missing(
    api: httpx.AsyncClient, token_form: dict[str, str]
) -> None:
    token_form["client_secret"] = ""
    response = await api.post("/oauth/token", data=token_form)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "client_secret"]


async def test_json_body_is_not_a_form(api: httpx.AsyncClient, token_form: dict[str, str]) -> None:
    # The endpoint is form-encoded only: a JSON body has no form fields at all.
    response = await api.post("/oauth/token", json=token_form)
    assert response.status_code == 422
    assert [d["loc"][1] for d in response.json()["detail"]] == ["client_id", "client_secret"]


async def test_other_grant_types_are_rfc6749_400(
    api: httpx.AsyncClient, token_form: dict[str, str]
) -> None:
    token_form["grant_type"] = "password"
    response = await api.post("/oauth/token", data=token_form)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize("field", ["client_id", "client_secret"])
async def test_bad_credentials_are_invalid_client_401(
    api: httpx.AsyncClient, token_form: dict[str, str], field: str, sandbox_state: SandboxState
) -> None:
    token_form[field] = token_form[field] + "-wrong"
    response = await api.post("/oauth/token", data=token_form)
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "invalid_client"
    assert body["error_description"]
    # Neither the secret that was sent nor the right one appears in the answer.
    assert "test-secret-value" not in response.text
    assert sandbox_state.stats()["token_exchanges"] == 0


async def test_token_ttl_is_configurable(
    api: httpx.AsyncClient, token_form: dict[str, str], sandbox_state: SandboxState
) -> None:
    sandbox_state.token_ttl = 60
    response = await api.post("/oauth/token", data=token_form)
    assert response.json()["expires_in"] == 60


# ------------------------------------------------------------------ bearer


async def test_current_user(api: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await api.get("/oauth/user", headers=auth)
    assert response.status_code == 200
    assert response.json() == {
        "id": DEFAULT_USER_ID,
        "account_id": "sandbox",
        "name": "Sandbox",
        "surname": "Developer",
    }


async def test_current_user_is_the_token_clients_user(
    api: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    creds = sandbox_state.add_client(
        user={"id": "ada@example.com", "account_id": "acme", "name": "Ada", "surname": "Lovelace"}
    )
    token = (
        await api.post(
            "/oauth/token",
            data={
                "client_id": creds.client_id,
                "client_secret": creds.client_secret.get_secret_value(),
            },
        )
    ).json()["access_token"]
    response = await api.get("/oauth/user", headers={"Authorization": f"Bearer {token}"})
    assert response.json() == {
        "id": "ada@example.com",
        "account_id": "acme",
        "name": "Ada",
        "surname": "Lovelace",
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/oauth/user"),
        ("GET", "/workspaces"),
        ("POST", "/workspaces"),
        ("GET", "/workspaces/some-id"),
        ("PATCH", "/workspaces/some-id"),
        ("DELETE", "/workspaces/some-id"),
    ],
)
async def test_every_api_route_needs_a_token(
    api: httpx.AsyncClient, method: str, path: str, jsonapi_error: Check
) -> None:
    response = await api.request(method, path, json={"name": "x"})
    errors = jsonapi_error(response, 401, "XX401_unauthorized")
    assert errors[0]["title"] == "Unauthorized"
    assert "Authorization" in errors[0]["detail"]
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Basic dGVzdDp0ZXN0", "Bearer not-a-token-we-issued", "Token abc"],
)
async def test_malformed_or_unknown_tokens_are_401(
    api: httpx.AsyncClient, header: str, jsonapi_error: Check
) -> None:
    response = await api.get("/workspaces", headers={"Authorization": header})
    jsonapi_error(response, 401, "XX401_unauthorized")


async def test_token_expires_by_the_clock(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    sandbox_clock: ManualClock,
    jsonapi_error: Check,
) -> None:
    sandbox_clock.advance(3598)
    assert (await api.get("/oauth/user", headers=auth)).status_code == 200
    sandbox_clock.advance(1)  # exactly 3599 s after issue: dead
    response = await api.get("/oauth/user", headers=auth)
    errors = jsonapi_error(response, 401, "XX401_unauthorized")
    assert "expired" in errors[0]["detail"]
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_an_expired_token_is_cured_by_a_new_exchange_not_a_refresh(
    api: httpx.AsyncClient,
    token_form: dict[str, str],
    auth: dict[str, str],
    sandbox_clock: ManualClock,
) -> None:
    sandbox_clock.advance(3600)
    assert (await api.get("/oauth/user", headers=auth)).status_code == 401
    refresh = dict(token_form, grant_type="refresh_token")
    assert (await api.post("/oauth/token", data=refresh)).status_code == 400
    fresh = (await api.post("/oauth/token", data=token_form)).json()["access_token"]
    response = await api.get("/oauth/user", headers={"Authorization": f"Bearer {fresh}"})
    assert response.status_code == 200


async def test_expire_all_tokens(
    api: httpx.AsyncClient, auth: dict[str, str], sandbox_state: SandboxState, token_form: dict
) -> None:
    sandbox_state.expire_all_tokens()
    response = await api.get("/oauth/user", headers=auth)
    assert response.status_code == 401
    assert "expired" in response.json()["errors"][0]["detail"]
    # Tokens minted afterwards are fine.
    fresh = (await api.post("/oauth/token", data=token_form)).json()["access_token"]
    assert (
        await api.get("/oauth/user", headers={"Authorization": f"Bearer {fresh}"})
    ).status_code == 200


async def test_removing_a_client_kills_its_tokens(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    sandbox_state: SandboxState,
    token_form: dict[str, str],
) -> None:
    sandbox_state.remove_client(token_form["client_id"])
    assert (await api.get("/oauth/user", headers=auth)).status_code == 401
    assert (await api.post("/oauth/token", data=token_form)).status_code == 401


async def test_revoking_the_role_keeps_existing_credentials_working(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    sandbox_state: SandboxState,
    token_form: dict[str, str],
) -> None:
    # The guide: "old credentials will still work if they haven't deleted them".
    sandbox_state.revoke_developer_role(DEFAULT_USER_ID)
    assert (await api.get("/oauth/user", headers=auth)).status_code == 200
    assert (await api.post("/oauth/token", data=token_form)).status_code == 200
