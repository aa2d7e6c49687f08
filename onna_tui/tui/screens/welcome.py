"""First run: what credentials are, where they come from, and two ways to start."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from onna_tui.tui.paths import style
from onna_tui.tui.screens.base import OnnaScreen
from onna_tui.tui.store import ProfileInfo
from onna_tui.tui.widgets.profile_form import ProfileFormScreen

STEPS = (
    ("An Onna admin gives you the developer role", " (Platform API app → Developers → +)."),
    (
        "You create credentials in the Platform API app",
        " (API credentials → +) and copy the client secret: Onna shows it only once.",
    ),
    (
        "Paste the client id and secret here.",
        " onna-tui checks them with Onna, then keeps the secret in your system keyring.",
    ),
)


def welcome_text() -> Group:
    intro = Text.assemble(
        "onna-tui keeps your Onna Platform API credentials, shows how long your access token "
        "has left (tokens live one hour and cannot be refreshed), and creates workspaces.\n\n",
        ("To get credentials:", "bold"),
    )
    steps = Table.grid(padding=(0, 1))
    steps.add_column(no_wrap=True)
    steps.add_column()
    for number, (lead, rest) in enumerate(STEPS, start=1):
        steps.add_row(f"{number}.", Text.assemble((lead, "bold"), rest))
    return Group(intro, steps)


class WelcomeScreen(OnnaScreen):
    """Shown when there is no profile yet."""

    SECTION = "Welcome"
    CSS_PATH = style("welcome.tcss")
    AUTO_FOCUS = "#add-credentials"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "add",
            "Add credentials",
            id="welcome.add",
            tooltip="Paste a client id and secret from the Platform API app.",
        ),
        Binding(
            "t",
            "sandbox",
            "Try the sandbox",
            id="welcome.sandbox",
            tooltip="Run a local stand-in for the Onna API; nothing is saved.",
        ),
    ]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="welcome-scroll"), Center(), Vertical(id="welcome-card") as card:
            card.border_title = "Welcome to onna-tui"
            yield Static(welcome_text(), id="welcome-text")
            with Horizontal(id="welcome-buttons"):
                yield Button("Add credentials", id="add-credentials", variant="primary")
                yield Button("Try the sandbox", id="try-sandbox")
            yield Static(
                "No account yet? The sandbox speaks the same API on this machine, with a demo "
                "client whose secret lives in memory only. Nothing is saved.",
                id="welcome-sandbox-hint",
                classes="hint",
            )

    @on(Button.Pressed, "#add-credentials")
    def action_add(self) -> None:
        self.app.push_screen(ProfileFormScreen(), self._saved)

    def _saved(self, profile: ProfileInfo | None) -> None:
        if profile is not None:
            self.onna.after_profile_saved(profile.name)
            self.app.call_later(self.app.switch_mode, "token")

    @on(Button.Pressed, "#try-sandbox")
    def action_sandbox(self) -> None:
        self.onna.try_sandbox()
