"""Hostile input the sandbox must answer with a 4xx (never a 500), and what it must not grow.

Deep JSON, huge numbers, non-finite numbers, non-ASCII cursors, lone
surrogates in stored text, CR/LF in injected headers; bounded stats; the Allow
header of a 405. Over both transports unless the test says otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from onna_tui.sandbox.app import UNKNOWN_ROUTE_KEY
from onna_tui.sandbox.faults import Fault, FaultSpecError
from onna_tui.sandbox.state import SandboxState

Check = Callable[[httpx.Response, int, str], list[dict[str, Any]]]
JSON = {"Content-Type": "application/json"}


def _pointer(errors: list[dict[str, Any]]) -> str:
    return str(errors[0]["source"]["pointer"])


# ------------------------------------------------------------ JSON bodies


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested more than"),  # RecursionError in json
        ('{"name": ' + "[" * 150 + "]" * 150 + "}", "nested more than"),  # parses, too deep
        ('{"name": ' + "1" * 5000 + "}", "5000 digits"),  # past int's digit limit
        ('{"name": NaN}', "NaN is not a JSON value"),
        ('{"name": -Infinity}', "-Infinity is not a JSON value"),
        ('{"name": 1e999}', "too large"),
    ],
)
async def test_bodies_that_used_to_be_a_500_are_a_422_at_the_body(
    api: httpx.AsyncClient, auth: dict[str, str], jsonapi_error: Check, body: str, says: str
) -> None:
    response = await api.post("/workspaces", content=body, headers={**auth, **JSON})
    errors = jsonapi_error(response, 422, "XX422_unprocessable_entity")
    assert _pointer(errors) == ""
    assert says in errors[0]["detail"]


async def test_a_fault_body_cannot_smuggle_in_what_could_not_be_sent_back(
    api: httpx.AsyncClient, admin: httpx.AsyncClient, jsonapi_error: Check
) -> None:
    # NaN used to be stored, and then every matching request failed to render.
    response = await admin.post("/faults", content='{"status": 200, "body": NaN}')
    jsonapi_error(response, 422, "XX422_unprocessable_entity")
    assert (await api.get("/health")).status_code == 200


@pytest.mark.parametrize("cursor", ["a.é", "é", "ü.ü", "\u2603" * 40])
async def test_a_non_ascii_cursor_is_refused_as_a_cursor(
    api: httpx.AsyncClient, auth: dict[str, str], jsonapi_error: Check, cursor: str
) -> None:
    response = await api.get("/workspaces", params={"cursor": cursor}, headers=auth)
    errors = jsonapi_error(response, 422, "XX422_unprocessable_entity")
    assert errors[0]["source"] == {"parameter": "cursor"}


# ------------------------------------------------------- lone surrogates


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ('{"name": "\\ud800"}', "/name"),
        ('{"name": "ok \\udfff"}', "/name"),
        ('{"name": "ok", "description": "\\ud83d"}', "/description"),
        ('{"name": "ok", "tags": ["fine", "\\ude00"]}', "/tags/1"),
    ],
)
async def test_lone_surrogates_are_refused_on_create_and_update(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    jsonapi_error: Check,
    sandbox_state: SandboxState,
    body: str,
    pointer: str,
) -> None:
    created = await api.post("/workspaces", content=body, headers={**auth, **JSON})
    errors = jsonapi_error(created, 422, "XX422_unprocessable_entity")
    assert _pointer(errors) == pointer
    assert "lone surrogate" in errors[0]["detail"]
    assert sandbox_state.workspace_count() == 0

    onna_id = sandbox_state.create_workspace("before").onna_id
    updated = await api.patch(f"/workspaces/{onna_id}", content=body, headers={**auth, **JSON})
    assert _pointer(jsonapi_error(updated, 422, "XX422_unprocessable_entity")) == pointer
    assert sandbox_state.get_workspace(onna_id).name == "before"  # type: ignore[union-attr]
    # And the list still answers.
    assert (await api.get("/workspaces", headers=auth)).status_code == 200


async def test_a_valid_surrogate_pair_is_just_a_character(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    created = await api.post(
        "/workspaces", content='{"name": "\\ud83d\\ude00 party"}', headers={**auth, **JSON}
    )
    assert created.status_code == 201
    listed = (await api.get("/workspaces", headers=auth)).json()["items"]
    assert listed[0]["name"] == "\U0001f600 party"


async def test_a_stored_lone_surrogate_does_not_break_the_list(
    api: httpx.AsyncClient, auth: dict[str, str], sandbox_state: SandboxState
) -> None:
    # Reachable through a state file or a Python caller, which the API cannot refuse.
    record = sandbox_state.create_workspace("bad \ud800 name", tags=["\udc00"])
    sandbox_state.create_workspace("fine")
    listed = await api.get("/workspaces", headers=auth)
    assert listed.status_code == 200
    assert [item["name"] for item in listed.json()["items"]] == ["bad \ufffd name", "fine"]
    one = await api.get(f"/workspaces/{record.onna_id}", headers=auth)
    assert one.status_code == 200 and one.json()["tags"] == ["\ufffd"]


async def test_admin_refuses_lone_surrogates_in_credentials(
    admin: httpx.AsyncClient, jsonapi_error: Check, sandbox_state: SandboxState
) -> None:
    before = sandbox_state.client_ids()
    for body in (
        '{"client_secret": "\\ud800"}',
        '{"user": {"id": "\\ud800@example.com"}}',
        '{"user": {"id": "u@example.com", "name": "\\udfff"}}',
    ):
        jsonapi_error(await admin.post("/clients", content=body), 422, "XX422_unprocessable_entity")
    assert sandbox_state.client_ids() == before


# ------------------------------------------------------- injected headers


@pytest.mark.parametrize(
    ("headers", "pointer"),
    [
        ({"X-Evil": "a\r\nSet-Cookie: session=stolen"}, "/headers/X-Evil"),
        ({"X-Evil": "a\nb"}, "/headers/X-Evil"),
        ({"X-Evil": "nul\x00byte"}, "/headers/X-Evil"),
        ({"X-Evil": "esc\x1b[2J"}, "/headers/X-Evil"),
        ({"X-Evil": " padded"}, "/headers/X-Evil"),
        ({"X-Evil": "\ud800"}, "/headers/X-Evil"),
        ({"X-Evil": "\u2603"}, "/headers/X-Evil"),  # not Latin-1: cannot go on the wire
        ({"X-Evil\r\nX-Other": "1"}, "/headers"),
        ({"Bad Name": "1"}, "/headers"),
        ({"": "1"}, "/headers"),
        ({"Content-Length": "1"}, "/headers/Content-Length"),
        ({"transfer-encoding": "chunked"}, "/headers/transfer-encoding"),
    ],
)
async def test_fault_headers_must_be_one_line_of_printable_text(
    admin: httpx.AsyncClient,
    jsonapi_error: Check,
    sandbox_state: SandboxState,
    headers: dict[str, str],
    pointer: str,
) -> None:
    # Encoded here: httpx's json= refuses a lone surrogate, JSON's \\u escapes do not.
    body = json.dumps({"status": 503, "headers": headers})
    response = await admin.post("/faults", content=body)
    assert _pointer(jsonapi_error(response, 422, "XX422_unprocessable_entity")) == pointer
    assert sandbox_state.faults() == []


def test_python_level_faults_check_their_headers_too() -> None:
    with pytest.raises(FaultSpecError) as caught:
        Fault(status=503, headers={"Retry-After": "1\r\nX-Injected: yes"})
    assert caught.value.field == "headers/Retry-After"
    assert Fault(headers={"Retry-After": "7", "X-Note": "Fünf\tTabs ok"}).headers


async def test_a_legal_header_value_still_reaches_the_client(
    api: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    added = await admin.post("/faults", json={"headers": {"X-Note": "two  spaces\tand tab"}})
    assert added.status_code == 201
    assert (await api.get("/health")).headers["x-note"] == "two  spaces\tand tab"


# ------------------------------------------------------------------ stats


async def test_unknown_paths_and_methods_count_under_bounded_keys(
    api: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    for i in range(30):
        await api.get(f"/nothing-here-{i}")
        await api.request(f"BREW{chr(65 + i % 26)}", "/health")
    by_route = (await admin.get("/stats")).json()["by_route"]
    assert by_route == {UNKNOWN_ROUTE_KEY: 30, "OTHER /v1/health": 30}


# -------------------------------------------------------------------- 405


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/v1/workspaces", "GET, HEAD, POST"),
        ("/v1/workspaces/some-id", "GET, HEAD, PATCH, DELETE"),
        ("/v1/health", "GET, HEAD"),
        ("/_sandbox/faults", "GET, HEAD, POST, DELETE"),
        ("/_sandbox/settings", "GET, HEAD, POST"),
    ],
)
async def test_a_405_allows_every_method_the_path_serves(
    api: httpx.AsyncClient, jsonapi_error: Check, path: str, allow: str
) -> None:
    response = await api.put(api.base_url.copy_with(path=path))
    jsonapi_error(response, 405, "XX405_method_not_allowed")
    assert response.headers["allow"] == allow
