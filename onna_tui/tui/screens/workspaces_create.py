"""The Workspaces screen's creation form and its curl preview.

Local validation (Textual validators, then the pydantic WorkspaceDraft) runs
before anything is sent. A 422 puts the server's words on the fields it names.
A POST that got no answer is reported as "may have been created" and the list
is refreshed; it is never retried, never sent twice by a double key press, and
never cut off by a profile switch. A creation that is answered after another
profile became active is reported in a toast that names its profile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from onna_tui.tui.curl import create_workspace_curl, workspace_body
from onna_tui.tui.messages import WorkspaceCreated, WorkspaceOutcomeUnknown, WorkspaceRejected
from onna_tui.tui.safe_text import plain
from onna_tui.tui.screens.workspaces_list import WorkspaceListPart
from onna_tui.tui.validators import NotBlank, Tags, split_tags
from onna_tui.tui.widgets.fields import FormField

if TYPE_CHECKING:
    from onna_tui.core.wire.workspaces import WorkspaceDraft

FORM_FIELDS = ("name", "description", "tags")
#: Where the preview's requests go while no profile is active.
DEFAULT_BASE = "https://api.onna.com/v1"


class CreateFormPart(WorkspaceListPart):
    """The "New workspace" card: fields, Create, the result line, the curl preview."""

    def __init__(self) -> None:
        super().__init__()
        #: True from the Create press until the POST has its answer (one POST at a time).
        self._creating = False
        #: True while a redraw of the curl preview is scheduled (see _curl_later).
        self._curl_pending = False

    def compose_form(self) -> ComposeResult:
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

    def _field(self, name: str) -> FormField:
        return self.query_one(f"#{name}-field", FormField)

    def _body(self) -> dict[str, Any]:
        return workspace_body(
            self._field("name").value,
            self._field("description").value,
            split_tags(self._field("tags").value),
        )

    # ------------------------------------------------------- curl preview

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
        # What was typed is shown as typed: JSON escapes most controls, not C1 or DEL.
        self.query_one("#ws-curl", Static).update(plain(self.curl_text, multiline=True))

    @property
    def curl_text(self) -> str:
        session = self.onna.session
        base = session.base_url if session is not None else DEFAULT_BASE
        return create_workspace_curl(base, self._body())

    def action_copy_curl(self) -> None:
        self.app.copy_to_clipboard(self.curl_text)
        self.notify("The curl command is on the clipboard (the token is redacted).", title="Copied")

    # -------------------------------------------------------------- input

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

    def action_new(self) -> None:
        self._field("name").input.focus()

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

    # ------------------------------------------------------------ create

    def action_create(self) -> None:
        if self._creating:
            return  # one POST at a time: a second Enter never sends another
        if self._no_profile():
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
