"""What goes into a workspace: folders (create, read, rename, delete), file resources and
ticket resources (create, read, delete). A file's content is uploaded by api.tus.

The published document has no call that lists what a workspace or a folder holds.
"""

from __future__ import annotations

from onna_tui.api.requester import DeleteOutcome, Requester, delete_idempotent, segment
from onna_tui.api.responses import parse_model
from onna_tui.core.wire.contents import (
    Created,
    FileDraft,
    FileResource,
    Folder,
    FolderDraft,
    FolderRename,
    Ticket,
    TicketDraft,
)


def folder_path(onna_id: str) -> str:
    return f"/folders/{segment(onna_id, what='folder')}"


def file_path(onna_id: str) -> str:
    return f"/resources/files/{segment(onna_id, what='file')}"


def ticket_path(onna_id: str) -> str:
    return f"/resources/tickets/{segment(onna_id, what='ticket')}"


async def create_folder(api: Requester, draft: FolderDraft) -> Created:
    """POST /folders. Never retried after a timeout or a dropped connection."""
    response = await api.send(
        "POST", "/folders", action=f"create folder {draft.name!r}", json=draft.to_wire()
    )
    return parse_model(Created, response)


async def get_folder(api: Requester, onna_id: str) -> Folder:
    """GET /folders/{onna_id}."""
    response = await api.send("GET", folder_path(onna_id), action=f"read folder {onna_id}")
    return parse_model(Folder, response)


async def rename_folder(api: Requester, onna_id: str, name: str) -> None:
    """PATCH /folders/{onna_id} {"name": name} (204)."""
    await api.send(
        "PATCH",
        folder_path(onna_id),
        action=f"rename folder {onna_id}",
        json=FolderRename(name=name).to_wire(),
    )


async def delete_folder(api: Requester, onna_id: str) -> DeleteOutcome:
    """DELETE /folders/{onna_id}: the folder and everything in it."""
    return await delete_idempotent(api, folder_path(onna_id), action=f"delete folder {onna_id}")


async def create_file(api: Requester, draft: FileDraft) -> Created:
    """POST /resources/files: the resource a file's content is then uploaded into."""
    label = draft.name or draft.ref
    response = await api.send(
        "POST",
        "/resources/files",
        action=f"create the file resource {label!r}",
        json=draft.to_wire(),
    )
    return parse_model(Created, response)


async def get_file(api: Requester, onna_id: str) -> FileResource:
    """GET /resources/files/{onna_id}."""
    response = await api.send("GET", file_path(onna_id), action=f"read file {onna_id}")
    return parse_model(FileResource, response)


async def delete_file(api: Requester, onna_id: str) -> DeleteOutcome:
    """DELETE /resources/files/{onna_id}."""
    return await delete_idempotent(api, file_path(onna_id), action=f"delete file {onna_id}")


async def create_ticket(api: Requester, draft: TicketDraft) -> Created:
    """POST /resources/tickets."""
    response = await api.send(
        "POST",
        "/resources/tickets",
        action=f"create ticket {draft.name!r}",
        json=draft.to_wire(),
    )
    return parse_model(Created, response)


async def get_ticket(api: Requester, onna_id: str) -> Ticket:
    """GET /resources/tickets/{onna_id}."""
    response = await api.send("GET", ticket_path(onna_id), action=f"read ticket {onna_id}")
    return parse_model(Ticket, response)


async def delete_ticket(api: Requester, onna_id: str) -> DeleteOutcome:
    """DELETE /resources/tickets/{onna_id}."""
    return await delete_idempotent(api, ticket_path(onna_id), action=f"delete ticket {onna_id}")
