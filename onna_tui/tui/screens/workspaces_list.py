"""The Workspaces screen's list and details: paging, filter, sort, the selected row read.

The list is fetched a page at a time through the server's cursor, when the cursor
nears the end or on request; while a filter is typed, further pages are fetched
while few rows match. The rows themselves (which are shown, in what order, the line
under the list) are `listing.WorkspaceList`'s business; this part puts them in the
table and reads the highlighted workspace and its custom fields into the details.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.widgets import DataTable, Input, Static

from onna_tui.tui import listing
from onna_tui.tui.errors import describe
from onna_tui.tui.messages import (
    CreationTimesLoaded,
    WorkspaceFieldsLoaded,
    WorkspaceLoaded,
    WorkspacePageLoaded,
)
from onna_tui.tui.safe_text import plain
from onna_tui.tui.screens.workspaces_base import WorkspacesBase

if TYPE_CHECKING:
    from onna_tui.tui.listing import Row

#: Load the next page when the cursor is this close to the last row.
PREFETCH_ROWS = 3
#: Creation times (for newest first) are read this many at a time.
TIME_READS = 4


class WorkspaceListPart(WorkspacesBase):
    """The list pane: the table, the filter, the line under them, and the details."""

    def __init__(self) -> None:
        super().__init__()
        self._list_loading = False
        #: A "was deleted" notice stays over the details of the next workspace shown.
        self._keep_notice = False

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#ws-table", DataTable)

    def _reset_list(self) -> None:
        self.table.clear()
        self.list_state.reset()
        self.selected_id = None

    def _set_list_status(self, text: str) -> None:
        self.query_one("#ws-list-status", Static).update(text)

    def _list_status(self) -> str:
        return self.list_state.status(self.table.row_count)

    # ------------------------------------------------------------- paging

    @work(exclusive=True, group="ws-list")
    async def load_page(self, cursor: str | None) -> None:
        session = self.onna.session
        if session is None:
            return
        self._list_loading = True
        self.table.loading = cursor is None
        try:
            page = await session.client.list_workspaces_page(cursor)
        except Exception as exc:
            if self._is_current(session):
                self.onna.report_error(exc, "list workspaces")
                self._set_list_status("The list could not be loaded (ctrl+r tries again).")
            return
        finally:
            if self._is_current(session):
                self._list_loading = False
                self.table.loading = False
        if self._is_current(session):
            self.post_message(WorkspacePageLoaded(page, cursor is not None, session))

    @on(WorkspacePageLoaded)
    def _page_loaded(self, message: WorkspacePageLoaded) -> None:
        if not self._is_current(message.session):
            return
        items = ((item.onna_id, item.name or "") for item in message.page.items)
        fresh, looped = self.list_state.add_page(items, message.page.cursor, append=message.append)
        if looped:
            self.notify(
                "The server sent a page cursor it had sent before; the list stops "
                "here and may be incomplete.",
                title="Paging stopped",
                severity="warning",
            )
        table = self.table
        if self.list_state.appends_in_order(message.append):
            for row in fresh:  # the common case: new rows go at the end, nothing is redrawn
                self._add_row(row)
            self._set_list_status(self._list_status())
        else:
            self._render_rows()
        wanted = self._select_when_loaded
        if wanted is not None and wanted in table.rows:
            self._select_when_loaded = None
            self.selected_id = wanted  # its details are loading already
            table.move_cursor(row=table.get_row_index(wanted), animate=False)
        if self.list_state.sort is listing.Sort.CREATED:
            self._read_creation_times()
        self._fill_filter()

    def _add_row(self, row: Row) -> None:
        self.table.add_row(plain(row.name or "—"), plain(row.onna_id), key=row.onna_id)

    def _render_rows(self) -> None:
        """Show the loaded rows the filter keeps, in the chosen order; the cursor stays on
        the workspace it was on when that one is still shown."""
        table = self.table
        keep = self.selected_id
        table.clear()
        for row in self.list_state.visible():
            self._add_row(row)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        self._set_list_status(self._list_status())

    def _update_row(self, onna_id: str) -> None:
        row = self.list_state.rows.get(onna_id)
        if row is not None and onna_id in self.table.rows:
            self.table.update_cell(onna_id, "name", plain(row.name or "—"))

    def _fill_filter(self) -> None:
        """While a filter keeps few rows and the server has more, fetch the next page."""
        if not self._list_loading and self.list_state.wants_more(self.table.row_count):
            self.load_page(self.list_state.next_cursor)

    @on(DataTable.RowHighlighted, "#ws-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        onna_id = event.row_key.value
        if onna_id is None:
            return
        if onna_id != self.selected_id:
            self.selected_id = onna_id
            self.load_workspace(onna_id)
        if event.cursor_row >= event.data_table.row_count - PREFETCH_ROWS:
            self.action_load_more(quiet=True)

    def action_refresh(self) -> None:
        if self.onna.session is None:
            return
        self.list_state.next_cursor = None
        self.load_page(None)

    def action_load_more(self, quiet: bool = False) -> None:
        if self._list_loading:
            return
        if not self.list_state.next_cursor:
            if not quiet:
                self.notify("Every workspace is loaded.", title="Workspaces")
            return
        self.load_page(self.list_state.next_cursor)

    # ------------------------------------------------------------ details

    @work(exclusive=True, group="ws-details")
    async def load_workspace(self, onna_id: str) -> None:
        session = self.onna.session
        if session is None:
            return
        try:
            workspace = await session.client.get_workspace(onna_id)
        except Exception as exc:
            if self._is_current(session):
                self.onna.report_error(exc, f"read workspace {onna_id}")
            return
        if self._is_current(session):
            self.post_message(WorkspaceLoaded(workspace, session))
            self.load_fields(onna_id)

    @work(exclusive=True, group="ws-fields")
    async def load_fields(self, onna_id: str) -> None:
        session = self.onna.session
        if session is None:
            return
        try:
            fields = await session.client.workspace_field_values(onna_id)
        except Exception as exc:
            if self._is_current(session):
                _, sentence = describe(exc, f"read the custom fields of {onna_id}")
                self.details.fields_failed(onna_id, sentence)
            return
        if self._is_current(session):
            self.post_message(WorkspaceFieldsLoaded(onna_id, fields, session))

    @on(WorkspaceLoaded)
    def _workspace_loaded(self, message: WorkspaceLoaded) -> None:
        if not self._is_current(message.session):
            return
        ws = message.workspace
        if ws.onna_id != self.selected_id and ws.onna_id != self._select_when_loaded:
            return  # the cursor moved on while it was read
        self.workspace = ws
        row = self.list_state.rows.get(ws.onna_id)
        if row is not None:
            row.created = ws.creation_datetime
            if row.name != ws.name:  # renamed elsewhere since the page was read
                row.name = ws.name
                self._update_row(ws.onna_id)
        self.details.show_workspace(ws, self.onna.settings.display_tz)
        if self._keep_notice:
            self._keep_notice = False
        else:
            self.details.notice(None)

    @on(WorkspaceFieldsLoaded)
    def _fields_loaded(self, message: WorkspaceFieldsLoaded) -> None:
        if self._is_current(message.session):
            self.details.show_fields(message.workspace_id, message.fields)

    # ---------------------------------------------------------- filter, sort

    @on(Input.Changed, "#ws-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.list_state.query = event.value
        self._render_rows()
        self._fill_filter()

    @on(Input.Submitted, "#ws-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_focus_list()

    def action_filter(self) -> None:
        self.query_one("#ws-filter", Input).focus()

    def action_focus_filter(self) -> None:
        """The list's own key for the filter (ctrl+f is the form's: see FORM_ACTIONS)."""
        self.action_filter()

    def action_clear_filter(self) -> None:
        box = self.query_one("#ws-filter", Input)
        if box.value:
            box.value = ""
        else:
            self.action_focus_list()

    def action_focus_list(self) -> None:
        self.table.focus()

    def action_sort(self, order: str | None = None) -> None:
        state = self.list_state
        state.sort = listing.Sort(order) if order else state.sort.next()
        self._render_rows()
        if state.sort is listing.Sort.CREATED:
            self._read_creation_times()
        self.notify(f"The list is in {state.sort.value}.", title="Sorted", timeout=3)

    def _read_creation_times(self) -> None:
        missing = self.list_state.missing_times()
        if missing:
            self._set_list_status(f"Reading the creation times of {len(missing)} workspaces…")
            self.read_creation_times(missing)

    @work(exclusive=True, group="ws-times")
    async def read_creation_times(self, ids: list[str]) -> None:
        """The list pages carry no dates: read each workspace once, a few at a time."""
        session = self.onna.session
        if session is None:
            return
        limit = asyncio.Semaphore(TIME_READS)
        times: dict[str, Any] = {}

        async def read(onna_id: str) -> None:
            async with limit:
                try:
                    times[onna_id] = (await session.client.get_workspace(onna_id)).creation_datetime
                except Exception:
                    times[onna_id] = None  # shown last; the details pane reports errors

        await asyncio.gather(*(read(onna_id) for onna_id in ids))
        if self._is_current(session):
            self.post_message(CreationTimesLoaded(times, session))

    @on(CreationTimesLoaded)
    def _times_loaded(self, message: CreationTimesLoaded) -> None:
        if not self._is_current(message.session):
            return
        self.list_state.set_times(message.times)
        if self.list_state.sort is listing.Sort.CREATED:
            self._render_rows()
