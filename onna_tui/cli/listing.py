"""What `onna-tui workspace list` prints, a page at a time, for both of its paths.

The quick path (``cli.fast_list``) and the full command
(``commands.workspace.list_workspaces``) print through one ``WorkspaceListing``,
so when the quick path stops part way it hands the listing itself to the full
command, which carries on with the same column widths, the same open JSON array,
the same count towards ``--limit``, and the pager's trail (``trail``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from onna_tui.cli.output import JsonArrayWriter, TableWriter, note, out

if TYPE_CHECKING:
    from onna_tui.api.paging import PageTrail


class WorkspaceListing:
    """Rows (ONNA_ID, NAME) or a JSON array on stdout, up to ``limit`` workspaces."""

    def __init__(self, as_json: bool, limit: int | None) -> None:
        self.limit = limit
        self.json_out = JsonArrayWriter() if as_json else None
        self.rows = TableWriter(["ONNA_ID", "NAME"])
        self.taken = 0
        #: Where the quick path's pager stopped, for the full command to resume from.
        self.trail: PageTrail | None = None

    @property
    def printed(self) -> bool:
        """Whether any workspace has been printed."""
        return self.taken > 0

    def page(self, items: Iterable[tuple[str, str]]) -> bool:
        """Print a page's (onna_id, name) pairs as soon as it arrives; False once ``limit``
        workspaces are printed (fetch nothing more)."""
        page = list(items)
        if self.limit is not None:
            page = page[: self.limit - self.taken]
        self.taken += len(page)
        if page:  # an empty page (an empty list) prints nothing
            if self.json_out is not None:
                self.json_out.write({"onna_id": onna_id, "name": name} for onna_id, name in page)
            else:
                for line in self.rows.lines([list(row) for row in page]):
                    out(line)
                sys.stdout.flush()
        return self.limit is None or self.taken < self.limit

    def failed(self, error: BaseException) -> None:
        """Listing stopped with ``error``: what was printed stays, the JSON array closed,
        before the error is reported. Not when stdout itself failed (the reader went away)."""
        if self.json_out is not None and self.json_out.count and not isinstance(error, OSError):
            self.json_out.close()

    def close(self) -> None:
        """The listing is complete: end the JSON array, or say there is nothing to list."""
        if self.json_out is not None:
            self.json_out.close()
        elif not self.rows.started:
            note("No workspaces yet. Create one with: onna-tui workspace create --name NAME")
