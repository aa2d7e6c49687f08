"""The details pane of the Workspaces screen: one workspace, its custom fields and their values.

The screen fetches; this pane shows. A value is edited in place: Enter on a
field opens a one-line editor under the table, prefilled with the value; Enter
there asks the screen to save it (`ValueSubmitted`), Escape puts it away. Every
name, id and value is the server's text: shown as data, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from onna_tui.tui.formatting import local_time
from onna_tui.tui.safe_text import plain
from onna_tui.tui.widgets.fields import TextField

if TYPE_CHECKING:
    from onna_tui.api.custom_fields import FieldValue
    from onna_tui.core.wire.workspaces import Workspace

PROMPT = "Select a workspace to see its details."


def shown_value(value: Any) -> Text:
    """A field's value as a cell: a dim dash when it was never set."""
    if value is None or value == "":
        return Text("—", style="dim")
    return plain(value if isinstance(value, str) else str(value))


class FieldTable(DataTable[Text]):
    """The workspace's enabled custom fields: name, type, value."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "select_cursor",
            "Set value",
            id="fields.set-value",
            tooltip="Edit the highlighted field's value in place.",
        ),
        Binding(
            "a",
            "screen.enable_field",
            "Add field",
            id="fields.enable",
            tooltip="Enable one of the account's custom fields for this workspace.",
        ),
    ]


class ValueEditor(TextField):
    """The one-line editor of a field's value; Escape puts it away unsaved."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Save", id="value.save", tooltip="Send the new value to Onna."),
        Binding("escape", "cancel", "Cancel", id="value.cancel", tooltip="Keep the old value."),
    ]

    def action_cancel(self) -> None:
        details = self.parent
        if isinstance(details, WorkspaceDetails):
            details.end_edit()


