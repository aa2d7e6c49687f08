"""Form pieces: a labelled text field with an error line under it.

The field's cursor blinks only when the app allows it, so snapshots and
screenshots never catch it half-way. The error line wraps, so the "what to do"
half of a message is never clipped at 80 columns. A paste into a password field
is trimmed; a paste of several lines is refused with a message on the field (the
plain Input would silently keep the first line: a fragment of a secret). A paste
into any other field leaves out control characters such as ESC.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label

from onna_tui.core.text import without_controls
from onna_tui.tui.safe_text import printable


class TextField(Input):
    """An Input that follows the app's cursor-blink setting."""

    def on_mount(self) -> None:
        self.cursor_blink = bool(getattr(self.app, "cursor_blink", True))

    def _on_paste(self, event: events.Paste) -> None:
        if not self.password:
            lines = event.text.splitlines()
            line = lines[0] if lines else ""
            clean = without_controls(line)
            if clean == line:
                return  # Input's own handler, next in the MRO, pastes the first line
            # Control characters (ESC and the like, as in text copied from a terminal)
            # would be drawn to the terminal as they are, and mean nothing in a field.
            event.prevent_default()
            event.stop()
            self._insert(clean)
            return
        event.prevent_default()  # ...but not into a password field: it would keep a fragment
        event.stop()
        # Never keep part of a secret: one line, trimmed, or nothing and a message.
        lines = [line for line in event.text.splitlines() if line.strip()]
        field = self.parent if isinstance(self.parent, FormField) else None
        if len(lines) > 1:
            if field is not None:
                field.show_error(f"The paste had {len(lines)} lines; paste the {field.what} alone.")
            return
        if not lines:
            return
        if field is not None:
            field.show_error(None)
        self._insert(lines[0].strip())

    def _insert(self, text: str) -> None:
        """Put ``text`` at the cursor, or in place of the selection."""
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)


class FormField(Vertical):
    """Label, input and an error line (hidden while there is no error)."""

    DEFAULT_CSS = """
    FormField { height: auto; }
    FormField > .field-label { padding: 0 1; color: $text-muted; }
    FormField > .field-error {
        width: 1fr; height: auto; padding: 0 1; color: $text-error; display: none;
    }
    FormField.-invalid > .field-error { display: block; }
    """

    def __init__(
        self,
        label: str,
        *,
        field_id: str,
        placeholder: str = "",
        value: str = "",
        password: bool = False,
        validators: Iterable[Validator] = (),
        disabled: bool = False,
        tooltip: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(id=f"{field_id}-field", **kwargs)
        self.field_id = field_id
        self._label = label
        self._input = TextField(
            value=value,
            placeholder=placeholder,
            password=password,
            validators=list(validators),
            validate_on=["submitted"],
            id=field_id,
            disabled=disabled,
        )
        if tooltip:
            self._input.tooltip = tooltip

    def compose(self) -> ComposeResult:
        yield Label(self._label, classes="field-label")
        yield self._input
        # Errors quote what was typed or what a server said: never markup.
        yield Label("", classes="field-error", id=f"{self.field_id}-error", markup=False)

    @property
    def what(self) -> str:
        """What the field holds, in words for a sentence ("client secret")."""
        return self._label.split(" (", 1)[0].lower()

    @property
    def input(self) -> Input:
        return self._input

    @property
    def value(self) -> str:
        return self._input.value

    @property
    def error(self) -> str:
        """The error shown under the field ("" when none)."""
        if not self.has_class("-invalid"):
            return ""
        return str(self.query_one(".field-error", Label).content)

    def show_error(self, message: str | None) -> None:
        self.query_one(".field-error", Label).update(printable(message or "", multiline=True))
        self.set_class(bool(message), "-invalid")
        self._input.set_class(bool(message), "-invalid")

    def check(self) -> bool:
        """Run the validators now; show the first failure. True when the value is fine."""
        result: ValidationResult | None = self._input.validate(self._input.value)
        if result is None or result.is_valid:
            self.show_error(None)
            return True
        self.show_error(result.failure_descriptions[0])
        return False
