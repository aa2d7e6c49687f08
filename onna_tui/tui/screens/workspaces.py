"""The Workspaces screen: a creation form with its curl preview, beside the list and details.

The list is filtered as you type (by name and onna_id, over what is loaded,
fetching further pages while few rows match), sorted by name or creation time,
and its rows are edited (a prefilled form), deleted (the name typed to confirm)
and given custom-field values in the details pane. Keys for the selected row
show in the footer while the list has focus; every action is in the palette.

Local validation (Textual validators, then the pydantic WorkspaceDraft) runs
before anything is sent. A 422 puts the server's words on the fields it names.
A POST that got no answer is reported as "may have been created" and the list
is refreshed; it is never retried, never sent twice by a double key press, and
never cut off by a profile switch. The list is fetched a page at a time
through the server's cursor, when the cursor nears the end or on request.
Answers that arrive after another profile became active are not shown as that
profile's: a creation is reported in a toast that names its profile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, Static

from onna_tui.tui import listing
from onna_tui.tui.curl import create_workspace_curl, workspace_body
from onna_tui.tui.errors import describe
from onna_tui.tui.messages import (
    CreationTimesLoaded,
    WorkspaceCreated,
    WorkspaceDeleted,
    WorkspaceFieldsLoaded,
    WorkspaceLoaded,
    WorkspaceOutcomeUnknown,
    WorkspacePageLoaded,
    WorkspaceRejected,
)
from onna_tui.tui.paths import style
from onna_tui.tui.safe_text import plain
from onna_tui.tui.screens.base import OnnaScreen
from onna_tui.tui.validators import NotBlank, Tags, split_tags
from onna_tui.tui.widgets.fields import FormField, TextField
from onna_tui.tui.widgets.workspace_details import PROMPT, WorkspaceDetails

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from onna_tui.core.wire.custom_fields import CustomField
    from onna_tui.core.wire.workspaces import Workspace, WorkspaceDraft, WorkspaceUpdate
    from onna_tui.tui.session import Session

#: Load the next page when the cursor is this close to the last row.
PREFETCH_ROWS = 3
#: While a filter is typed, fetch further pages until this many rows match (or none are left).
FILTER_FILL = 30
#: Creation times (for newest first) are read this many at a time.
TIME_READS = 4
FORM_FIELDS = ("name", "description", "tags")


class WorkspaceTable(DataTable[Text]):
    """The list; these keys act on the highlighted workspace and show while it has focus."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "e", "screen.edit", "Edit", id="list.edit", tooltip="Edit name, description, tags."
        ),
        Binding(
            "d,delete",
            "screen.delete",
            "Delete",
            id="list.delete",
            tooltip="Delete the workspace (you type its name to confirm).",
        ),
        Binding(
            "a",
            "screen.enable_field",
            "Add field",
            id="list.enable-field",
            tooltip="Enable one of the account's custom fields for this workspace.",
        ),
        Binding(
            "s",
            "screen.sort",
            "Sort",
            id="list.sort",
            tooltip="Server order, then by name, then newest first.",
        ),
        Binding(
            "slash",
            "screen.focus_filter",
            "Filter",
            id="list.filter",
            tooltip="Filter by name or id.",
        ),
        Binding("n", "screen.new", "New", id="list.new", tooltip="Back to the creation form."),
    ]


