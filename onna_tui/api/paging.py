"""The one cursor pager every list operation uses.

A page carries ``items`` and a ``cursor`` for the next page (none on the last). A
server that repeats a cursor, or pages past ``page_limit``, is stopped with a
PaginationError instead of looping forever.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import Protocol, TypeVar

from onna_tui.api.errors import PaginationError

#: Safety stop for servers whose cursors never end.
DEFAULT_PAGE_LIMIT = 1000

ItemT = TypeVar("ItemT", covariant=True)
PageT = TypeVar("PageT", bound="CursorPage[object]")
ItemU = TypeVar("ItemU")


class CursorPage(Protocol[ItemT]):
    """What the pager needs of a wire page model."""

    @property
    def items(self) -> Sequence[ItemT]: ...

    @property
    def cursor(self) -> str | None: ...


@dataclass(frozen=True)
class Listing:
    """How a list is named in the pager's messages: "workspaces", "workspace list"."""

    plural: str
    list_name: str


async def iter_pages(
    fetch: Callable[[str | None], Awaitable[PageT]],
    listing: Listing,
    *,
    page_limit: int = DEFAULT_PAGE_LIMIT,
) -> AsyncGenerator[PageT]:
    """Every page, from ``fetch(None)`` on, following cursors until a page has none."""
    seen: set[str] = set()
    cursor: str | None = None
    pages = 0
    while True:
        page = await fetch(cursor)
        pages += 1
        yield page
        if not page.cursor:
            return
        if page.cursor in seen:
            raise PaginationError(
                f"The server sent a page cursor it had already sent, so the {listing.list_name} "
                f"would never end; stopped after {pages} pages. The list shown may be incomplete."
            )
        if pages >= page_limit:
            raise PaginationError(
                f"Stopped listing {listing.plural} after {page_limit} pages: the server kept "
                "sending more. The list shown may be incomplete."
            )
        seen.add(page.cursor)
        cursor = page.cursor


async def iter_items(
    fetch: Callable[[str | None], Awaitable[CursorPage[ItemU]]],
    listing: Listing,
    *,
    page_limit: int = DEFAULT_PAGE_LIMIT,
) -> AsyncGenerator[ItemU]:
    """Every item of every page, in order (see iter_pages)."""
    async with aclosing(iter_pages(fetch, listing, page_limit=page_limit)) as pages:
        async for page in pages:
            for item in page.items:
                yield item
