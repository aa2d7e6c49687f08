"""Custom-field dialogs: create an account-wide field; pick one to enable for a workspace.

Names, types and descriptions come from the server or from the person: shown as
data, never as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from onna_tui.tui.curl import create_custom_field_curl
from onna_tui.tui.errors import describe
from onna_tui.tui.safe_text import plain
from onna_tui.tui.validators import NotBlank
from onna_tui.tui.widgets.fields import FormField
from onna_tui.tui.widgets.workspace_edit import DIALOG_CSS

if TYPE_CHECKING:
    from onna_tui.core.wire.custom_fields import CustomField, CustomFieldDraft
    from onna_tui.tui.session import Session

FIELDS = ("name", "type", "description")


class CreateCustomFieldScreen(ModalScreen["str | None"]):
    """POST /customFields: name, type, description and required; returns the new onna_id.

    A POST that got no answer is not sent again: the dialog closes saying the field
    may exist, so a second Save cannot make a duplicate.
    """

    DEFAULT_CSS = (
        DIALOG_CSS.format(screen="CreateCustomFieldScreen")
        + """
    CreateCustomFieldScreen #cf-required { margin: 1 0 0 1; }
    CreateCustomFieldScreen.-short #cf-required { border: none; margin: 0 0 0 1; }
    CreateCustomFieldScreen.-short #cf-curl { display: none; }
    """
    )
    AUTO_FOCUS = "#name"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cf.cancel", tooltip="Close; nothing is sent."),
        Binding(
            "ctrl+s",
            "create",
            "Create",
            id="cf.create",
            priority=True,
            tooltip="Create the field for the whole account.",
        ),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self._session = session
        self._sending = False

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "New custom field (whole account)"
            yield FormField(
                "Name (required)",
                field_id="name",
                placeholder="e.g. Matter number",
                validators=[NotBlank("A name")],
            )
            yield FormField(
                "Type (required)",
                field_id="type",
                value="keyword",
                placeholder="e.g. keyword",
                validators=[NotBlank("A type")],
            )
            yield FormField("Description", field_id="description", placeholder="optional")
            yield Checkbox("Required in every workspace", id="cf-required")
            yield Static("", id="cf-curl", classes="dialog-curl", markup=False)
            result = Static("", id="cf-result", classes="dialog-result", markup=False)
            result.display = False
            yield result
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cf-cancel")
                yield Button("Create", id="cf-create", variant="primary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._update_curl()

    def _field(self, name: str) -> FormField:
        return self.query_one(f"#{name}-field", FormField)

    def body(self) -> dict[str, Any]:
        return {
            "name": self._field("name").value.strip(),
            "type": self._field("type").value.strip(),
            "description": self._field("description").value.strip(),
            "required": self.query_one("#cf-required", Checkbox).value,
        }

    @property
    def curl_text(self) -> str:
        return create_custom_field_curl(self._session.base_url, self.body())

    def _update_curl(self) -> None:
        self.query_one("#cf-curl", Static).update(plain(self.curl_text, multiline=True))

    def _say(self, text: str | Text) -> None:
        result = self.query_one("#cf-result", Static)
        result.update(text)
        result.display = bool(text)

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Input.Changed | Checkbox.Changed) -> None:
        self._update_curl()
        field = event.control.parent
        if isinstance(field, FormField) and field.error:
            field.show_error(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_create()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cf-create":
            self.action_create()
        else:
            self.action_cancel()

    def validate(self) -> CustomFieldDraft | None:
        if not all([self._field(name).check() for name in FIELDS]):
            self._say("Fix the highlighted fields, then create again.")
            return None
        from pydantic import ValidationError

        from onna_tui.core.wire.custom_fields import CustomFieldDraft

        try:
            return CustomFieldDraft(**self.body())
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else "name"
                if name in FIELDS:
                    self._field(name).show_error(str(error["msg"]).removeprefix("Value error, "))
            self._say("Fix the highlighted fields, then create again.")
            return None

    def action_create(self) -> None:
        if self._sending:
            return
        draft = self.validate()
        if draft is not None:
            self._sending = True
            self.query_one("#cf-create", Button).disabled = True
            self.create(draft)

    @work(group="cf-create")
    async def create(self, draft: CustomFieldDraft) -> None:
        from onna_tui.api.errors import OutcomeUnknown, ValidationFailed

        try:
            with self._session.writing():
                created = await self._session.client.create_custom_field(draft)
        except ValidationFailed as exc:
            shown = False
            for name in (*FIELDS, "required"):
                problems = exc.for_field(name)
                if problems and name in FIELDS:
                    self._field(name).show_error(" ".join(problems))
                    shown = True
            self._say("Onna rejected the field: see above." if shown else plain(str(exc)))
            self._sending = False
            self.query_one("#cf-create", Button).disabled = False
            return
        except OutcomeUnknown as exc:
            title, message = describe(exc, "create the custom field")
            self.notify(
                f"{message} Check the account's fields before creating it again.",
                title=title,
                severity="warning",
                timeout=15,
            )
            self.dismiss(None)
            return
        except Exception as exc:
            title, message = describe(exc, "create the custom field")
            self.notify(message, title=title, severity="error", timeout=10)
            self._say("Not created: see the message in the corner.")
            self._sending = False
            self.query_one("#cf-create", Button).disabled = False
            return
        self.dismiss(created.onna_id)

    def action_cancel(self) -> None:
        if not self._sending:
            self.dismiss(None)


def field_option(field: CustomField) -> Option:
    """One account field as a picker line: name, type, required, description."""
    line = plain(field.name, "bold")
    line.append("  ")
    line.append_text(plain(field.type, "italic"))
    if field.required:
        line.append("  required", style="bold")
    if field.description:
        line.append("\n")
        line.append_text(plain(field.description, "dim"))
    return Option(line, id=field.onna_id)


class PickFieldScreen(ModalScreen["str | None"]):
    """Choose one of the account's fields that the workspace has not enabled yet."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(screen="PickFieldScreen")
        + """
    PickFieldScreen OptionList { height: auto; max-height: 16; margin-top: 1; }
    """
    )
    AUTO_FOCUS = "#pick-list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pick.cancel", tooltip="Close; enable nothing."),
    ]

    def __init__(self, workspace_name: str, fields: list[CustomField]) -> None:
        super().__init__()
        self._workspace_name = workspace_name
        self._fields = fields

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Enable a custom field"
            title = Text("For workspace ")
            title.append_text(plain(self._workspace_name, "bold"))
            title.append(": Enter enables the highlighted field.")
            yield Static(title, markup=False)
            yield OptionList(*[field_option(f) for f in self._fields], id="pick-list")
        yield Footer(compact=True)

    @on(OptionList.OptionSelected, "#pick-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