class FilterInput(TextField):
    """Type to filter the list; Escape clears it, Down or Enter goes to the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "screen.clear_filter", "Clear", id="filter.clear"),
        Binding("down", "screen.focus_list", "To the list", id="filter.down", show=False),
    ]


class WorkspacesScreen(OnnaScreen):
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

    def __init__(self) -> None:
        super().__init__()
        self._next_cursor: str | None = None
        self._seen_cursors: set[str] = set()
        self._list_loading = False
        #: True from the Create press until the POST has its answer (one POST at a time).
        self._creating = False
        #: The onna_id of the last workspace created here (what "Copy id" copies first).
        self.created_id: str | None = None
        self.selected_id: str | None = None
        #: Put the cursor on this workspace once a page brings it (the one just created).
        self._select_when_loaded: str | None = None
        #: True while a redraw of the curl preview is scheduled (see _curl_later).
        self._curl_pending = False
        #: Every loaded workspace, in the server's order (the table shows some of them).
        self._rows: dict[str, listing.Row] = {}
        self._filter = ""
        self.sort = listing.Sort.SERVER
        #: The selected workspace's details, once read (what Edit starts from).
        self.workspace: Workspace | None = None
        #: The account's custom fields, read once per profile when first needed.
        self._account_fields: list[CustomField] | None = None
        #: A "was deleted" notice stays over the details of the next workspace shown.
        self._keep_notice = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="ws-main"):
            with VerticalScroll(id="ws-form-pane"):
                with Vertical(id="ws-form", classes="card") as form:
                    form.border_title = "New workspace"
                    yield FormField(
                        "Name (required)",
                        field_id="name",
                        placeholder="e.g. Contracts review",
                        validators=[NotBlank("A name")],
                    )
                    yield FormField("Description", field_id="description", placeholder="optional")
                    yield FormField(
                        "Tags (comma separated)",
                        field_id="tags",
                        placeholder="e.g. legal, 2026",
                        validators=[Tags()],
                    )
                    with Horizontal(id="ws-actions"):
                        yield Button("Create", id="create", variant="primary")
                        yield Static("or press Enter", id="ws-progress", classes="hint")
                    result = Static("", id="ws-result", markup=False)
                    result.display = False
                    yield result
                with Vertical(id="ws-curl-card", classes="card") as curl:
                    curl.border_title = "Request (ctrl+y copies)"
                    yield Static("", id="ws-curl", markup=False)
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
        table = self.query_one("#ws-table", DataTable)
        table.add_column("Name", key="name")
        table.add_column("onna_id", key="onna_id")
        self.onna.session_signal.subscribe(self, self._on_session)
        self._update_curl()
        self._on_session(self.onna.session)

    def _on_session(self, session: Session | None) -> None:
        # The previous profile's reads are moot; a create in flight finishes on its own
        # client and is reported as that profile's (see _created).
        self.workers.cancel_group(self, "ws-list")
        self.workers.cancel_group(self, "ws-details")
        self.workers.cancel_group(self, "ws-fields")
        self.workers.cancel_group(self, "ws-times")
        self._account_fields = None
        self._list_loading = False
        self.query_one("#ws-table", DataTable).loading = False
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

    def _reset_list(self) -> None:
        self.query_one("#ws-table", DataTable).clear()
        self._rows.clear()
        self._next_cursor = None
        self._seen_cursors.clear()
        self.selected_id = None

    @property
    def details(self) -> WorkspaceDetails:
        return self.query_one("#ws-details-card", WorkspaceDetails)

    def _clear_details(self, text: str | Text = PROMPT) -> None:
        self.workspace = None
        self.details.show_message(text)

    def _is_current(self, session: Session) -> bool:
        """Whether ``session`` is still the active one (else its answers are not shown)."""
        return session is self.onna.session

    def _field(self, name: str) -> FormField:
        return self.query_one(f"#{name}-field", FormField)

    # ------------------------------------------------------------ the form

    def _body(self) -> dict[str, Any]:
        return workspace_body(
            self._field("name").value,
            self._field("description").value,
            split_tags(self._field("tags").value),
        )

    def _curl_later(self) -> None:
        """Redraw the curl preview after the next screen refresh: once per frame at most,
        however many keys arrived in between.

        The preview is the whole body, JSON-quoted and wrapped; redrawn on every key it
        made typing quadratic (5000 keys into the name took seconds). Once typing stops,
        the preview is the same as before.
        """
        if not self._curl_pending:
            self._curl_pending = True
            self.call_after_refresh(self._update_curl)

    def _update_curl(self) -> None:
        self._curl_pending = False
        session = self.onna.session
        base = session.base_url if session is not None else "https://api.onna.com/v1"
        # What was typed is shown as typed: JSON escapes most controls, not C1 or DEL.
        self.query_one("#ws-curl", Static).update(
            plain(create_workspace_curl(base, self._body()), multiline=True)
        )

    @property
    def curl_text(self) -> str:
        session = self.onna.session
        base = session.base_url if session is not None else "https://api.onna.com/v1"
        return create_workspace_curl(base, self._body())

    @on(Input.Changed, "#ws-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._filter = event.value
        self._render_rows()
        self._fill_filter()

    @on(Input.Submitted, "#ws-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_focus_list()

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id not in FORM_FIELDS:
            return
        self._curl_later()
        field = event.input.parent
        if isinstance(field, FormField) and field.error:
            field.show_error(None)

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id not in FORM_FIELDS:
            return
        event.stop()
        self.action_create()

    @on(Button.Pressed, "#create")
    def _create_pressed(self) -> None:
        self.action_create()

    def validate_form(self) -> WorkspaceDraft | None:
        """Textual validators first (shown on the fields), then the pydantic draft."""
        fields = [self._field(name) for name in FORM_FIELDS]
        ok = all([field.check() for field in fields])
        if not ok:
            return None
        from pydantic import ValidationError

        from onna_tui.core.wire.workspaces import WorkspaceDraft

        body = self._body()
        try:
            return WorkspaceDraft(
                name=body["name"],
                description=body.get("description"),
                tags=body.get("tags", []),
            )
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else "name"
                if name in FORM_FIELDS:
                    self._field(name).show_error(str(error["msg"]).removeprefix("Value error, "))
            return None

    def action_create(self) -> None:
        if self._creating:
            return  # one POST at a time: a second Enter never sends another
        if self.onna.session is None:
            self.notify(
                "Add or pick a profile first (F2 Credentials).",
                title="No profile",
                severity="warning",
            )
            return
        draft = self.validate_form()
        if draft is None:
            self._set_result(
                Text("Fix the highlighted fields, then create again.", style="italic"), error=True
            )
            first = next(f for f in (self._field(n) for n in FORM_FIELDS) if f.error)
            first.input.focus()
            return
        self._creating = True
        self.create_workspace(draft)

    def _set_busy(self, busy: bool) -> None:
        self.query_one("#create", Button).disabled = busy
        self.query_one("#ws-progress", Static).update(
            "Creating the workspace…" if busy else "or press Enter"
        )
        self.query_one("#ws-form").set_class(busy, "-busy")

    def _set_result(self, content: Any, *, error: bool = False) -> None:
        result = self.query_one("#ws-result", Static)
        result.update(content)
        result.display = True
        result.set_class(error, "-error")
        result.set_class(not error, "-ok")

    # Not exclusive: a POST is never cancelled by the UI (action_create sends one at a time).
    @work(group="ws-create")
    async def create_workspace(self, draft: WorkspaceDraft) -> None:
        from onna_tui.api.errors import OutcomeUnknown, ValidationFailed

        try:
            session = self.onna.session
            if session is None:
                return
            self._set_busy(True)
            with session.writing():  # a profile switch closes this client only after the answer
                try:
                    created = await session.client.create_workspace(draft)
                except ValidationFailed as exc:
                    errors = {name: exc.for_field(name) for name in FORM_FIELDS}
                    self._report(exc, session)
                    self.post_message(WorkspaceRejected(errors, str(exc), session))
                    return
                except OutcomeUnknown as exc:
                    self._report(exc, session, severity="warning", timeout=15)
                    self.post_message(WorkspaceOutcomeUnknown(str(exc), session))
                    return
                except Exception as exc:
                    self._report(exc, session)
                    if self._is_current(session):
                        self._set_result(
                            Text("Not created: see the message in the corner."), error=True
                        )
                    return
            self.post_message(WorkspaceCreated(created, draft.name, session))
        finally:
            self._creating = False
            self._set_busy(False)

    def _report(
        self,
        exc: Exception,
        session: Session,
        *,
        severity: SeverityLevel = "error",
        timeout: float = 10,
        action: str = "create the workspace",
    ) -> None:
        """A toast for a failed request; it names the profile when that is no longer active."""
        title, message = describe(exc, action)
        if not self._is_current(session):
            message = f"Profile {session.name!r} (no longer active): {message}"
        self.notify(message, title=title, severity=severity, timeout=timeout)

    @on(WorkspaceCreated)
    def _created(self, message: WorkspaceCreated) -> None:
        onna_id = message.created.onna_id
        if not self._is_current(message.session):
            # Created with the profile that was active when Create was pressed: say so,
            # but leave this profile's panels alone.
            self.notify(
                f"Workspace {message.name!r} was created in profile {message.session.name!r} "
                f"(onna_id {onna_id}), which is no longer the active profile.",
                title="Workspace created",
                timeout=15,
            )
            return
        self.created_id = onna_id
        self._set_result(
            Text.assemble(
                "Created ",
                plain(message.name, "bold"),
                "\nonna_id ",
                plain(onna_id, "bold reverse"),
                ("  ctrl+o copies", "dim"),
            )
        )
        self.notify(
            f"Workspace {message.name!r} created with onna_id {onna_id}.", title="Workspace created"
        )
        for name in FORM_FIELDS:
            self._field(name).input.value = ""
        self._field("name").input.focus()
        self._select_when_loaded = onna_id
        self.load_workspace(onna_id)
        self.action_refresh()

    @on(WorkspaceRejected)
    def _rejected(self, message: WorkspaceRejected) -> None:
        if not self._is_current(message.session):
            return  # the toast named the profile; the form now belongs to another one
        shown = False
        for name, problems in message.errors.items():
            if problems:
                self._field(name).show_error(" ".join(problems))
                shown = True
        self._set_result(
            Text("Onna rejected the request: see the fields above.")
            if shown
            else plain(message.message, multiline=True),
            error=True,
        )

    @on(WorkspaceOutcomeUnknown)
    def _outcome_unknown(self, message: WorkspaceOutcomeUnknown) -> None:
        if not self._is_current(message.session):
            return  # the toast said so; this profile's list is another one
        self._set_result(
            Text.assemble(
                (
                    "No answer from Onna: the workspace may have been created — check the list ",
                    "bold",
                ),
                "(refreshed now) before creating it again.",
            ),
            error=True,
        )
        self.action_refresh()

    # ------------------------------------------------------------- the list

    def _set_list_status(self, text: str) -> None:
        self.query_one("#ws-list-status", Static).update(text)

    def _list_status(self) -> str:
        table = self.query_one("#ws-table", DataTable)
        return listing.status_line(
            shown=table.row_count,
            loaded=len(self._rows),
            query=self._filter,
            sort=self.sort,
            more=bool(self._next_cursor),
        )

    @work(exclusive=True, group="ws-list")
    async def load_page(self, cursor: str | None) -> None:
        session = self.onna.session
        if session is None:
            return
        self._list_loading = True
        self.query_one("#ws-table", DataTable).loading = cursor is None
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
                self.query_one("#ws-table", DataTable).loading = False
        if self._is_current(session):
            self.post_message(WorkspacePageLoaded(page, cursor is not None, session))

    @on(WorkspacePageLoaded)
    def _page_loaded(self, message: WorkspacePageLoaded) -> None:
        if not self._is_current(message.session):
            return
        if not message.append:
            self._rows.clear()
            self._seen_cursors.clear()
        fresh = []
        for item in message.page.items:
            if item.onna_id not in self._rows:
                row = listing.Row(item.onna_id, item.name or "")
                self._rows[item.onna_id] = row
                fresh.append(row)
        cursor = message.page.cursor
        if cursor and cursor in self._seen_cursors:
            # A server whose cursors loop would be paged forever: stop here.
            self.notify(
                "The server sent a page cursor it had sent before; the list stops "
                "here and may be incomplete.",
                title="Paging stopped",
                severity="warning",
            )
            cursor = None
        if cursor:
            self._seen_cursors.add(cursor)
        self._next_cursor = cursor
        table = self.query_one("#ws-table", DataTable)
        if message.append and self.sort is listing.Sort.SERVER and not self._filter.strip():
            for row in fresh:  # the common case: new rows go at the end, nothing is redrawn
                table.add_row(plain(row.name or "—"), plain(row.onna_id), key=row.onna_id)
            self._set_list_status(self._list_status())
        else:
            self._render_rows()
        wanted = self._select_when_loaded
        if wanted is not None and wanted in table.rows:
            self._select_when_loaded = None
            self.selected_id = wanted  # its details are loading already
            table.move_cursor(row=table.get_row_index(wanted), animate=False)
        if self.sort is listing.Sort.CREATED:
            self._read_creation_times()
        self._fill_filter()

    def _render_rows(self) -> None:
        """Show the loaded rows the filter keeps, in the chosen order; the cursor stays on
        the workspace it was on when that one is still shown."""
        table = self.query_one("#ws-table", DataTable)
        keep = self.selected_id
        table.clear()
        for row in listing.visible(list(self._rows.values()), self._filter, self.sort):
            table.add_row(plain(row.name or "—"), plain(row.onna_id), key=row.onna_id)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        self._set_list_status(self._list_status())

    def _fill_filter(self) -> None:
        """While a filter keeps few rows and the server has more, fetch the next page."""
        if not self._filter.strip() or not self._next_cursor or self._list_loading:
            return
        if self.query_one("#ws-table", DataTable).row_count < FILTER_FILL:
            self.load_page(self._next_cursor)

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
        self._next_cursor = None
        self.load_page(None)

    def action_load_more(self, quiet: bool = False) -> None:
        if self._list_loading:
            return
        if not self._next_cursor:
            if not quiet:
                self.notify("Every workspace is loaded.", title="Workspaces")
            return
        self.load_page(self._next_cursor)

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
        row = self._rows.get(ws.onna_id)
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

    def _update_row(self, onna_id: str) -> None:
        table = self.query_one("#ws-table", DataTable)
        row = self._rows.get(onna_id)
        if row is not None and onna_id in table.rows:
            table.update_cell(onna_id, "name", plain(row.name or "—"))

    # ---------------------------------------------------------- filter, sort

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
        self.query_one("#ws-table", DataTable).focus()

    def action_new(self) -> None:
        self._field("name").input.focus()

    def action_sort(self, order: str | None = None) -> None:
        self.sort = listing.Sort(order) if order else self.sort.next()
        self._render_rows()
        if self.sort is listing.Sort.CREATED:
            self._read_creation_times()
        self.notify(f"The list is in {self.sort.value}.", title="Sorted", timeout=3)

    def _read_creation_times(self) -> None:
        missing = [row.onna_id for row in self._rows.values() if row.created is None]
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
        for onna_id, created in message.times.items():
            row = self._rows.get(onna_id)
            if row is not None and created is not None:
                row.created = created
        if self.sort is listing.Sort.CREATED:
            self._render_rows()

    # ------------------------------------------------------ edit and delete

    def _selected(self, verb: str) -> str | None:
        """The highlighted workspace's id, or None after saying what to do."""
        if self.onna.session is None:
            self.notify(
                "Add or pick a profile first (F2 Credentials).",
                title="No profile",
                severity="warning",
            )
            return None
        if self.selected_id is None or self.selected_id not in self._rows:
            self.notify(
                f"Highlight a workspace in the list first, then {verb} it.",
                title="No workspace selected",
                severity="warning",
            )
            return None
        return self.selected_id

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
        name = update.name or (self._rows[onna_id].name if onna_id in self._rows else onna_id)
        self.notify(f"Workspace {name!r} was saved.", title="Workspace saved")
        if not self._is_current(session):
            return
        row = self._rows.get(onna_id)
        if row is not None and update.name is not None:
            row.name = update.name
            if self.sort is listing.Sort.NAME or self._filter.strip():
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

        name = self._rows[onna_id].name or onna_id
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
        table = self.query_one("#ws-table", DataTable)
        self._rows.pop(message.workspace_id, None)
        if message.workspace_id in table.rows:
            table.remove_row(message.workspace_id)
        if self.created_id == message.workspace_id:
            self.created_id = None
        if self.selected_id == message.workspace_id or self.selected_id not in table.rows:
            self.selected_id = None
            self._clear_details(Text(said))
            if table.row_count:
                # The cursor now rests on a neighbour: show it, with what happened above it.
                key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
                if key is not None:
                    self.selected_id = key
                    self._keep_notice = True
                    self.details.notice(said)
                    self.load_workspace(key)
        self._set_list_status(self._list_status())

    # -------------------------------------------------------- custom fields

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

        name = self._rows[onna_id].name if onna_id in self._rows else onna_id
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
            self.notify(
                "Add or pick a profile first (F2 Credentials).",
                title="No profile",
                severity="warning",
            )
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

    # ------------------------------------------------------------ palette

    def palette_commands(self) -> Iterable[SystemCommand]:
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

    def action_copy_curl(self) -> None:
        self.app.copy_to_clipboard(self.curl_text)
        self.notify("The curl command is on the clipboard (the token is redacted).", title="Copied")

    def action_copy_id(self) -> None:
        onna_id = self.created_id or self.selected_id
        if onna_id is None:
            self.notify(
                "Create or select a workspace first.", title="Nothing to copy", severity="warning"
            )
            return
        self.app.copy_to_clipboard(onna_id)
        self.notify(f"{onna_id} is on the clipboard.", title="Copied")
