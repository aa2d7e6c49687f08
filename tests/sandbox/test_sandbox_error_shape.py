"""The error-shape switch: API errors as the JSON:API envelope (default) or one flat object.

The document's examples show ``{"errors": [...]}``; its JsonApiErrorsNNN
schemas describe one flat object (status, code, title, detail at the top
level). Clients are tested against both by flipping the switch: a
SandboxState setting, ``POST /_sandbox/settings`` and ``onna-tui sandbox
--error-shape``. Over both transports; the conformance tests validate both
shapes against the bundled spec.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from sandbox_admin import Admin

from onna_tui.sandbox.server import SandboxServer
from onna_tui.sandbox.state import InvalidValue, SandboxState
from onna_tui.sandbox.uploads import DEFAULT_MAX_UPLOAD_SIZE

#: The upload settings every settings answer carries too (unchanged here).
UPLOADS = {"max_upload_size": DEFAULT_MAX_UPLOAD_SIZE, "tus_checksum": True}


def _flat(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert one flat JSON:API error object with every member Onna sends."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert "errors" not in body
    assert body["status"] == str(status) and body["code"] == code
    assert body["title"] and body["detail"] and len(body["id"]) == 36
    return body


@pytest.fixture
async def flat(admin: httpx.AsyncClient) -> None:
    response = await admin.post("/settings", json={"error_shape": "flat"})
    assert response.status_code == 200
    assert response.json() == {"error_shape": "flat", **UPLOADS}


async def test_the_default_is_the_envelope(
    admin: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    assert (await admin.get("/settings")).json() == {"error_shape": "envelope", **UPLOADS}
    assert "errors" in (await api.get("/oauth/user")).json()


@pytest.mark.usefixtures("flat")
async def test_api_errors_come_flat(
    api: httpx.AsyncClient, auth: dict[str, str], sandbox_state: SandboxState
) -> None:
    body = _flat(await api.get("/workspaces"), 401, "XX401_unauthorized")
    assert "Authorization" in body["detail"]
    assert (await api.get("/workspaces")).headers["www-authenticate"].startswith("Bearer")
    _flat(await api.get("/workspaces/nope", headers=auth), 404, "XX404_not_found")
    _flat(await api.get("/no-such-endpoint"), 404, "XX404_not_found")
    _flat(await api.put("/workspaces", headers=auth), 405, "XX405_method_not_allowed")
    body = _flat(
        await api.get("/workspaces", params={"cursor": "x"}, headers=auth),
        422,
        "XX422_unprocessable_entity",
    )
    assert body["source"] == {"parameter": "cursor"}
    _flat(await api.get("/health", headers={"Host": "evil.example"}), 400, "XX400_bad_request")
    sandbox_state.add_fault({"status": 503})
    body = _flat(await api.get("/health"), 503, "XX503_service_unavailable")
    assert "injected" in body["detail"]


@pytest.mark.usefixtures("flat")
async def test_several_field_errors_fold_into_one_flat_object(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await api.post("/workspaces", json={"tags": [1, "ok", 2]}, headers=auth)
    body = _flat(response, 422, "XX422_unprocessable_entity")
    assert body["source"] == {"pointer": "/name"}  # the first problem's
    assert body["detail"] == "name is required. tags[0] must be a string. tags[2] must be a string."


@pytest.mark.usefixtures("flat")
async def test_a_sandbox_bug_answers_flat_too(
    api: httpx.AsyncClient, sandbox_state: SandboxState, caplog: pytest.LogCaptureFixture
) -> None:
    # A Python-level fault body that cannot be rendered stands in for a bug.
    sandbox_state.add_fault({"status": 200, "body": float("nan")})
    with caplog.at_level(logging.CRITICAL, logger="onna_tui.sandbox"):
        _flat(await api.get("/health"), 500, "XX500_internal_server_error")


@pytest.mark.usefixtures("flat")
async def test_the_token_endpoint_keeps_its_own_shapes(
    api: httpx.AsyncClient, token_form: dict[str, str]
) -> None:
    # FastAPI's 422 and RFC 6749's 400/401 are not JSON:API errors.
    missing = await api.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == [
        "body",
        "client_id",
    ]
    wrong = await api.post("/oauth/token", data={**token_form, "client_secret": "wrong"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


@pytest.mark.usefixtures("flat")
async def test_the_admin_surface_keeps_the_envelope(admin: httpx.AsyncClient) -> None:
    response = await admin.delete("/clients/nobody")
    assert response.status_code == 404 and response.json()["errors"][0]["status"] == "404"


async def test_switching_back_and_forth(admin: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    for shape in ("flat", "envelope", "flat"):
        assert (await admin.post("/settings", json={"error_shape": shape})).status_code == 200
        body = (await api.get("/oauth/user")).json()
        assert ("errors" in body) == (shape == "envelope")
    # An empty object changes nothing.
    assert (await admin.post("/settings", json={})).json() == {"error_shape": "flat", **UPLOADS}


@pytest.mark.parametrize(
    ("body", "pointers"),
    [
        ({"error_shape": "FLAT"}, ["/error_shape"]),
        ({"error_shape": ["flat"]}, ["/error_shape"]),
        ({"error_shape": None}, ["/error_shape"]),
        ({"shape": "flat"}, ["/shape"]),
        ({"colour": 1, "error_shape": "x"}, ["/colour", "/error_shape"]),
    ],
)
async def test_bad_settings_are_refused_and_change_nothing(
    admin: httpx.AsyncClient,
    sandbox_state: SandboxState,
    body: dict[str, Any],
    pointers: list[str],
) -> None:
    response = await admin.post("/settings", json=body)
    assert response.status_code == 422
    assert [e["source"]["pointer"] for e in response.json()["errors"]] == pointers
    assert sandbox_state.error_shape == "envelope"
    assert (await admin.post("/settings", json=["flat"])).status_code == 422


def test_the_state_setting() -> None:
    assert SandboxState().error_shape == "envelope"
    state = SandboxState(error_shape="flat")
    assert state.settings() == {"error_shape": "flat", **UPLOADS}
    state.set_error_shape("envelope")
    assert state.error_shape == "envelope"
    with pytest.raises(InvalidValue):
        state.set_error_shape("html")
    with pytest.raises(ValueError, match="error_shape"):
        SandboxState(error_shape="html")


def test_the_shared_admin_helper_flips_the_shape(sandbox_server: SandboxServer) -> None:
    # What client-side tests use (tests/sandbox_admin.py).
    helper = Admin(sandbox_server.root_url)
    try:
        helper.error_shape("flat")
        assert sandbox_server.state.error_shape == "flat"
        assert helper.settings() == {"error_shape": "flat", **UPLOADS}
        helper.expire_tokens()  # a bodyless admin POST still goes through
    finally:
        helper.close()
    body = httpx.get(sandbox_server.base_url + "/oauth/user").json()
    assert body["code"] == "XX401_unauthorized"
