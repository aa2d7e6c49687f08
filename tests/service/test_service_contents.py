"""Folders, files and tickets through the service layer, against the sandbox over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from onna_tui.api.client import OnnaClient
from onna_tui.api.errors import NotFound, ValidationFailed
from onna_tui.core.wire.contents import FileDraft, FolderDraft, TicketDraft
from onna_tui.core.wire.workspaces import WorkspaceDraft


async def _workspace(client: OnnaClient, name: str = "Matter 7") -> str:
    return (await client.create_workspace(WorkspaceDraft(name=name))).onna_id


async def test_folders_nest_rename_and_delete_everything_inside(client: OnnaClient) -> None:
    ws = await _workspace(client)
    top = (await client.create_folder(FolderDraft(name="Mail", onna_parent_id=ws))).onna_id
    sub = (await client.create_folder(FolderDraft(name="2026", onna_parent_id=top))).onna_id
    draft = FileDraft(onna_parent_id=sub, ref="r1", url="file:///tmp/a.txt", name="a.txt")
    file_id = (await client.create_file(draft)).onna_id
    assert (await client.get_folder(sub)).name == "2026"
    await client.rename_folder(sub, "Year 2026")
    assert (await client.get_folder(sub)).name == "Year 2026"
    found = await client.get_file(file_id)
    assert (found.onna_parent_id, found.name, found.ref) == (sub, "a.txt", "r1")

    await client.delete_folder(top)
    for read in (client.get_folder(top), client.get_folder(sub), client.get_file(file_id)):
        with pytest.raises(NotFound):
            await read


async def test_deleting_a_workspace_deletes_its_contents(client: OnnaClient) -> None:
    ws = await _workspace(client)
    folder = (await client.create_folder(FolderDraft(name="F", onna_parent_id=ws))).onna_id
    await client.delete_workspace(ws)
    with pytest.raises(NotFound):
        await client.get_folder(folder)


async def test_tickets_round_trip(client: OnnaClient) -> None:
    ws = await _workspace(client)
    folder = (await client.create_folder(FolderDraft(name="Cases", onna_parent_id=ws))).onna_id
    draft = TicketDraft(
        onna_parent_id=folder,
        name="CS0001401",
        ref="f352dc93",
        url="https://instance.example/case/f352dc93",
        priority="high",
        tags=["vip"],
    )
    ticket_id = (await client.create_ticket(draft)).onna_id
    ticket = await client.get_ticket(ticket_id)
    assert (ticket.name, ticket.priority, ticket.tags, ticket.onna_parent_id) == (
        "CS0001401",
        "high",
        ["vip"],
        folder,
    )
    assert ticket.onna_url
    await client.delete_ticket(ticket_id)
    with pytest.raises(NotFound):
        await client.get_ticket(ticket_id)


async def test_an_unknown_parent_is_404_for_a_folder_and_422_for_a_resource(
    client: OnnaClient,
) -> None:
    with pytest.raises(NotFound) as folder_error:
        await client.create_folder(FolderDraft(name="F", onna_parent_id="nope"))
    assert "nope" in folder_error.value.message
    with pytest.raises(ValidationFailed) as file_error:
        await client.create_file(FileDraft(onna_parent_id="nope", ref="r", url="u"))
    assert file_error.value.for_field("onna_parent_id")


async def test_the_sandbox_checks_bodies_with_the_clients_own_rules(
    client: OnnaClient,
) -> None:
    ws = await _workspace(client)
    response = await client.http.post(
        f"{client.base_url}/resources/files",
        json={"onna_parent_id": ws, "ref": " ", "tags": ["ok", ""], "unknown": 1},
        headers={"Authorization": (await client.require_tokens().get()).authorization_header()},
    )
    assert response.status_code == 422
    pointers = {e["source"]["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/ref", "/url", "/tags/1"}


async def test_a_dropped_folder_delete_is_sent_again(
    client: OnnaClient, sandbox_state: Any
) -> None:
    from onna_tui.sandbox.faults import Fault

    ws = await _workspace(client)
    folder = (await client.create_folder(FolderDraft(name="F", onna_parent_id=ws))).onna_id
    sandbox_state.add_fault(Fault(path="/folders", method="DELETE", drop="after"))
    outcome = await client.delete_folder(folder)
    assert outcome.already_gone


async def test_a_refused_folder_body_comes_in_fastapis_shape_and_is_read_per_field(
    client: OnnaClient,
) -> None:
    ws = await _workspace(client)
    response = await client.http.post(
        f"{client.base_url}/folders",
        json={"onna_parent_id": ws, "name": "  "},
        headers={"Authorization": (await client.require_tokens().get()).authorization_header()},
    )
    assert response.status_code == 422
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["body", "name"]
    with pytest.raises(ValidationFailed) as refused:
        await client.create_folder(FolderDraft.model_construct(name=" ", onna_parent_id=ws))
    assert refused.value.for_field("name")