class WorkspaceDetails(VerticalScroll):
    """Workspace facts on top, its custom fields under them, and the value editor."""

    DEFAULT_CSS = """
    WorkspaceDetails #ws-details-notice { color: $text-success; margin-bottom: 1; }
    WorkspaceDetails #ws-fields { height: auto; max-height: 8; margin-top: 1; }
    WorkspaceDetails #ws-fields-note { margin-top: 1; }
    WorkspaceDetails #ws-field-value { margin-top: 0; }
    """

    @dataclass
    class ValueSubmitted(Message):
        """The person asked to save ``value`` as the field's new value."""

        workspace_id: str
        field_id: str
        value: str

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.workspace_id: str | None = None
        self.fields: list[FieldValue] = []
        #: The field whose value is being edited, if any.
        self.editing: str | None = None

    def compose(self) -> ComposeResult:
        notice = Static("", id="ws-details-notice", markup=False)
        notice.display = False
        yield notice
        yield Static(PROMPT, id="ws-details", classes="hint", markup=False)
        note = Static("", id="ws-fields-note", classes="hint", markup=False)
        note.display = False
        yield note
        table = FieldTable(id="ws-fields", cursor_type="row", zebra_stripes=True)
        table.display = False
        yield table
        editor = ValueEditor(id="ws-field-value", placeholder="the new value; Enter saves")
        editor.display = False
        yield editor

    def on_mount(self) -> None:
        table = self.query_one("#ws-fields", FieldTable)
        table.add_column("Custom field", key="name")
        table.add_column("Type", key="type")
        table.add_column("Value", key="value")

    # ------------------------------------------------------------- showing

    def notice(self, text: str | Text | None) -> None:
        """A line above the details that says what just happened (None takes it away)."""
        line = self.query_one("#ws-details-notice", Static)
        line.update(text or "")
        line.display = bool(text)

    def show_message(self, text: str | Text) -> None:
        """A sentence instead of a workspace (nothing selected, or it was deleted)."""
        self.workspace_id = None
        self.fields = []
        self.end_edit()
        self.notice(None)
        details = self.query_one("#ws-details", Static)
        details.update(text)
        details.add_class("hint")
        self._note(None)
        self.query_one("#ws-fields", FieldTable).display = False

    def show_workspace(self, ws: Workspace, tz: tzinfo | None) -> None:
        if ws.onna_id != self.workspace_id:
            self.end_edit()
            self.fields = []
            self.query_one("#ws-fields", FieldTable).display = False
            self._note("Reading the custom fields…")
        self.workspace_id = ws.onna_id
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row("Name", plain(ws.name))
        onna_id = plain(ws.onna_id)
        onna_id.overflow = "fold"  # an id must show whole
        grid.add_row("onna_id", onna_id)
        grid.add_row(
            "Description",
            plain(ws.description, multiline=True) if ws.description else Text("—", style="dim"),
        )
        grid.add_row("Tags", plain(", ".join(ws.tags)) if ws.tags else Text("—", style="dim"))
        if ws.creation_datetime:
            grid.add_row("Created", local_time(ws.creation_datetime, tz))
        if ws.modification_datetime:
            grid.add_row("Modified", local_time(ws.modification_datetime, tz))
        details = self.query_one("#ws-details", Static)
        details.update(grid)
        details.remove_class("hint")

    def show_fields(self, workspace_id: str, fields: list[FieldValue]) -> None:
        if workspace_id != self.workspace_id:
            return
        self.fields = fields
        table = self.query_one("#ws-fields", FieldTable)
        keep = table.cursor_row
        table.clear()
        for field in fields:
            table.add_row(
                plain(field.name or field.onna_id),
                plain(field.type) if field.type else Text("—", style="dim"),
                shown_value(field.value),
                key=field.onna_id,
            )
        table.display = bool(fields)
        if fields:
            table.move_cursor(row=min(keep, len(fields) - 1), animate=False)
            self._note(None)
        else:
            self._note("No custom fields enabled (a adds one from the account's list).")

    def fields_failed(self, workspace_id: str, sentence: str) -> None:
        if workspace_id == self.workspace_id:
            self._note(f"The custom fields could not be read: {sentence}")

    def _note(self, text: str | None) -> None:
        note = self.query_one("#ws-fields-note", Static)
        note.update(text or "")
        note.display = bool(text)

    # ------------------------------------------------------------- editing

    def begin_edit(self, field_id: str) -> None:
        field = next((f for f in self.fields if f.onna_id == field_id), None)
        if field is None:
            return
        self.editing = field_id
        editor = self.query_one("#ws-field-value", ValueEditor)
        editor.value = "" if field.value is None else str(field.value)
        editor.border_title = f"Value of {field.name or field.onna_id}"
        editor.display = True
        editor.focus()
        editor.scroll_visible()

    def end_edit(self) -> None:
        editor = self.query_one("#ws-field-value", ValueEditor)
        had_focus = editor.has_focus
        self.editing = None
        editor.display = False
        if had_focus:
            self.query_one("#ws-fields", FieldTable).focus()

    def value_saved(self, workspace_id: str, field_id: str, value: str) -> None:
        """Show the new value in its row (the server said 204)."""
        if workspace_id != self.workspace_id:
            return
        self.fields = [
            f if f.onna_id != field_id else type(f)(f.onna_id, f.name, f.type, value)
            for f in self.fields
        ]
        table = self.query_one("#ws-fields", FieldTable)
        if field_id in table.rows:
            table.update_cell(field_id, "value", shown_value(value))
        if self.editing == field_id:
            self.end_edit()

    @on(DataTable.RowSelected, "#ws-fields")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.begin_edit(event.row_key.value)

    @on(Input.Submitted, "#ws-field-value")
    def _value_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.workspace_id is not None and self.editing is not None:
            self.post_message(self.ValueSubmitted(self.workspace_id, self.editing, event.value))

    @on(Input.Changed, "#ws-field-value")
    def _value_changed(self, event: Input.Changed) -> None:
        event.stop()  # the screen's form preview does not follow this editor
