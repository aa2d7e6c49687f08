"""The workspace operations: list (pages), create, read, update."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from onna_tui.core.wire.base import WireModel

#: The spec's maxItems for workspace tags.
MAX_TAGS = 10000


class PageItem(WireModel):
    """One entry of a page of workspaces (PageItemResponseBody)."""

    onna_id: str
    name: str = ""


class Page(WireModel):
    """GET /workspaces 200 body (PageResponseBody)."""

    items: list[PageItem]
    cursor: str | None = None


def _visible(value: str) -> str:
    # str.strip() leaves zero-width and other format characters: a name made only of
    # those looks blank in every list, so it counts as blank.
    if not any(unicodedata.category(ch)[0] not in "CZ" for ch in value):
        raise ValueError("must contain visible characters")
    return value


NonBlank = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_visible)
]


class WorkspaceDraft(BaseModel):
    """What the person asks to create (CreateWorkspaceRequestBody), validated locally."""

    model_config = ConfigDict(extra="forbid")

    name: NonBlank
    description: str | None = None
    tags: list[NonBlank] = Field(default_factory=list, max_length=MAX_TAGS)

    @field_validator("description")
    @classmethod
    def _blank_description_is_none(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return value.strip()

    def to_wire(self) -> dict[str, Any]:
        """The JSON body exactly as sent: unset optional fields are left out."""
        body: dict[str, Any] = {"name": self.name}
        if self.description is not None:
            body["description"] = self.description
        if self.tags:
            body["tags"] = list(self.tags)
        return body


class WorkspaceUpdate(BaseModel):
    """PATCH body (UpdateWorkspaceRequestBody): only the fields that change."""

    model_config = ConfigDict(extra="forbid")

    name: NonBlank | None = None
    description: str | None = None
    tags: list[NonBlank] | None = Field(default=None, max_length=MAX_TAGS)

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)

    def is_empty(self) -> bool:
        """True when nothing would change: such a PATCH is refused before it is sent."""
        return not self.to_wire()


class CreatedWorkspace(WireModel):
    """POST /workspaces 201 body."""

    onna_id: str


class Workspace(WireModel):
    """GET /workspaces/{onna_id} 200 body (WorkspaceResponseBody)."""

    onna_id: str
    name: str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    creation_datetime: datetime | None = None
    modification_datetime: datetime | None = None
