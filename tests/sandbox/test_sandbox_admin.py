"""The /_sandbox admin surface (over both transports) and its SandboxState twins."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from onna_tui.sandbox.app import create_app
from onna_tui.sandbox.state import (
    DEFAULT_USER_ID,
    DeveloperRoleRevoked,
    InvalidValue,
    NotFoundError,
    SandboxState,
)

Check = Callable[[httpx.Response, int, str], list[dict[str, Any]]]


async def _exchange(api: httpx.AsyncClient, client_id: str, secret: str) -> httpx.Response:
    return await api.post(
        "/oauth/token",
        data={"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"},
    )


# ------------------------------------------------------------------ clients


async def test_add_client_generates_id_and_secret(
    api: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    response = await admin.post("/clients")
    assert response.status_code == 201
    body = response.json()
    assert body["client_id"] and len(body["client_secret"]) >= 32
    assert body["user_id"] == DEFAULT_USER_ID
    assert (await _exchange(api, body["client_id"], body["client_secret"])).status_code == 200
    # Each call makes a different client.
    again = (await admin.post("/clients", json={})).json()
    assert again["client_id"] != body["client_id"]
    assert again["client_secret"] != body["client_secret"]


async def test_add_client_with_given_values_and_user(
    api: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    response = await admin.post(
        "/clients",
        json={
            "client_id": "my-app",
            "client_secret": "s3cret-value",
            "user": {"id": "grace@example.com", "account_id": "navy", "name": "Grace"},
        },
    )
    assert response.status_code == 201
    assert response.json() == {
        "client_id": "my-app",
        "client_secret": "s3cret-value",
        "user_id": "grace@example.com",
    }
    token = (await _exchange(api, "my-app", "s3cret-value")).json()["access_token"]
    user = (await api.get("/oauth/user", headers={"Authorization": f"Bearer {token}"})).json()
    assert user == {"id": "grace@example.com", "account_id": "navy", "name": "Grace"}


async def test_re_adding_a_client_id_rekeys_it(
    api: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    await admin.post("/clients", json={"client_id": "app", "client_secret": "old-secret"})
    await admin.post("/clients", json={"client_id": "app", "client_secret": "new-secret"})
    assert (await _exchange(api, "app", "old-secret")).status_code == 401
    assert (await _exchange(api, "app", "new-secret")).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"client_id": ""},
        {"client_id": "has space"},
        {"client_id": 7},
        {"client_secret": ""},
        {"user": "someone"},
        {"user": {"name": "no id"}},
        {"user": {"id": "x@example.com", "developer_role": "yes"}},
        ["not", "an", "object"],
    ],
)
async def test_add_client_rejects_unusable_values(
    admin: httpx.AsyncClient, body: Any, jsonapi_error: Check
) -> None:
    jsonapi_error(await admin.post("/clients", json=body), 422, "XX422_unprocessable_entity")


async def test_remove_client(
    api: httpx.AsyncClient,
    admin: httpx.AsyncClient,
    auth: dict[str, str],
    token_form: dict[str, str],
    jsonapi_error: Check,
) -> None:
    response = await admin.delete(f"/clients/{token_form['client_id']}")
    assert response.status_code == 204
    assert (await api.get("/oauth/user", headers=auth)).status_code == 401
    assert (await api.post("/oauth/token", data=token_form)).status_code == 401
    jsonapi_error(await admin.delete("/clients/nobody"), 404, "XX404_not_found")


# -------------------------------------------------------------------- roles


async def test_revoked_role_blocks_new_credentials_only(
    api: httpx.AsyncClient,
    admin: httpx.AsyncClient,
    auth: dict[str, str],
    jsonapi_error: Check,
) -> None:
    user = {"id": "dev@example.com", "name": "Dev"}
    first = (await admin.post("/clients", json={"user": user})).json()
    response = await admin.post("/users/dev@example.com/revoke-developer-role")
    assert response.status_code == 204

    errors = jsonapi_error(
        await admin.post("/clients", json={"user": user}), 403, "XX403_forbidden"
    )
    assert "developer role" in errors[0]["detail"]
    # Re-sending developer_role=true does not undo a revocation.
    again = await admin.post("/clients", json={"user": {**user, "developer_role": True}})
    assert again.status_code == 403
    # The guide's warning: credentials created before the revocation still work.
    assert (await _exchange(api, first["client_id"], first["client_secret"])).status_code == 200
    # Other users are unaffected.
    assert (await admin.post("/clients")).status_code == 201


async def test_revoking_the_default_user_blocks_clients_without_a_user(
    admin: httpx.AsyncClient,
) -> None:
    await admin.post(f"/users/{DEFAULT_USER_ID}/revoke-developer-role")
    assert (await admin.post("/clients")).status_code == 403


async def test_revoking_an_unknown_user_is_404(
    admin: httpx.AsyncClient, jsonapi_error: Check
) -> None:
    jsonapi_error(
        await admin.post("/users/ghost@example.com/revoke-developer-role"), 404, "XX404_not_found"
    )


async def test_a_user_given_without_the_role_cannot_get_credentials(
    admin: httpx.AsyncClient,
) -> None:
    response = await admin.post(
        "/clients", json={"user": {"id": "x@example.com", "developer_role": False}}
    )
    assert response.status_code == 403


# ------------------------------------------------------------------- tokens


async def test_expire_tokens(
    api: httpx.AsyncClient, admin: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    assert (await api.get("/oauth/user", headers=auth)).status_code == 200
    assert (await admin.post("/expire-tokens")).status_code == 204
    response = await api.get("/oauth/user", headers=auth)
    assert response.status_code == 401
    assert "expired" in response.json()["errors"][0]["detail"]


# -------------------------------------------------------------------- stats


async def test_stats_count_requests_routes_and_exchanges(
    api: httpx.AsyncClient, admin: httpx.AsyncClient, token_form: dict[str, str]
) -> None:
    token = (await api.post("/oauth/token", data=token_form)).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    await api.post("/oauth/token", data={**token_form, "client_secret": "wrong"})
    onna_id = (await api.post("/workspaces", json={"name": "W"}, headers=auth)).json()["onna_id"]
    await api.get(f"/workspaces/{onna_id}", headers=auth)
    await api.get("/workspaces/other", headers=auth)
    await api.get("/health")

    stats = (await admin.get("/stats")).json()
    assert stats == {
        "token_exchanges": 1,  # the refused one is a request, not an exchange
        "requests": 6,  # admin calls are not counted
        "by_route": {
            "POST /v1/oauth/token": 2,
            "POST /v1/workspaces": 1,
            "GET /v1/workspaces/{onna_id}": 2,
            "GET /v1/health": 1,
        },
        "workspaces": 1,
        "custom_fields": 0,
        "folders": 0,
        "files": 0,
        "tickets": 0,
    }

    assert (await admin.post("/reset-stats")).status_code == 204
    assert (await admin.get("/stats")).json() == {
        "token_exchanges": 0,
        "requests": 0,
        "by_route": {},
        "workspaces": 1,  # a count of what exists, not a counter
        "custom_fields": 0,
        "folders": 0,
        "files": 0,
        "tickets": 0,
    }


# ---------------------------------------------------------------- loopback


async def test_admin_answers_loopback_clients_only(sandbox_state: SandboxState) -> None:
    transport = httpx.ASGITransport(app=create_app(sandbox_state), client=("203.0.113.9", 4000))
    # An IP address as Host: a name would be refused (DNS rebinding), see test_sandbox_origin.
    async with httpx.AsyncClient(transport=transport, base_url="http://192.0.2.10") as client:
        response = await client.post("/_sandbox/clients", json={})
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "XX403_forbidden"
        # The API itself answers anyone.
        assert (await client.get("/v1/health")).status_code == 200
    assert len(sandbox_state.client_ids()) == 1


# ------------------------------------------------------ python-level twins


def test_state_methods_mirror_the_admin_surface(sandbox_state: SandboxState) -> None:
    creds = sandbox_state.add_client(user={"id": "py@example.com"})
    assert sandbox_state.has_client(creds.client_id)
    assert creds.client_secret.get_secret_value() not in repr(creds)
    assert sandbox_state.client_owner(creds.client_id).name == "py"  # from the email

    sandbox_state.revoke_developer_role("py@example.com")
    with pytest.raises(DeveloperRoleRevoked):
        sandbox_state.add_client(user={"id": "py@example.com"})
    sandbox_state.grant_developer_role("py@example.com")
    sandbox_state.add_client(user={"id": "py@example.com"})

    sandbox_state.remove_client(creds.client_id)
    with pytest.raises(NotFoundError):
        sandbox_state.remove_client(creds.client_id)
    with pytest.raises(NotFoundError):
        sandbox_state.revoke_developer_role("nobody@example.com")
    with pytest.raises(InvalidValue):
        sandbox_state.create_workspace("  ")

    sandbox_state.add_fault({"status": 500})
    assert len(sandbox_state.faults()) == 1
    sandbox_state.clear_faults()
    assert sandbox_state.faults() == []
    assert sandbox_state.stats()["workspaces"] == 0


def test_state_rejects_nonsense_settings() -> None:
    with pytest.raises(ValueError, match="token_ttl"):
        SandboxState(token_ttl=0)
    with pytest.raises(ValueError, match="page_size"):
        SandboxState(page_size=0)


async def test_uploads_and_their_settings_are_visible_and_changeable(
    admin: httpx.AsyncClient, sandbox_state: Any
) -> None:
    changed = await admin.post("/settings", json={"max_upload_size": 1000, "tus_checksum": False})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["max_upload_size"], changed.json()["tus_checksum"]) == (1000, False)
    refused = await admin.post("/settings", json={"max_upload_size": -1, "tus_checksum": "yes"})
    assert refused.status_code == 422
    assert {e["source"]["pointer"] for e in refused.json()["errors"]} == {
        "/max_upload_size",
        "/tus_checksum",
    }
    ws = sandbox_state.create_workspace("W")
    node = sandbox_state.contents.create("file", ws.onna_id, {"ref": "r", "url": "u"})
    upload = sandbox_state.contents.start_upload(node.onna_id, 3, {"filename": "a"})
    sandbox_state.contents.append(upload, b"abc")
    [shown] = (await admin.get("/uploads")).json()
    assert shown["onna_id"] == node.onna_id and shown["complete"] is True
    assert shown["sha256"] == hashlib.sha256(b"abc").hexdigest()
