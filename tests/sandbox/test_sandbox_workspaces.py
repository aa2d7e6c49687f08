"""Workspaces: create, read, update, delete, validation and cursor paging, on both transports."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

from onna_tui.core.clock import ManualClock
from onna_tui.core.wire.workspaces import MAX_TAGS, Page, Workspace
from onna_tui.sandbox.state import SandboxState

Check = Callable[[httpx.Response, int, str], list[dict[str, Any]]]
UNPROCESSABLE = "XX422_unprocessable_entity"


async def _create(api: httpx.AsyncClient, auth: dict[str, str], **body: Any) -> str:
    response = await api.post("/workspaces", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["onna_id"])


# ------------------------------------------------------------------- create


async def test_create_like_the_guide_then_read_back(
    api: httpx.AsyncClient, auth: dict[str, str], sandbox_clock: ManualClock
) -> None:
    response = await api.post(
        "/workspaces", json={"name": "Foo", "description": "Bar"}, headers=auth
    )
    assert response.status_code == 201
    onna_id = response.json()["onna_id"]
    assert re.fullmatch(r"foo-[A-Za-z0-9]{9}", onna_id)
    assert response.headers["location"] == f"/v1/workspaces/{onna_id}"

    got = await api.get(f"/workspaces/{onna_id}", headers=auth)
    assert got.status_code == 200
    workspace = Workspace.model_validate(got.json())
    assert (workspace.onna_id, workspace.name, workspace.description, workspace.tags) == (
        onna_id,
        "Foo",
        "Bar",
        [],
    )
    assert workspace.creation_datetime == sandbox_clock()
    assert workspace.modification_datetime == sandbox_clock()


async def test_ids_are_unique_even_for_equal_names(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    ids = {await _create(api, auth, name="Same") for _ in range(5)}
    assert len(ids) == 5


async def test_name_without_letters_gets_a_generic_slug(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    assert (await _create(api, auth, name="¡¿!")).startswith("ws-")


async def test_tags_are_kept_in_order(api: httpx.AsyncClient, auth: dict[str, str]) -> None:
    onna_id = await _create(api, auth, name="T", tags=["project-x", "feature", "project-x"])
    body = (await api.get(f"/workspaces/{onna_id}", headers=auth)).json()
    assert body["tags"] == ["project-x", "feature", "project-x"]


async def test_exactly_max_tags_is_accepted(api: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await _create(api, auth, name="Many", tags=[f"t{i}" for i in range(MAX_TAGS)])


@pytest.mark.parametrize(
    ("body", "pointers"),
    [
        ({}, ["/name"]),
        ({"name": ""}, ["/name"]),
        ({"name": "   "}, ["/name"]),
        ({"name": None}, ["/name"]),
        ({"name": 42}, ["/name"]),
        ({"name": "ok", "description": 7}, ["/description"]),
        ({"name": "ok", "tags": "a,b"}, ["/tags"]),
        ({"name": "ok", "tags": ["a", 2, None]}, ["/tags/1", "/tags/2"]),
        ({"name": "ok", "tags": ["t"] * (MAX_TAGS + 1)}, ["/tags"]),
        ({"name": " ", "description": [], "tags": {}}, ["/name", "/description", "/tags"]),
    ],
)
async def test_invalid_create_bodies_name_their_fields(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    body: dict[str, Any],
    pointers: list[str],
    jsonapi_error: Check,
    sandbox_state: SandboxState,
) -> None:
    response = await api.post("/workspaces", json=body, headers=auth)
    errors = jsonapi_error(response, 422, UNPROCESSABLE)
    assert [e["source"]["pointer"] for e in errors] == pointers
    assert all(e["detail"].endswith(".") for e in errors)
    assert sandbox_state.workspace_count() == 0


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"name=Foo", "application/x-www-form-urlencoded"),
        (b"{not json", "application/json"),
        (b'"just a string"', "application/json"),
        (b"[]", "application/json"),
        (b"", "application/json"),
        (b"\xff\xfe", "application/json"),
    ],
)
async def test_non_json_or_non_object_bodies_are_422(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    content: bytes,
    content_type: str,
    jsonapi_error: Check,
) -> None:
    response = await api.post(
        "/workspaces", content=content, headers={**auth, "Content-Type": content_type}
    )
    errors = jsonapi_error(response, 422, UNPROCESSABLE)
    assert errors[0]["source"] == {"pointer": ""}


# --------------------------------------------------------- read/update/delete


async def test_patch_changes_only_the_given_fields(
    api: httpx.AsyncClient, auth: dict[str, str], sandbox_clock: ManualClock
) -> None:
    onna_id = await _create(api, auth, name="Old", description="Keep me", tags=["a"])
    created = sandbox_clock()
    sandbox_clock.advance(90)
    response = await api.patch(f"/workspaces/{onna_id}", json={"name": "New"}, headers=auth)
    assert response.status_code == 204
    assert response.content == b""
    body = (await api.get(f"/workspaces/{onna_id}", headers=auth)).json()
    assert (body["name"], body["description"], body["tags"]) == ("New", "Keep me", ["a"])
    assert datetime.fromisoformat(body["creation_datetime"]) == created
    assert datetime.fromisoformat(body["modification_datetime"]) == sandbox_clock()

    await api.patch(f"/workspaces/{onna_id}", json={"tags": [], "description": ""}, headers=auth)
    body = (await api.get(f"/workspaces/{onna_id}", headers=auth)).json()
    assert (body["name"], body["description"], body["tags"]) == ("New", "", [])


async def test_empty_patch_changes_nothing(
    api: httpx.AsyncClient, auth: dict[str, str], sandbox_clock: ManualClock
) -> None:
    onna_id = await _create(api, auth, name="Same")
    before = (await api.get(f"/workspaces/{onna_id}", headers=auth)).json()
    sandbox_clock.advance(5)
    assert (await api.patch(f"/workspaces/{onna_id}", json={}, headers=auth)).status_code == 204
    assert (await api.get(f"/workspaces/{onna_id}", headers=auth)).json() == before


@pytest.mark.parametrize(
    ("body", "pointer"),
    [({"name": ""}, "/name"), ({"tags": [1]}, "/tags/0"), ({"description": False}, "/description")],
)
async def test_invalid_patch_is_422_and_changes_nothing(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    body: dict[str, Any],
    pointer: str,
    jsonapi_error: Check,
) -> None:
    onna_id = await _create(api, auth, name="Keep")
    response = await api.patch(f"/workspaces/{onna_id}", json=body, headers=auth)
    errors = jsonapi_error(response, 422, UNPROCESSABLE)
    assert errors[0]["source"]["pointer"] == pointer
    assert (await api.get(f"/workspaces/{onna_id}", headers=auth)).json()["name"] == "Keep"


async def test_patch_needs_a_json_body(
    api: httpx.AsyncClient, auth: dict[str, str], jsonapi_error: Check
) -> None:
    onna_id = await _create(api, auth, name="Keep")
    response = await api.patch(f"/workspaces/{onna_id}", content=b"<xml/>", headers=auth)
    jsonapi_error(response, 422, UNPROCESSABLE)


async def test_delete_then_everything_is_404(
    api: httpx.AsyncClient, auth: dict[str, str], jsonapi_error: Check
) -> None:
    onna_id = await _create(api, auth, name="Doomed")
    response = await api.delete(f"/workspaces/{onna_id}", headers=auth)
    assert response.status_code == 204
    for method, body in (("GET", None), ("PATCH", {"name": "x"}), ("DELETE", None)):
        response = await api.request(method, f"/workspaces/{onna_id}", json=body, headers=auth)
        errors = jsonapi_error(response, 404, "XX404_not_found")
        assert onna_id in errors[0]["detail"]
    listed = (await api.get("/workspaces", headers=auth)).json()
    assert listed == {"items": []}


# ------------------------------------------------------------------- paging


async def test_empty_list_has_no_cursor(api: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await api.get("/workspaces", headers=auth)
    assert response.status_code == 200
    assert response.json() == {"items": []}


@pytest.mark.parametrize("count", [1, 3, 10])
async def test_paging_through_many_workspaces(
    api: httpx.AsyncClient, auth: dict[str, str], sandbox_state: SandboxState, count: int
) -> None:
    sandbox_state.page_size = 3
    created = [await _create(api, auth, name=f"W{i}") for i in range(count)]

    seen: list[str] = []
    pages = 0
    cursor: str | None = None
    while True:
        params = {"cursor": cursor} if cursor else {}
        response = await api.get("/workspaces", params=params, headers=auth)
        assert response.status_code == 200
        page = Page.model_validate(response.json())
        pages += 1
        assert len(page.items) <= 3
        seen.extend(item.onna_id for item in page.items)
        assert {item.name for item in page.items} <= {f"W{i}" for i in range(count)}
        if page.cursor is None:
            assert "cursor" not in response.json()  # omitted, not null
            break
        assert len(page.items) == 3  # only full pages have a next page
        cursor = page.cursor
    assert seen == created  # creation order, nothing twice, nothing missing
    assert pages == max(1, -(-count // 3))  # exactly-full last page: no empty extra page


async def test_deleting_between_pages_neither_repeats_nor_skips(
    api: httpx.AsyncClient, auth: dict[str, str], sandbox_state: SandboxState
) -> None:
    sandbox_state.page_size = 2
    ids = [await _create(api, auth, name=f"W{i}") for i in range(6)]
    first = (await api.get("/workspaces", headers=auth)).json()
    assert [i["onna_id"] for i in first["items"]] == ids[:2]
    await api.delete(f"/workspaces/{ids[1]}", headers=auth)  # the cursor's own item
    await api.delete(f"/workspaces/{ids[2]}", headers=auth)
    second = (await api.get("/workspaces", params={"cursor": first["cursor"]}, headers=auth)).json()
    assert [i["onna_id"] for i in second["items"]] == ids[3:5]


@pytest.mark.parametrize(
    "cursor", ["garbage", "MQ", "MQ.0000000000000000", "2022-02-22T11:11:11.12345", "..."]
)
async def test_garbled_or_invented_cursors_are_422(
    api: httpx.AsyncClient, auth: dict[str, str], cursor: str, jsonapi_error: Check
) -> None:
    await _create(api, auth, name="W")
    response = await api.get("/workspaces", params={"cursor": cursor}, headers=auth)
    errors = jsonapi_error(response, 422, UNPROCESSABLE)
    assert errors[0]["source"] == {"parameter": "cursor"}


async def test_cursor_from_another_sandbox_is_422(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    other = SandboxState(page_size=1)
    for name in ("a", "b"):
        other.create_workspace(name)
    _, foreign_cursor = other.list_workspaces()
    assert foreign_cursor is not None
    response = await api.get("/workspaces", params={"cursor": foreign_cursor}, headers=auth)
    assert response.status_code == 422


async def test_oversized_body_is_413(
    api: httpx.AsyncClient, auth: dict[str, str], jsonapi_error: Check
) -> None:
    from onna_tui.sandbox.app import MAX_BODY_BYTES

    body = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = await api.post(
        "/workspaces", content=body, headers={**auth, "Content-Type": "application/json"}
    )
    jsonapi_error(response, 413, "XX413_payload_too_large")
