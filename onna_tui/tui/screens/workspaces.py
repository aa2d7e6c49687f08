"""The Workspaces screen: a creation form with its curl preview, beside the list and details.

The list is filtered as you type (by name and onna_id, over what is loaded,
fetching further pages while few rows match), sorted by name or creation time,
and its rows are edited (a prefilled form), deleted (the name typed to confirm)
and given custom-field values in the details pane. Keys for the selected row
show in the footer while the list has focus; every action is in the palette.

The screen is put together from one part per concern, each a module beside
this one: the list and details (`workspaces_list`), the creation form
(`workspaces_create`), edit and delete (`workspaces_manage`) and custom fields
(`workspaces_fields`), over the state they share (`workspaces_base`). Answers
that arrive after another profile became active are not shown as that
profile's.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from onna_tui.tui import listing
from onna_tui.tui.paths import style
from onna_tui.tui.screens.workspaces_create import CreateFormPart
from onna_tui.tui.screens.workspaces_fields import CustomFieldsPart
from onna_tui.tui.screens.workspaces_manage import EditDeletePart
from onna_tui.tui.widgets.workspace_details import WorkspaceDetails
from onna_tui.tui.widgets.workspace_table import FilterInput, WorkspaceTable

if TYPE_CHECKING:
    from onna_tui.tui.session import Session


class WorkspacesScreen(CreateFormPart, EditDeletePart, CustomFieldsPart):
    """Create a workspace; browse the list; read one."""

    SECTION = "Workspaces"
    AUTO_FOCUS = "#name"
    CSS_PATH = style("workspaces.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "create",
            "Create",
            id="workspaces.create",
            priority=True,
            tooltip="Validate the form and create the workspace.",
        ),
        Binding(
            "ctrl+r",
            "refresh",
            "Refresh",
            id="workspaces.refresh",
            priority=True,
            tooltip="Load the workspace list again from the first page.",
        ),
        Binding(
            "ctrl+l",
            "load_more",
            "More",
            id="workspaces.more",
            priority=True,
            tooltip="Load the next page of workspaces.",
        ),
        Binding(
            "ctrl+y",
            "copy_curl",
            "Copy curl",
            id="workspaces.copy-curl",
            priority=True,
            tooltip="Copy the request as a curl command (token redacted).",
        ),
        Binding(
            "ctrl+f",
            "filter",
            "Filter",
            id="workspaces.filter",
            priority=True,
            tooltip="Filter the list by name or onna_id.",
        ),
        # The same key wherever the focus is (the one above is hidden in the list pane,
        # where / shows instead; this one is never shown, so the footer keeps one entry).
        Binding(
            "ctrl+f",
            "focus_filter",
            "Filter",
            id="workspaces.filter-anywhere",
            show=False,
            priority=True,
        ),
        Binding(
            "ctrl+o",
            "copy_id",
            "Copy id",
            id="workspaces.copy-id",
            priority=True,
            tooltip="Copy the onna_id of the new or the selected workspace.",
        ),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="ws-main"):
            with VerticalScroll(id="ws-form-pane"):
                yield from self.compose_form()
            with Vertical(id="ws-list-pane"):
                yield FilterInput(placeholder="Filter by name or onna_id (ctrl+f)", id="ws-filter")
                table = WorkspaceTable(id="ws-table", cursor_type="row", zebra_stripes=True)
                table.border_title = "Workspaces"
                yield table
                yield Static("", id="ws-list-status", classes="hint", markup=False)
                details = WorkspaceDetails(id="ws-details-card", classes="card")
                details.border_title = "Details"
                yield details

    # ---------------------------------------------------------------- life

    #: Actions of the creation form: offered (and shown in the footer) only while the
    #: focus is outside the list pane, so the list's own keys fit at 80 columns.
    FORM_ACTIONS: ClassVar[frozenset[str]] = frozenset({"create", "copy_curl", "filter"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.FORM_ACTIONS:
            focused = self.focused
            if focused is not None and any(
                node.id == "ws-list-pane" for node in focused.ancestors_with_self
            ):
                return False
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_mount(self) -> None:
        self.table.add_column("Name", key="name")
        self.table.add_column("onna_id", key="onna_id")
        self.onna.session_signal.subscribe(self, self._on_session)
        self._update_curl()
        self._on_session(self.onna.session)

    def _on_session(self, session: Session | None) -> None:
        # The previous profile's reads are moot; a create in flight finishes on its own
        # client and is reported as that profile's (see _created).
        for group in ("ws-list", "ws-details", "ws-fields", "ws-times"):
            self.workers.cancel_group(self, group)
        self._account_fields = None
        self._list_loading = False
        self.table.loading = False
        self.created_id = None
        self._select_when_loaded = None
        self.query_one("#ws-result", Static).display = False
        self._clear_details()
        self._update_curl()
        self._reset_list()
        if session is None:
            self._set_list_status(self.onna.status_hint)
            return
        self.load_page(None)

    # ------------------------------------------------------------ palette

    def action_open_contents(self) -> None:
        onna_id = self._selected("open")
        if onna_id is None:
            return
        from onna_tui.tui.screens.contents import ContentsScreen

        session = self.onna.session
        assert session is not None
        name = self.list_state.rows[onna_id].name or onna_id
        self.app.push_screen(ContentsScreen(session, onna_id, name))

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(
            "Open workspace contents",
            "Folders, files and tickets created from here; upload files",
            self.action_open_contents,
        )
        yield SystemCommand(
            "Edit workspace",
            "Edit the selected workspace's name, description, tags",
            self.action_edit,
        )
        yield SystemCommand(
            "Delete workspace",
            "Delete the selected workspace (type its name to confirm)",
            self.action_delete,
        )
        yield SystemCommand(
            "Enable custom field",
            "Add one of the account's custom fields to the selected workspace",
            self.action_enable_field,
        )
        yield SystemCommand(
            "Set custom field value",
            "Edit the highlighted custom field's value",
            self.action_set_value,
        )
        yield SystemCommand(
            "Create custom field",
            "A new custom field for the whole account",
            self.action_create_field,
        )
        yield SystemCommand(
            "Filter workspaces",
            "Type to filter the list by name or onna_id",
            self.action_focus_filter,
        )
        for order in listing.Sort:
            yield SystemCommand(
                f"Sort workspaces: {order.value}",
                "Order the loaded workspaces",
                partial(self.action_sort, order.value),
            )
        yield SystemCommand(
            "Refresh workspaces", "Load the list again from the first page", self.action_refresh
        )

    # -------------------------------------------------------------- copying

    def action_copy_id(self) -> None:
        onna_id = self.created_id or self.selected_id
        if onna_id is None:
            self.notify(
                "Create or select a workspace first.", title="Nothing to copy", severity="warning"
            )
            return
        self.app.copy_to_clipboard(onna_id)
        self.notify(f"{onna_id} is on the clipboard.", title="Copied")
