"""The baseline of every TUI pair: a bare Textual app with a header, a footer and a 1 Hz countdown.

It does the least an app showing a live countdown can do, with the same Textual
onna-tui pins, so the ratios say what onna-tui adds on top of Textual itself.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Footer, Header, Label

#: What run.py waits for on the screen: the header's title.
TITLE = "Bare countdown"


class BareCountdown(App[None]):
    TITLE = TITLE
    BINDINGS: ClassVar[list[BindingType]] = [("q", "quit", "Quit")]

    def __init__(self) -> None:
        super().__init__()
        self.left = 59 * 60 + 59

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(self.text(), id="left")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1, self.tick)

    def text(self) -> str:
        minutes, seconds = divmod(self.left, 60)
        return f"{minutes:02d}:{seconds:02d} left"

    def tick(self) -> None:
        self.left = max(0, self.left - 1)
        self.query_one("#left", Label).update(self.text())


if __name__ == "__main__":
    BareCountdown().run()
