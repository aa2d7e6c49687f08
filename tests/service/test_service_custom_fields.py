"""Custom fields and the delete that may be retried, through the service layer, over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from onna_tui.api.client import OnnaClient
from onna_tui.api.errors import NotFound, OutcomeUnknown, ValidationFailed
from onna_tui.core.wire.custom_fields import CustomFieldDraft
from onna_tui.core.wire.workspaces import WorkspaceDraft


async def test_fields_round_trip(client: OnnaClient) -> None:
    ws = (await client.create_workspace(WorkspaceDraft(name="Case 42"))).onna_id
    draft = CustomFieldDraft(name="Matter", type="keyword", description="The matter number")
    field_id = (await client.create_custom_field(draft)).onna_id
    [field] = [f async for f in client.iter_custom_fields()]
    assert (field.onna_id, field.name, field.type, field.usage_count) == (
        field_id,
        "Matter",
        "keyword",
        0,
    )
    await client.enable_custom_field(ws, field_id)
    assert [f.onna_id async for f in client.iter_workspace_custom_fields(ws)] == [field_id]
    assert (await client.get_custom_value(ws, field_id)).value is None
    await client.set_custom_value(ws, field_id, "M-42")
    value = await client.get_custom_value(ws, field_id)
    assert (value.onna_id, value.value) == (field_id, "M-42")
    assert [f.usage_count async for f in client.iter_custom_fields()] == [1]


async def test_field_values_join_names_types_and_values_in_the_servers_order(
    client: OnnaClient,
) -> None:
    ws = (await client.create_workspace(WorkspaceDraft(name="Joined"))).onna_id
    assert await client.workspace_field_values(ws) == []
    ids = [
        (await client.create_custom_field(CustomFieldDraft(name=n, type=t, description=""))).onna_id
        for n, t in (("Matter", "keyword"), ("Due", "date"), ("Unused", "keyword"))
    ]
    await client.enable_custom_field(ws, ids[1])
    await client.enable_custom_field(ws, ids[0])
    await client.set_custom_value(ws, ids[0], "M-7")
    rows = await client.workspace_field_values(ws)
    listed = [f.onna_id async for f in client.iter_workspace_custom_fields(ws)]
    assert [r.onna_id for r in rows] == listed
    assert sorted((r.name, r.onna_id, r.type, r.value) for r in rows) == [
        ("Due", ids[1], "date", None),
        ("Matter", ids[0], "keyword", "M-7"),
    ]


async def test_every_page_of_fields_is_followed(client: OnnaClient, sandbox_state: Any) -> None:
    sandbox_state.page_size = 2  # this test's own state
    made = [
        (
            await client.create_custom_field(
                CustomFieldDraft(name=f"F{i}", type="keyword", description="")
            )
        ).onna_id
        for i in range(5)
    ]
    assert [f.onna_id async for f in client.iter_custom_fields()] == made


async def test_unknown_ids_and_bad_values_say_what_is_wrong(client: OnnaClient) -> None:
    ws = (await client.create_workspace(WorkspaceDraft(name="W"))).onna_id
    with pytest.raises(NotFound, match="cf-none"):
        await client.enable_custom_field(ws, "cf-none")
    field_id = (
        await client.create_custom_field(CustomFieldDraft(name="M", type="keyword", description=""))
    ).onna_id
    with pytest.raises(NotFound, match="not enabled"):
        await client.get_custom_value(ws, field_id)
    with pytest.raises(NotFound):
        await client.set_custom_value("no-such-workspace", field_id, "x")


async def test_a_dropped_delete_is_sent_again_and_a_404_then_means_done(
    client: OnnaClient, admin: Any
) -> None:
    ws = (await client.create_workspace(WorkspaceDraft(name="Doomed"))).onna_id
    admin.fault(path=f"/v1/workspaces/{ws}", method="DELETE", drop="after")
    outcome = await client.delete_workspace(ws)
    assert outcome.already_gone
    assert admin.stats()["by_route"]["DELETE /v1/workspaces/{onna_id}"] == 2
    with pytest.raises(NotFound):
        await client.get_workspace(ws)


async def test_a_delete_dropped_before_it_happened_is_done_by_the_retry(
    client: OnnaClient, admin: Any
) -> None:
    ws = (await client.create_workspace(WorkspaceDraft(name="Doomed"))).onna_id
    admin.fault(path=f"/v1/workspaces/{ws}", method="DELETE", drop="before")
    assert not (await client.delete_workspace(ws)).already_gone
    with pytest.raises(NotFound):
        await client.get_workspace(ws)


async def test_a_delete_is_retried_only_once(client: OnnaClient, admin: Any) -> None:
    ws = (await client.create_workspace(WorkspaceDraft(name="Kept"))).onna_id
    admin.fault(path=f"/v1/workspaces/{ws}", method="DELETE", drop="before", count=2)
    with pytest.raises(OutcomeUnknown):
        await client.delete_workspace(ws)
    assert admin.stats()["by_route"]["DELETE /v1/workspaces/{onna_id}"] == 2
    assert (await client.get_workspace(ws)).name == "Kept"


async def test_a_wrong_id_on_the_first_delete_is_not_found(client: OnnaClient) -> None:
    with pytest.raises(NotFound):
        await client.delete_workspace("no-such-workspace")


async def test_a_blank_field_name_is_a_422_on_its_field(client: OnnaClient) -> None:
    # Past local validation (which refuses it first), as another client might send it.
    draft = CustomFieldDraft.model_construct(
        name=" ", type="keyword", description="", required=False
    )
    with pytest.raises(ValidationFailed) as info:
        await client.create_custom_field(draft)
    assert [problem.field for problem in info.value.field_errors] == ["name"]
