"""A small yes/no dialog that returns a bool (Escape means no)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static


def danger_dialog_css(screen: str, prefix: str) -> str:
    """The look of a dialog that asks before something cannot be undone: a centred box with
    a red border, a bold ``#{prefix}-title`` and right-aligned ``#{prefix}-buttons``."""
    return f"""
    {screen} {{ align: center middle; }}
    {screen} > Vertical {{
        width: 72;
        max-width: 95%;
        height: auto;
        max-height: 95%;
        border: thick $error 60%;
        border-title-color: $text-error;
        border-title-style: bold;
        background: $surface;
        padding: 1 2;
    }}
    {screen} #{prefix}-title {{ text-style: bold; margin-bottom: 1; }}
    {screen} #{prefix}-buttons {{ height: auto; margin-top: 1; align-horizontal: right; }}
    {screen} Button {{ margin-left: 2; }}
    """


class ConfirmScreen(ModalScreen[bool]):
    """Ask before doing something that cannot be undone."""

    DEFAULT_CSS = danger_dialog_css("ConfirmScreen", "confirm")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel", tooltip="Keep everything.")
    ]
    AUTO_FOCUS = "#confirm-no"

    def __init__(
        self, title: str | Text, body: Any, *, yes: str = "Yes", no: str = "Cancel"
    ) -> None:
        """``title`` and ``body``: a plain str is shown as it is (never as markup)."""
        super().__init__()
        self._title = title
        self._body = body
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Confirm"
            yield Static(self._title, id="confirm-title", markup=False)
            yield Static(self._body, id="confirm-body", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(self._no, id="confirm-no")
                yield Button(self._yes, id="confirm-yes", variant="error")
        yield Footer(compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_cancel(self) -> None:
        self.dismiss(False)
