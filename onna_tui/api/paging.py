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


#: GET /workspaces (here, not in api.workspaces: the CLI's quick pager needs it too).
WORKSPACES = Listing(plural="workspaces", list_name="workspace list")


class PageTrail:
    """Where a listing is: the cursor of the page to fetch, the cursor the last page gave
    (``pending``, not followed yet), the cursors followed so far, and how many pages came.

    Both pagers (``iter_pages`` and the CLI's quick one, ``api.quick_pages``) walk a
    trail, so they stop a runaway server alike, and the quick one hands its trail to
    ``iter_pages(resume=...)``, which carries on exactly where it stopped.
    """

    __slots__ = ("cursor", "pages", "pending", "seen")

    def __init__(self) -> None:
        self.cursor: str | None = None
        self.pending: str | None = None
        self.seen: set[str] = set()
        self.pages = 0

    def copy(self) -> PageTrail:
        trail = PageTrail()
        trail.cursor, trail.pending, trail.pages = self.cursor, self.pending, self.pages
        trail.seen = set(self.seen)
        return trail

    def arrived(self, cursor: str | None) -> None:
        """The page for ``cursor`` arrived, giving ``cursor`` (None or empty: the last)."""
        self.pages += 1
        self.pending = cursor or None

    def follow(self, listing: Listing, page_limit: int) -> bool:
        """Go on to the cursor the last page gave; False when it gave none (the end).
        PaginationError, and the trail unchanged, when that would never end."""
        cursor = self.pending
        if cursor is None:
            return False
        if cursor in self.seen:
            raise PaginationError(
                f"The server sent a page cursor it had already sent, so the {listing.list_name} "
                f"would never end; stopped after {self.pages} pages. The list shown may be "
                "incomplete."
            )
        if self.pages >= page_limit:
            raise PaginationError(
                f"Stopped listing {listing.plural} after {page_limit} pages: the server kept "
                "sending more. The list shown may be incomplete."
            )
        self.seen.add(cursor)
        self.cursor, self.pending = cursor, None
        return True


async def iter_pages(
    fetch: Callable[[str | None], Awaitable[PageT]],
    listing: Listing,
    *,
    page_limit: int = DEFAULT_PAGE_LIMIT,
    resume: PageTrail | None = None,
) -> AsyncGenerator[PageT]:
    """Every page, from ``fetch(None)`` on, following cursors until a page has none.

    With ``resume``, the pages from where that trail stopped (it is not changed)."""
    trail = PageTrail() if resume is None else resume.copy()
    if trail.pending is not None:
        trail.follow(listing, page_limit)
    while True:
        page = await fetch(trail.cursor)
        trail.arrived(page.cursor)
        yield page
        if not trail.follow(listing, page_limit):
            return


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
