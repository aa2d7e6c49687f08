"""What goes into a workspace: folders, file resources and ticket resources.

Folders hold folders, files and tickets; a workspace holds folders, files and
tickets. The published document (v1.1.0) has no call that lists a folder's or a
workspace's contents: a client knows what it created (see storage.created).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from onna_tui.core.wire.base import WireModel
from onna_tui.core.wire.workspaces import NonBlank

#: The spec's maxItems for a file's or ticket's tags (and a ticket's lists of people).
MAX_RESOURCE_TAGS = 1000
#: The spec's maxItems for a ticket's comments.
MAX_TICKET_COMMENTS = 5000


class Created(WireModel):
    """The 201 body of POST /folders, /resources/files and /resources/tickets."""

    onna_id: str


class FolderDraft(BaseModel):
    """POST /folders body (CreateFolderRequestBody)."""

    model_config = ConfigDict(extra="forbid")

    name: NonBlank
    onna_parent_id: NonBlank

    def to_wire(self) -> dict[str, Any]:
        return {"name": self.name, "onna_parent_id": self.onna_parent_id}


class FolderRename(BaseModel):
    """PATCH /folders/{onna_id} body (UpdateFolderRequestBody)."""

    model_config = ConfigDict(extra="forbid")

    name: NonBlank

    def to_wire(self) -> dict[str, Any]:
        return {"name": self.name}


class Folder(WireModel):
    """GET /folders/{onna_id} 200 body (ReadFolderResponseBody)."""

    onna_id: str
    name: str


def _drop_unset(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value not in (None, [], "")}


class FileDraft(BaseModel):
    """POST /resources/files body (CreateFileBody): the resource a file's content goes into.

    ``ref`` and ``url`` are required by the document: they say where the file came from.
    """

    model_config = ConfigDict(extra="forbid")

    onna_parent_id: NonBlank
    ref: NonBlank
    url: NonBlank
    name: str | None = None
    description: str | None = None
    path: str | None = None
    type: str | None = None
    tags: list[NonBlank] = Field(default_factory=list, max_length=MAX_RESOURCE_TAGS)
    comment: str | None = None
    creator: str | None = None
    creation_date: datetime | None = None
    update_date: datetime | None = None
    updater: str | None = None
    version: str | None = None
    share_url: str | None = None
    status: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """The body as sent: unset fields left out, dates in ISO 8601."""
        return _drop_unset(self.model_dump(mode="json"))


class FileResource(WireModel):
    """GET /resources/files/{onna_id} body (ReadFileResponse)."""

    onna_id: str
    onna_parent_id: str
    ref: str
    url: str
    onna_url: str = ""
    name: str = ""
    filename: str = ""
    description: str = ""
    path: str = ""
    type: str = ""
    tags: list[str] = Field(default_factory=list)
    size: int | None = None
    md5: str | None = None
    mime_type: str | None = None
    extension: str | None = None


class TicketMessage(BaseModel):
    """One comment of a ticket (TicketMessage)."""

    model_config = ConfigDict(extra="forbid")

    author: NonBlank
    creation_date: datetime
    text: str


class TicketDraft(BaseModel):
    """POST /resources/tickets body (CreateTicketBody)."""

    model_config = ConfigDict(extra="forbid")

    onna_parent_id: NonBlank
    name: NonBlank
    ref: NonBlank
    url: NonBlank
    description: str | None = None
    status: str | None = None
    priority: str | None = None
    severity: str | None = None
    type: str | None = None
    category: str | None = None
    subcategory: str | None = None
    author: str | None = None
    requester: str | None = None
    assignee_group: str | None = None
    assignees: list[NonBlank] = Field(default_factory=list, max_length=MAX_RESOURCE_TAGS)
    followers: list[NonBlank] = Field(default_factory=list, max_length=MAX_RESOURCE_TAGS)
    tags: list[NonBlank] = Field(default_factory=list, max_length=MAX_RESOURCE_TAGS)
    comments: list[TicketMessage] = Field(default_factory=list, max_length=MAX_TICKET_COMMENTS)
    creation_date: datetime | None = None
    update_date: datetime | None = None
    updater: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return _drop_unset(self.model_dump(mode="json"))


class Ticket(WireModel):
    """GET /resources/tickets/{onna_id} body (ReadTicketResponse)."""

    onna_id: str
    onna_parent_id: str
    name: str
    ref: str
    url: str
    onna_url: str = ""
    description: str = ""
    status: str = ""
    priority: str = ""
    tags: list[str] = Field(default_factory=list)
