"""The app's main screens, once: mode name, title, key, the screen class, what it is for.

`OnnaApp` builds its MODES, its F-key bindings and the palette's section commands
from `SECTIONS`, and the status bar lists them from it. The screen class is named
by its import path and imported when the screen is first shown (start-up stays
light, and this module imports no screen: screens import the status bar, which
reads this list).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True)
class Section:
    """One main screen. ``key`` None: reached only by the app itself (the welcome)."""

    mode: str
    title: str
    #: "module:Class" of the screen.
    screen: str
    key: str | None = None
    #: What the screen is for: the palette's help, and (with a full stop) the key's tooltip.
    description: str = ""

    def make_screen(self) -> Screen[Any]:
        module, _, name = self.screen.partition(":")
        screen: Screen[Any] = getattr(import_module(module), name)()
        return screen


SECTIONS = (
    Section("welcome", "Welcome", "onna_tui.tui.screens.welcome:WelcomeScreen"),
    Section(
        "credentials",
        "Credentials",
        "onna_tui.tui.screens.credentials:CredentialsScreen",
        key="f2",
        description="Profiles: add, edit, delete, set the default",
    ),
    Section(
        "token",
        "Token",
        "onna_tui.tui.screens.token:TokenScreen",
        key="f3",
        description="The access token: countdown, copy, new token",
    ),
    Section(
        "workspaces",
        "Workspaces",
        "onna_tui.tui.screens.workspaces:WorkspacesScreen",
        key="f4",
        description="Create workspaces and browse the list",
    ),
)

#: The sections with a key, in the order the status bar and the palette list them.
NAVIGABLE = tuple(section for section in SECTIONS if section.key is not None)
