"""The Workspaces screen: a creation form with its curl preview, beside the list and details.

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

from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, Static

from onna_tui.tui.curl import create_workspace_curl, workspace_body
from onna_tui.tui.errors import describe
from onna_tui.tui.formatting import local_time
from onna_tui.tui.messages import (
    WorkspaceCreated,
    WorkspaceLoaded,
    WorkspaceOutcomeUnknown,
    WorkspacePageLoaded,
    WorkspaceRejected,
)
from onna_tui.tui.paths import style
from onna_tui.tui.safe_text import plain
from onna_tui.tui.screens.base import OnnaScreen
from onna_tui.tui.validators import NotBlank, Tags, split_tags
from onna_tui.tui.widgets.fields import FormField

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from onna_tui.core.wire.workspaces import WorkspaceDraft
    from onna_tui.tui.session import Session

#: Load the next page when the cursor is this close to the last row.
PREFETCH_ROWS = 3
FORM_FIELDS = ("name", "description", "tags")


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
                table: DataTable[Text] = DataTable(
                    id="ws-table", cursor_type="row", zebra_stripes=True
                )
                table.border_title = "Workspaces"
                yield table
                yield Static("", id="ws-list-status", classes="hint", markup=False)
                with VerticalScroll(id="ws-details-card", classes="card") as details:
                    details.border_title = "Details"
                    yield Static(
                        "Select a workspace to see its details.",
                        id="ws-details",
                        classes="hint",
                        markup=False,
                    )

    # ---------------------------------------------------------------- life

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
        self._next_cursor = None
        self._seen_cursors.clear()
        self.selected_id = None

    def _clear_details(self) -> None:
        details = self.query_one("#ws-details", Static)
        details.update("Select a workspace to see its details.")
        details.add_class("hint")

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

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        self._curl_later()
        field = event.input.parent
        if isinstance(field, FormField) and field.error:
            field.show_error(None)

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
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
    ) -> None:
        """A toast for a failed create; it names the profile when that is no longer active."""
        title, message = describe(exc, "create the workspace")
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
        count = self.query_one("#ws-table", DataTable).row_count
        noun = "workspace" if count == 1 else "workspaces"
        more = " · more on the server (ctrl+l)" if self._next_cursor else ""
        return f"{count} {noun} loaded{more}"

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
        table = self.query_one("#ws-table", DataTable)
        if not message.append:
            table.clear()
            self._seen_cursors.clear()
        for item in message.page.items:
            if item.onna_id not in table.rows:
                table.add_row(plain(item.name or "—"), plain(item.onna_id), key=item.onna_id)
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
        self._set_list_status(self._list_status())
        wanted = self._select_when_loaded
        if wanted is not None and wanted in table.rows:
            self._select_when_loaded = None
            self.selected_id = wanted  # its details are loading already
            table.move_cursor(row=table.get_row_index(wanted), animate=False)

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

    @on(WorkspaceLoaded)
    def _workspace_loaded(self, message: WorkspaceLoaded) -> None:
        if not self._is_current(message.session):
            return
        ws = message.workspace
        tz = self.onna.settings.display_tz
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
