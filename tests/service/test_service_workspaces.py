"""Workspace calls against the sandbox: create, read, update, delete, and paging to the end."""

from __future__ import annotations

from typing import Any

import pytest

from onna_tui.api.client import OnnaClient
from onna_tui.api.errors import NotFound, PaginationError, ValidationFailed
from onna_tui.core.wire.workspaces import WorkspaceDraft, WorkspaceUpdate


async def test_create_read_update_delete(client: OnnaClient) -> None:
    created = await client.create_workspace(
        WorkspaceDraft(name="Foo", description="Bar", tags=["project-x", "feature"])
    )
    assert created.onna_id
    got = await client.get_workspace(created.onna_id)
    assert (got.name, got.description, got.tags) == ("Foo", "Bar", ["project-x", "feature"])
    assert got.creation_datetime is not None

    await client.update_workspace(created.onna_id, WorkspaceUpdate(name="Renamed"))
    renamed = await client.get_workspace(created.onna_id)
    assert renamed.name == "Renamed"
    assert renamed.description == "Bar"

    await client.delete_workspace(created.onna_id)
    with pytest.raises(NotFound) as info:
        await client.get_workspace(created.onna_id)
    assert created.onna_id in str(info.value)
    assert "workspace list" in str(info.value)


async def test_listing_follows_cursors_to_the_end(client: OnnaClient, admin: Any) -> None:
    names = [f"ws {i:03}" for i in range(120)]  # more than two pages of 50
    for name in names:
        await client.create_workspace(WorkspaceDraft(name=name))
    seen = [item.name async for item in client.iter_workspaces()]
    assert sorted(seen) == names
    assert admin.stats()["by_route"]["GET /v1/workspaces"] == 3


async def test_empty_list_is_one_page(client: OnnaClient) -> None:
    assert [item async for item in client.iter_workspaces()] == []


async def test_page_limit_stops_a_list_that_never_ends(client: OnnaClient) -> None:
    for i in range(120):
        await client.create_workspace(WorkspaceDraft(name=f"w{i}"))
    with pytest.raises(PaginationError) as info:
        _ = [item async for item in client.iter_workspaces(page_limit=2)]
    assert "after 2 pages" in str(info.value)
    assert "incomplete" in str(info.value)


async def test_repeated_cursor_is_stopped(client: OnnaClient, admin: Any) -> None:
    looping = {"items": [{"onna_id": "a1", "name": "a"}], "cursor": "same-again"}
    admin.fault(path="/v1/workspaces", method="GET", status=200, body=looping, count=5)
    with pytest.raises(PaginationError) as info:
        _ = [item async for item in client.iter_workspaces()]
    assert "already sent" in str(info.value)


async def test_blank_name_is_refused_before_sending() -> None:
    with pytest.raises(ValueError):
        WorkspaceDraft(name="   ")


async def test_server_side_validation_names_the_field(client: OnnaClient) -> None:
    # Bypass local validation to see what the server itself says.
    draft = WorkspaceDraft.model_construct(name="   ", description=None, tags=[])
    with pytest.raises(ValidationFailed) as info:
        await client.create_workspace(draft)
    assert info.value.status == 422
    assert info.value.for_field("name"), info.value.field_errors
    assert "name" in str(info.value)
    assert "Correct it and try again" in str(info.value)


async def test_fastapi_shaped_422_also_names_fields(client: OnnaClient, admin: Any) -> None:
    body = {"detail": [{"loc": ["body", "tags", 3], "msg": "too long", "type": "value_error"}]}
    admin.fault(path="/v1/workspaces", method="POST", status=422, body=body)
    with pytest.raises(ValidationFailed) as info:
        await client.create_workspace(WorkspaceDraft(name="x"))
    assert info.value.for_field("tags") == ["too long"]


@pytest.mark.parametrize("bad", ["", ".", "..", " "])
async def test_ids_that_would_change_the_url_are_refused(client: OnnaClient, bad: str) -> None:
    from onna_tui.core.errors import ConfigError

    with pytest.raises(ConfigError, match="not a workspace id"):
        await client.delete_workspace(bad)
