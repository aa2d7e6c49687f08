"""A dialog that asks the person to type a name before something is deleted for good.

As GitHub asks for a repository's name before deleting it: the red button stays
disabled until the text typed matches. The name is untrusted text: it is shown
through ``safe_text`` and may be typed as shown (with its escapes) when it holds
characters a keyboard cannot type.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Static

from onna_tui.core.text import confirms_name
from onna_tui.tui.safe_text import plain, printable
from onna_tui.tui.widgets.confirm import danger_dialog_css


def name_matches(typed: str, name: str) -> bool:
    """True when ``typed`` is the name, or the name as it is shown (the CLI's rule too)."""
    return confirms_name(typed, name)


class TypeToConfirmScreen(ModalScreen[bool]):
    """Ask for the name of what is about to be deleted; True only when it was typed."""

    DEFAULT_CSS = (
        danger_dialog_css("TypeToConfirmScreen", "type")
        + """
    TypeToConfirmScreen #type-prompt { margin-top: 1; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="type-confirm.cancel", tooltip="Keep it.")
    ]
    AUTO_FOCUS = "#type-input"

    def __init__(self, title: str, body: Text | str, name: str, *, yes: str = "Delete") -> None:
        """``title`` is ours; ``body`` a plain str or Text; ``name`` untrusted."""
        super().__init__()
        self._title = title
        self._body = body
        self._expected = name
        self._yes = yes

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Confirm"
            yield Static(self._title, id="type-title", markup=False)
            yield Static(self._body, id="type-body", markup=False)
            prompt = Text("To confirm, type ")
            prompt.append_text(plain(self._expected, "bold"))
            prompt.append(" below.")
            yield Static(prompt, id="type-prompt", markup=False)
            yield Input(placeholder=printable(self._expected), id="type-input")
            with Horizontal(id="type-buttons"):
                yield Button("Cancel", id="type-no")
                yield Button(self._yes, id="type-yes", variant="error", disabled=True)
        yield Footer(compact=True)

    @on(Input.Changed, "#type-input")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#type-yes", Button).disabled = not name_matches(event.value, self._expected)

    @on(Input.Submitted, "#type-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if name_matches(event.value, self._expected):
            self.dismiss(True)
        else:
            self.notify("The name typed does not match: nothing was deleted.", severity="warning")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "type-yes")

    def action_cancel(self) -> None:
        self.dismiss(False)
