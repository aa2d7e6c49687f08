"""The workspace list's rows as the person asked to see them: filtered, sorted, counted.

No textual here: `WorkspaceList` keeps every row the screen has loaded, in the
server's order, with the cursor of the next page, the filter and the sort; the
screen asks it which rows to show, in what order, and what the line under the
list says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

#: While a filter is typed, fetch further pages until this many rows match (or none are left).
FILTER_FILL = 30


class Sort(Enum):
    """How the list is ordered; ``s`` on the list goes to the next one."""

    SERVER = "server order"
    NAME = "name"
    CREATED = "newest first"

    def next(self) -> Sort:
        members = list(Sort)
        return members[(members.index(self) + 1) % len(members)]


@dataclass
class Row:
    """One loaded workspace. ``created`` is known once its details were read."""

    onna_id: str
    name: str
    created: datetime | None = None


def matches(row: Row, query: str) -> bool:
    """Whether the row's name or onna_id holds ``query`` (case-insensitive); "" matches all."""
    needle = query.strip().casefold()
    return not needle or needle in row.name.casefold() or needle in row.onna_id.casefold()


def visible(rows: list[Row], query: str, sort: Sort) -> list[Row]:
    """The rows to show, in the order to show them.

    Name order is case-insensitive with the onna_id breaking ties; newest first puts
    the rows whose creation time is not known yet last, in server order.
    """
    shown = [row for row in rows if matches(row, query)]
    if sort is Sort.NAME:
        shown.sort(key=lambda row: (row.name.casefold(), row.onna_id))
    elif sort is Sort.CREATED:
        known = [row for row in shown if row.created is not None]
        unknown = [row for row in shown if row.created is None]
        known.sort(key=lambda row: row.created or datetime.min, reverse=True)
        shown = known + unknown
    return shown


def status_line(*, shown: int, loaded: int, query: str, sort: Sort, more: bool) -> str:
    """What the line under the list says: how many shown of how many loaded, and why."""
    noun = "workspace" if loaded == 1 else "workspaces"
    if query.strip():
        text = f"{shown} of {loaded} loaded {noun} match"
    else:
        text = f"{loaded} {noun} loaded"
    if sort is not Sort.SERVER:
        text += f" · {sort.value}"
    if more:
        text += " · more on the server (ctrl+l)"
    return text


class WorkspaceList:
    """Every loaded workspace in the server's order, the next page's cursor, filter and sort."""

    def __init__(self) -> None:
        #: Every loaded workspace, in the server's order (the table shows some of them).
        self.rows: dict[str, Row] = {}
        #: The cursor of the next page, None when every page is loaded.
        self.next_cursor: str | None = None
        self._seen_cursors: set[str] = set()
        #: What was typed into the filter.
        self.query = ""
        self.sort = Sort.SERVER

    def reset(self) -> None:
        """Forget every row and cursor (filter and sort stay)."""
        self.rows.clear()
        self.next_cursor = None
        self._seen_cursors.clear()

    def add_page(
        self, items: Iterable[tuple[str, str]], cursor: str | None, *, append: bool
    ) -> tuple[list[Row], bool]:
        """Take a page of ``(onna_id, name)`` items; a first page (not ``append``) starts over.

        Returns the rows that were not loaded yet, and whether the server sent a cursor it
        had sent before (a server whose cursors loop would be paged forever: paging stops).
        """
        if not append:
            self.rows.clear()
            self._seen_cursors.clear()
        fresh = []
        for onna_id, name in items:
            if onna_id not in self.rows:
                row = Row(onna_id, name)
                self.rows[onna_id] = row
                fresh.append(row)
        looped = bool(cursor) and cursor in self._seen_cursors
        if looped:
            cursor = None
        if cursor:
            self._seen_cursors.add(cursor)
        self.next_cursor = cursor
        return fresh, looped

    @property
    def filtering(self) -> bool:
        return bool(self.query.strip())

    def appends_in_order(self, append: bool) -> bool:
        """Whether a further page's rows simply go at the end of the table (nothing redrawn)."""
        return append and self.sort is Sort.SERVER and not self.filtering

    def visible(self) -> list[Row]:
        """The rows to show, in the order to show them (see `visible`)."""
        return visible(list(self.rows.values()), self.query, self.sort)

    def status(self, shown: int) -> str:
        """The line under the list, ``shown`` rows being in the table."""
        return status_line(
            shown=shown,
            loaded=len(self.rows),
            query=self.query,
            sort=self.sort,
            more=bool(self.next_cursor),
        )

    def wants_more(self, shown: int) -> bool:
        """While a filter keeps fewer than FILTER_FILL rows and the server has more: fetch."""
        return self.filtering and bool(self.next_cursor) and shown < FILTER_FILL

    def missing_times(self) -> list[str]:
        """The onna_ids whose creation time is not known yet."""
        return [row.onna_id for row in self.rows.values() if row.created is None]

    def set_times(self, times: dict[str, datetime | None]) -> None:
        for onna_id, created in times.items():
            row = self.rows.get(onna_id)
            if row is not None and created is not None:
                row.created = created
