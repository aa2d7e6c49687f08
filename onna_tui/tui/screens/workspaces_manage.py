"""The Workspaces screen's edit (a prefilled form) and delete (the name typed to confirm).

Both act on the highlighted row. An answer that arrives after another profile
became active is told in a toast that names its profile; the list is left alone.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work

from onna_tui.tui import listing
from onna_tui.tui.messages import WorkspaceDeleted
from onna_tui.tui.safe_text import plain
from onna_tui.tui.screens.workspaces_list import WorkspaceListPart

if TYPE_CHECKING:
    from onna_tui.core.wire.workspaces import WorkspaceUpdate
    from onna_tui.tui.session import Session


class EditDeletePart(WorkspaceListPart):
    """Edit and delete the selected workspace."""

    def action_edit(self) -> None:
        onna_id = self._selected("edit")
        if onna_id is None:
            return
        if self.workspace is None or self.workspace.onna_id != onna_id:
            self.notify("Its details are still being read; try again in a moment.", title="Edit")
            return
        from onna_tui.tui.widgets.workspace_edit import WorkspaceEditScreen

        session = self.onna.session
        assert session is not None
        self.app.push_screen(
            WorkspaceEditScreen(session, self.workspace), partial(self._edited, session, onna_id)
        )

    def _edited(self, session: Session, onna_id: str, update: WorkspaceUpdate | None) -> None:
        if update is None:
            return
        rows = self.list_state.rows
        name = update.name or (rows[onna_id].name if onna_id in rows else onna_id)
        self.notify(f"Workspace {name!r} was saved.", title="Workspace saved")
        if not self._is_current(session):
            return
        row = rows.get(onna_id)
        if row is not None and update.name is not None:
            row.name = update.name
            if self.list_state.sort is listing.Sort.NAME or self.list_state.filtering:
                self._render_rows()
            else:
                self._update_row(onna_id)
        if self.selected_id == onna_id:
            self.load_workspace(onna_id)

    def action_delete(self) -> None:
        onna_id = self._selected("delete")
        if onna_id is None:
            return
        from onna_tui.tui.widgets.type_to_confirm import TypeToConfirmScreen

        name = self.list_state.rows[onna_id].name or onna_id
        body = Text("Workspace ")
        body.append_text(plain(name, "bold"))
        body.append(" (")
        body.append_text(plain(onna_id))
        body.append(") and everything in it will be deleted from Onna. This cannot be undone.")
        session = self.onna.session
        assert session is not None
        self.app.push_screen(
            TypeToConfirmScreen("Delete this workspace?", body, name),
            partial(self._delete_confirmed, session, onna_id, name),
        )

    def _delete_confirmed(
        self, session: Session, onna_id: str, name: str, yes: bool | None
    ) -> None:
        if yes:
            self.delete_workspace(session, onna_id, name)

    @work(group="ws-delete")
    async def delete_workspace(self, session: Session, onna_id: str, name: str) -> None:
        try:
            with session.writing():
                outcome = await session.client.delete_workspace(onna_id)
        except Exception as exc:
            self._report(exc, session, action=f"delete workspace {onna_id}")
            return
        self.post_message(WorkspaceDeleted(onna_id, name, outcome, session))

    @on(WorkspaceDeleted)
    def _deleted(self, message: WorkspaceDeleted) -> None:
        how = "was already deleted" if message.outcome.already_gone else "was deleted"
        said = f"Workspace {message.name!r} ({message.workspace_id}) {how}."
        if not self._is_current(message.session):
            self.notify(
                f"In profile {message.session.name!r} (no longer active): {said}",
                title="Workspace deleted",
            )
            return
        self.notify(said, title="Workspace deleted")
        table = self.table
        self.list_state.rows.pop(message.workspace_id, None)
        if message.workspace_id in table.rows:
            table.remove_row(message.workspace_id)
        if self.created_id == message.workspace_id:
            self.created_id = None
        if self.selected_id == message.workspace_id or self.selected_id not in table.rows:
            self.selected_id = None
            self._clear_details(Text(said))
            if table.row_count:
                self._select_after_delete(said)
        self._set_list_status(self._list_status())

    def _select_after_delete(self, said: str) -> None:
        """The cursor now rests on a neighbour: show it, with what happened above it."""
        table = self.table
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is not None:
            self.selected_id = key
            self._keep_notice = True
            self.details.notice(said)
            self.load_workspace(key)
