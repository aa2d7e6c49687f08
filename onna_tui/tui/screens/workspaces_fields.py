"""The Workspaces screen's custom fields: enable one for the selected workspace, set a
value in the details pane, create one for the whole account.

The account's fields are read once per profile, when first needed, and read again
after something changed their list or usage.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual import on, work
from textual.widgets import DataTable

from onna_tui.tui.screens.workspaces_list import WorkspaceListPart
from onna_tui.tui.widgets.workspace_details import WorkspaceDetails

if TYPE_CHECKING:
    from onna_tui.core.wire.custom_fields import CustomField
    from onna_tui.tui.session import Session


class CustomFieldsPart(WorkspaceListPart):
    """Custom fields of the selected workspace and of the account."""

    def __init__(self) -> None:
        super().__init__()
        #: The account's custom fields, read once per profile when first needed.
        self._account_fields: list[CustomField] | None = None

    async def _account_field_list(self, session: Session) -> list[CustomField]:
        if self._account_fields is None or not self._is_current(session):
            fields = [f async for f in session.client.iter_custom_fields()]
            if self._is_current(session):
                self._account_fields = fields
            return fields
        return self._account_fields

    def action_enable_field(self) -> None:
        onna_id = self._selected("add a custom field to")
        if onna_id is not None:
            self.pick_field(onna_id)

    @work(exclusive=True, group="ws-pick")
    async def pick_field(self, onna_id: str) -> None:
        session = self.onna.session
        if session is None:
            return
        try:
            account = await self._account_field_list(session)
        except Exception as exc:
            self.onna.report_error(exc, "list the account's custom fields")
            return
        if not self._is_current(session):
            return
        enabled = (
            {f.onna_id for f in self.details.fields}
            if self.details.workspace_id == onna_id
            else set()
        )
        choices = [f for f in account if f.onna_id not in enabled]
        if not choices:
            self.notify(
                "Every custom field of the account is enabled here already. "
                "Create another from the palette (ctrl+p, Create custom field)."
                if account
                else "This account has no custom fields yet. Create one from the palette "
                "(ctrl+p, Create custom field).",
                title="No field to add",
                severity="warning",
                timeout=8,
            )
            return
        from onna_tui.tui.widgets.custom_field_dialogs import PickFieldScreen

        rows = self.list_state.rows
        name = rows[onna_id].name if onna_id in rows else onna_id
        # A callback, not push_screen_wait: a worker that waits on a dialog would hold
        # every "wait for the workers" (tests, screenshots) for as long as it is open.
        self.app.push_screen(
            PickFieldScreen(name, choices),
            partial(self._field_picked, session, onna_id, {f.onna_id: f.name for f in choices}),
        )

    def _field_picked(
        self, session: Session, onna_id: str, names: dict[str, str], field_id: str | None
    ) -> None:
        if field_id is not None and self._is_current(session):
            self.enable_field(session, onna_id, field_id, names.get(field_id, field_id))

    @work(group="ws-enable")
    async def enable_field(self, session: Session, onna_id: str, field_id: str, name: str) -> None:
        try:
            with session.writing():
                await session.client.enable_custom_field(onna_id, field_id)
        except Exception as exc:
            self._report(exc, session, action=f"enable custom field {field_id}")
            return
        self._account_fields = None  # its usage count changed
        self.notify(
            f"Custom field {name!r} is enabled; Enter on it sets its value.", title="Field added"
        )
        if self._is_current(session) and self.selected_id == onna_id:
            self.load_fields(onna_id)

    @on(WorkspaceDetails.ValueSubmitted)
    def _value_submitted(self, message: WorkspaceDetails.ValueSubmitted) -> None:
        session = self.onna.session
        if session is not None:
            self.set_value(session, message.workspace_id, message.field_id, message.value)

    @work(group="ws-value")
    async def set_value(self, session: Session, onna_id: str, field_id: str, value: str) -> None:
        try:
            with session.writing():
                await session.client.set_custom_value(onna_id, field_id, value)
        except Exception as exc:
            self._report(exc, session, action=f"set custom field {field_id}")
            return
        if self._is_current(session):
            self.details.value_saved(onna_id, field_id, value)
            self.notify("The value was saved.", title="Custom field", timeout=3)

    def action_create_field(self) -> None:
        session = self.onna.session
        if session is None:
            self._no_profile()
            return
        from onna_tui.tui.widgets.custom_field_dialogs import CreateCustomFieldScreen

        def created(field_id: str | None) -> None:
            if field_id is None:
                return
            self._account_fields = None
            self.notify(
                f"Custom field created with onna_id {field_id}. Add it to a workspace with a.",
                title="Custom field created",
                timeout=8,
            )

        self.app.push_screen(CreateCustomFieldScreen(session), created)

    def action_set_value(self) -> None:
        if self._selected("set a value of") is None:
            return
        table = self.details.query_one("#ws-fields", DataTable)
        if not self.details.fields:
            self.notify("No custom field is enabled here: a adds one.", title="Custom fields")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is not None:
            self.details.begin_edit(key)
