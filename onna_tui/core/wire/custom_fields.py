"""Custom fields: the account's fields (list, create) and a workspace's (enable, value).

An account defines fields once (``/customFields``); a workspace enables some of them
(``PATCH /workspaces/{id}/customFields``) and gives each a value
(``/workspaces/{id}/customFields/{field_id}``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from onna_tui.core.wire.base import WireModel
from onna_tui.core.wire.workspaces import NonBlank


class CustomField(WireModel):
    """One account-wide field (CustomFieldResponseBody)."""

    onna_id: str
    name: str
    type: str
    description: str = ""
    required: bool = False
    usage_count: int = 0


class CustomFieldPage(WireModel):
    """GET /customFields 200 body (CustomFieldPageResponseBody)."""

    items: list[CustomField]
    cursor: str | None = None


class CustomFieldDraft(BaseModel):
    """What the person asks to create (CreateCustomFieldRequestBody), validated locally."""

    model_config = ConfigDict(extra="forbid")

    name: NonBlank
    type: NonBlank
    description: str
    required: bool = False

    def to_wire(self) -> dict[str, Any]:
        """All four fields: the document requires each of them."""
        return {
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "required": self.required,
        }


class CreatedCustomField(WireModel):
    """POST /customFields 201 body."""

    onna_id: str


class EnableCustomField(BaseModel):
    """PATCH /workspaces/{id}/customFields body: the field to enable."""

    model_config = ConfigDict(extra="forbid")

    onna_id: NonBlank

    def to_wire(self) -> dict[str, Any]:
        return {"onna_id": self.onna_id}


class CustomValue(WireModel):
    """GET /workspaces/{id}/customFields/{field_id} 200 body (WorkspaceCustomValueResponseBody).

    The document gives ``value`` no type; a field that was enabled but never set may
    have none.
    """

    onna_id: str
    value: Any = None


class CustomValueUpdate(BaseModel):
    """PATCH /workspaces/{id}/customFields/{field_id} body."""

    model_config = ConfigDict(extra="forbid")

    value: str

    def to_wire(self) -> dict[str, Any]:
        return {"value": self.value}
