"""Custom fields: the account's (list, create) and a workspace's (list, enable, value)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from onna_tui.api.paging import DEFAULT_PAGE_LIMIT, Listing, iter_items
from onna_tui.api.requester import Requester, segment
from onna_tui.api.responses import parse_model
from onna_tui.core.wire.custom_fields import (
    CreatedCustomField,
    CustomField,
    CustomFieldDraft,
    CustomFieldPage,
    CustomValue,
    CustomValueUpdate,
    EnableCustomField,
)
from onna_tui.core.wire.workspaces import Page, PageItem

CUSTOM_FIELDS = Listing(plural="custom fields", list_name="custom field list")
WORKSPACE_FIELDS = Listing(
    plural="the workspace's custom fields", list_name="workspace's custom field list"
)


def _fields_of(onna_id: str) -> str:
    return f"/workspaces/{segment(onna_id)}/customFields"


async def list_page(api: Requester, cursor: str | None = None) -> CustomFieldPage:
    """One page of GET /customFields."""
    params = {"cursor": cursor} if cursor else None
    response = await api.send("GET", "/customFields", action="list custom fields", params=params)
    return parse_model(CustomFieldPage, response)


def iter_all(api: Requester, *, page_limit: int = DEFAULT_PAGE_LIMIT) -> AsyncIterator[CustomField]:
    """Every custom field of the account, following cursors (see api.paging)."""

    async def fetch(cursor: str | None) -> CustomFieldPage:
        return await list_page(api, cursor)

    return iter_items(fetch, CUSTOM_FIELDS, page_limit=page_limit)


async def create(api: Requester, draft: CustomFieldDraft) -> CreatedCustomField:
    """POST /customFields. Never retried after a timeout or dropped connection."""
    response = await api.send(
        "POST", "/customFields", action="create the custom field", json=draft.to_wire()
    )
    return parse_model(CreatedCustomField, response)


async def list_enabled_page(api: Requester, onna_id: str, cursor: str | None = None) -> Page:
    """One page of GET /workspaces/{onna_id}/customFields: the fields it enabled."""
    params = {"cursor": cursor} if cursor else None
    response = await api.send(
        "GET",
        _fields_of(onna_id),
        action=f"list the custom fields of workspace {onna_id}",
        params=params,
    )
    return parse_model(Page, response)


def iter_enabled(
    api: Requester, onna_id: str, *, page_limit: int = DEFAULT_PAGE_LIMIT
) -> AsyncIterator[PageItem]:
    """Every field a workspace enabled, following cursors."""

    async def fetch(cursor: str | None) -> Page:
        return await list_enabled_page(api, onna_id, cursor)

    return iter_items(fetch, WORKSPACE_FIELDS, page_limit=page_limit)


async def enable(api: Requester, onna_id: str, field_id: str) -> None:
    """PATCH /workspaces/{onna_id}/customFields {"onna_id": field_id}."""
    await api.send(
        "PATCH",
        _fields_of(onna_id),
        action=f"enable custom field {field_id} for workspace {onna_id}",
        json=EnableCustomField(onna_id=field_id).to_wire(),
    )


async def get_value(api: Requester, onna_id: str, field_id: str) -> CustomValue:
    """GET /workspaces/{onna_id}/customFields/{field_id}."""
    response = await api.send(
        "GET",
        f"{_fields_of(onna_id)}/{segment(field_id, what='custom field')}",
        action=f"read custom field {field_id} of workspace {onna_id}",
    )
    return parse_model(CustomValue, response)


async def set_value(api: Requester, onna_id: str, field_id: str, value: str) -> None:
    """PATCH /workspaces/{onna_id}/customFields/{field_id} {"value": value}."""
    await api.send(
        "PATCH",
        f"{_fields_of(onna_id)}/{segment(field_id, what='custom field')}",
        action=f"set custom field {field_id} of workspace {onna_id}",
        json=CustomValueUpdate(value=value).to_wire(),
    )


@dataclass(frozen=True)
class FieldValue:
    """One field a workspace enabled, with the account's name and type for it and its value.

    ``type`` is None when the account list does not know the field (deleted since, or a
    server that lists only some); ``value`` is None when it was never set.
    """

    onna_id: str
    name: str
    type: str | None
    value: Any


async def field_values(api: Requester, onna_id: str) -> list[FieldValue]:
    """A workspace's enabled fields with their values, in the server's order.

    One listing of the workspace's fields, one of the account's (for the types, and
    only when some field is enabled), then one GET per field for its value: the
    published document has no call that returns them together.
    """
    enabled = [item async for item in iter_enabled(api, onna_id)]
    if not enabled:
        return []
    known = {field.onna_id: field async for field in iter_all(api)}
    rows = []
    for item in enabled:
        value = await get_value(api, onna_id, item.onna_id)
        field = known.get(item.onna_id)
        rows.append(
            FieldValue(
                onna_id=item.onna_id,
                name=field.name if field else item.name,
                type=field.type if field else None,
                value=value.value,
            )
        )
    return rows
