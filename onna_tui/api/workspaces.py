"""Workspaces: list (paged), create, read, update, delete (retried once if unanswered)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from onna_tui.api.paging import (
    DEFAULT_PAGE_LIMIT,
    WORKSPACES,
    PageTrail,
    iter_items,
    iter_pages,
)
from onna_tui.api.requester import DeleteOutcome, Requester, delete_idempotent, segment
from onna_tui.api.responses import parse_model
from onna_tui.core.wire.workspaces import (
    CreatedWorkspace,
    Page,
    PageItem,
    Workspace,
    WorkspaceDraft,
    WorkspaceUpdate,
)


async def list_page(api: Requester, cursor: str | None = None) -> Page:
    """One page of GET /workspaces; pass the previous page's cursor for the next."""
    params = {"cursor": cursor} if cursor else None
    response = await api.send("GET", "/workspaces", action="list workspaces", params=params)
    return parse_model(Page, response)


def iter_all(api: Requester, *, page_limit: int = DEFAULT_PAGE_LIMIT) -> AsyncIterator[PageItem]:
    """Every workspace, following cursors (see api.paging)."""

    async def fetch(cursor: str | None) -> Page:
        return await list_page(api, cursor)

    return iter_items(fetch, WORKSPACES, page_limit=page_limit)


def iter_all_pages(
    api: Requester, *, page_limit: int = DEFAULT_PAGE_LIMIT, resume: PageTrail | None = None
) -> AsyncGenerator[Page]:
    """Every page of workspaces as it arrives, following cursors (see api.paging); with
    ``resume``, from where that trail stopped."""

    async def fetch(cursor: str | None) -> Page:
        return await list_page(api, cursor)

    return iter_pages(fetch, WORKSPACES, page_limit=page_limit, resume=resume)


async def create(api: Requester, draft: WorkspaceDraft) -> CreatedWorkspace:
    """POST /workspaces. Never retried after a timeout or dropped connection."""
    response = await api.send(
        "POST", "/workspaces", action="create the workspace", json=draft.to_wire()
    )
    return parse_model(CreatedWorkspace, response)


async def get(api: Requester, onna_id: str) -> Workspace:
    """GET /workspaces/{onna_id}."""
    response = await api.send(
        "GET", f"/workspaces/{segment(onna_id)}", action=f"read workspace {onna_id}"
    )
    return parse_model(Workspace, response)


async def update(api: Requester, onna_id: str, change: WorkspaceUpdate) -> None:
    """PATCH /workspaces/{onna_id}."""
    await api.send(
        "PATCH",
        f"/workspaces/{segment(onna_id)}",
        action=f"update workspace {onna_id}",
        json=change.to_wire(),
    )


async def delete(api: Requester, onna_id: str) -> DeleteOutcome:
    """DELETE /workspaces/{onna_id}, sent once more if the first got no answer
    (see api.requester.delete_idempotent)."""
    return await delete_idempotent(
        api, f"/workspaces/{segment(onna_id)}", action=f"delete workspace {onna_id}"
    )
