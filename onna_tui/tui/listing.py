"""The workspace list's rows as the person asked to see them: filtered, sorted, counted.

No textual here: the screen keeps every row it has loaded, in the server's order,
and asks this module which of them to show and in what order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


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
