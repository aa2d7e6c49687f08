"""What every main screen shares: the status bar on top, the footer with bindings below."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.screen import Screen
from textual.widgets import Footer

from onna_tui.tui.compositor import CroppedCompositor
from onna_tui.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from onna_tui.tui.services import AppServices


class OnnaScreen(Screen[None]):
    """A main screen: subclasses set SECTION and implement compose_body()."""

    SECTION: ClassVar[str] = ""

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        # A partial update (the 1 Hz countdown) renders only the widgets under it.
        self._compositor = CroppedCompositor()

    @property
    def onna(self) -> AppServices:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusBar(self.SECTION)
        yield from self.compose_body()
        yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This screen's own entries in the command palette (the app adds them)."""
        yield from ()
