"""Edit a workspace: a form prefilled with its name, description and tags.

Only what changed is sent (PATCH /workspaces/{id}); the curl preview under the
form follows what is typed, as it does for create. Saving with nothing changed
is refused here, before anything is sent. A 422 puts the server's words on the
fields it names and keeps the dialog open; so does any other failure, with a
toast. The dialog returns the change that was saved, or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Static

from onna_tui.tui.curl import update_workspace_curl
from onna_tui.tui.errors import describe
from onna_tui.tui.safe_text import plain
from onna_tui.tui.validators import NotBlank, Tags, split_tags
from onna_tui.tui.widgets.fields import FormField

if TYPE_CHECKING:
    from onna_tui.core.wire.workspaces import Workspace, WorkspaceUpdate
    from onna_tui.tui.session import Session

FIELDS = ("name", "description", "tags")

DIALOG_CSS = """
{screen} {{ align: center middle; }}
{screen} > VerticalScroll {{
    width: 76;
    max-width: 95%;
    height: auto;
    max-height: 95%;
    border: thick $primary 60%;
    border-title-color: $text-accent;
    border-title-style: bold;
    background: $surface;
    padding: 0 1;
}}
{screen} .dialog-curl {{ color: $text-muted; margin-top: 1; }}
{screen} #edit-id {{ padding: 0 1; }}
{screen} .dialog-result {{ color: $text-warning; height: auto; }}
{screen} .dialog-buttons {{ height: auto; margin-top: 1; align-horizontal: right; }}
{screen} .dialog-buttons Button {{ margin-left: 2; }}
{screen}.-short .dialog-buttons {{ margin-top: 0; }}
{screen}.-short .dialog-buttons Button {{ border: none; height: 1; min-width: 10; }}
"""


def changed_body(
    workspace: Workspace, name: str, description: str, tags: list[str]
) -> dict[str, Any]:
    """The PATCH body: each field whose typed value differs from the workspace's."""
    body: dict[str, Any] = {}
    if name.strip() != workspace.name:
        body["name"] = name.strip()
    if description.strip() != (workspace.description or ""):
        body["description"] = description.strip()
    if tags != list(workspace.tags):
        body["tags"] = tags
    return body


class WorkspaceEditScreen(ModalScreen["WorkspaceUpdate | None"]):
    """Change a workspace's name, description or tags; returns what was saved."""

    DEFAULT_CSS = DIALOG_CSS.format(screen="WorkspaceEditScreen")
    AUTO_FOCUS = "#name"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="edit.cancel", tooltip="Close; nothing is sent."),
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="edit.save",
            priority=True,
            tooltip="Send the changed fields to Onna.",
        ),
        Binding(
            "ctrl+y",
            "copy_curl",
            "Copy curl",
            id="edit.copy-curl",
            priority=True,
            tooltip="Copy the request as a curl command (token redacted).",
        ),
    ]

    def __init__(self, session: Session, workspace: Workspace) -> None:
        super().__init__()
        self._session = session
        self.workspace = workspace
        self._saving = False

    def compose(self) -> ComposeResult:
        ws = self.workspace
        with VerticalScroll() as box:
            box.border_title = "Edit workspace"
            yield Static(
                Text.assemble(("onna_id ", "dim"), plain(ws.onna_id, "bold")),
                id="edit-id",
                markup=False,
            )
            yield FormField(
                "Name (required)",
                field_id="name",
                value=ws.name,
                validators=[NotBlank("A name")],
            )
            yield FormField(
                "Description (empty clears it)", field_id="description", value=ws.description
            )
            yield FormField(
                "Tags (comma separated; empty clears them)",
                field_id="tags",
                value=", ".join(ws.tags),
                validators=[Tags()],
            )
            yield Static("", id="edit-curl", classes="dialog-curl", markup=False)
            result = Static("", id="edit-result", classes="dialog-result", markup=False)
            result.display = False
            yield result
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="edit-cancel")
                yield Button("Save", id="edit-save", variant="primary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._update_curl()

    def _field(self, name: str) -> FormField:
        return self.query_one(f"#{name}-field", FormField)

    def body(self) -> dict[str, Any]:
        return changed_body(
            self.workspace,
            self._field("name").value,
            self._field("description").value,
            split_tags(self._field("tags").value),
        )

    @property
    def curl_text(self) -> str:
        return update_workspace_curl(self._session.base_url, self.workspace.onna_id, self.body())

    def _update_curl(self) -> None:
        self.query_one("#edit-curl", Static).update(plain(self.curl_text, multiline=True))

    def _say(self, text: str | Text) -> None:
        result = self.query_one("#edit-result", Static)
        result.update(text)
        result.display = bool(text)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._update_curl()
        self._say("")
        field = event.input.parent
        if isinstance(field, FormField) and field.error:
            field.show_error(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "edit-save":
            self.action_save()
        else:
            self.action_cancel()

    def validate(self) -> WorkspaceUpdate | None:
        """Validators on the fields, then the pydantic update; None (and a message) if not."""
        if not all([self._field(name).check() for name in FIELDS]):
            self._say("Fix the highlighted fields, then save again.")
            return None
        from pydantic import ValidationError

        from onna_tui.core.wire.workspaces import WorkspaceUpdate

        try:
            update = WorkspaceUpdate(**self.body())
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else "name"
                if name in FIELDS:
                    self._field(name).show_error(str(error["msg"]).removeprefix("Value error, "))
            self._say("Fix the highlighted fields, then save again.")
            return None
        if update.is_empty():
            self._say("Nothing to change: edit a field first, or press Escape to close.")
            return None
        return update

    def action_save(self) -> None:
        if self._saving:
            return  # one PATCH at a time
        update = self.validate()
        if update is not None:
            self._saving = True
            self.query_one("#edit-save", Button).disabled = True
            self.save(update)

    @work(group="edit-save")
    async def save(self, update: WorkspaceUpdate) -> None:
        from onna_tui.api.errors import ValidationFailed

        try:
            with self._session.writing():
                await self._session.client.update_workspace(self.workspace.onna_id, update)
        except ValidationFailed as exc:
            shown = False
            for name in FIELDS:
                problems = exc.for_field(name)
                if problems:
                    self._field(name).show_error(" ".join(problems))
                    shown = True
            self._say(
                "Onna rejected the change: see the fields above." if shown else plain(str(exc))
            )
            return
        except Exception as exc:
            title, message = describe(exc, f"update workspace {self.workspace.onna_id}")
            self.notify(message, title=title, severity="error", timeout=10)
            self._say("Not saved: see the message in the corner.")
            return
        finally:
            self._saving = False
            self.query_one("#edit-save", Button).disabled = False
        self.dismiss(update)

    def action_copy_curl(self) -> None:
        self.app.copy_to_clipboard(self.curl_text)
        self.notify("The curl command is on the clipboard (the token is redacted).", title="Copied")

    def action_cancel(self) -> None:
        if not self._saving:
            self.dismiss(None)
