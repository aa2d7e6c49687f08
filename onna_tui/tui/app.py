"""The Textual app: modes for the screens, key bindings, the palette, the one 1 Hz tick.

`make_app(settings)` is the one way to build it — used by `run_tui`, the tests
and the screenshot script — so they all run the same app with different
collaborators (clock, profile store, HTTP transport, animations on or off).
What the app holds and does (sessions, tokens, the sandbox) is in
``onna_tui.tui.control``; `OnnaApp` adds what makes it a Textual app.

Start-up stays light: httpx, keyring, pydantic and the sandbox are imported in
workers after the first paint, never at module level here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.widgets import Label

from onna_tui.tui.control.sessions import SessionControl, next_frame
from onna_tui.tui.paths import style
from onna_tui.tui.safe_text import markup_literal
from onna_tui.tui.screens.base import OnnaScreen
from onna_tui.tui.sections import NAVIGABLE, SECTIONS
from onna_tui.tui.settings import DARK_THEME, LIGHT_THEME, AppSettings

if TYPE_CHECKING:
    from textual.driver import Driver

    from onna_tui.tui.services import AppServices

__all__ = ["OnnaApp", "StartScreen", "make_app"]


class StartScreen(OnnaScreen):
    """Shown for the moment it takes to read the profiles, with the cached token's
    countdown as soon as the launcher's helper has read it (``tui.early``)."""

    SECTION = "Starting"

    #: How many frames the early card may take to be laid out before the profile opens
    #: anyway (it takes one or two; the bound only keeps a stuck layout from holding it).
    EARLY_FRAMES: ClassVar[int] = 10

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self._early_card: Widget | None = None
        self._early_mount: AwaitMount | None = None

    def compose_body(self) -> ComposeResult:
        with Middle(), Center(id="start-center"):
            yield Label("Opening your profile…", id="start-message")

    def on_mount(self) -> None:
        # At once, not posted: the card is mounting before the profile starts to open.
        self.onna.token_signal.subscribe(self, self._on_token, immediate=True)
        if self.onna.early_expiry is not None:  # it came in before this screen mounted
            self._on_token(None)

    def _on_token(self, _token: object) -> None:
        """The early answer arrived: count it down here, under the message, while the
        profile opens (the Token screen, heavier to build, follows once it is open)."""
        early = self.onna.early_expiry
        if early is None or self._early_card is not None:
            return
        from onna_tui.tui.widgets.countdown import EarlyTokenCard

        self._early_card = EarlyTokenCard(
            early, self.onna.clock, self.onna.settings.display_tz, id="start-token"
        )
        self._early_mount = self.query_one("#start-center").mount(self._early_card)

    async def early_countdown_drawn(self) -> None:
        """Return once a frame with the early card laid out has gone to the terminal.

        Mounting is not drawing: the screen lays the card out on its next update, a
        frame or two later, and the profile's imports, which come next, would hold that
        frame up by a tenth of a second or more. So once the card is mounted the screen
        is laid out and drawn at once (Textual is pinned exactly: ``_refresh_layout``
        is what its update timer calls), and frames are waited for only if that did
        not place it.
        """
        card, mounted = self._early_card, self._early_mount
        if card is None or mounted is None:
            return
        await mounted
        if not card.region and self.is_current:
            self._refresh_layout()
        for _ in range(self.EARLY_FRAMES):
            if card.region:  # laid out, and so drawn in the same refresh
                return
            await next_frame(self)


class OnnaApp(SessionControl):
    """onna-tui: credentials, a live access token, workspaces."""

    TITLE = "onna-tui"
    CSS_PATH = str(style("global.tcss"))
    # The screens are imported when first shown, not before the first paint.
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        section.mode: section.make_screen for section in SECTIONS
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(
                section.key,
                f"show('{section.mode}')",
                section.title,
                id=f"app.{section.mode}",
                show=False,
                tooltip=f"{section.description}.",
            )
            for section in NAVIGABLE
            if section.key is not None
        ),
        Binding(
            "ctrl+t",
            "toggle_theme",
            "Theme",
            id="app.theme",
            show=False,
            tooltip="Switch between the light and the dark theme.",
        ),
    ]
    # Screens get -narrow/-wide and -short/-tall classes; the TCSS compacts forms at 80x24.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012

    def __init__(self, settings: AppSettings) -> None:
        super().__init__(settings)
        if not settings.animations:
            self.animation_level = "none"

    # ------------------------------------------------------------- start-up

    def get_driver_class(self) -> type[Driver]:
        """Textual's own choice, except that its POSIX terminal driver gives way to one
        whose input thread sleeps until there is input (``tui.driver``). A driver named
        in TEXTUAL_DRIVER is used as it is."""
        from textual.drivers.linux_driver import LinuxDriver

        driver = super().get_driver_class()
        if driver is LinuxDriver:
            from onna_tui.tui.driver import QuietDriver

            return QuietDriver
        return driver

    def get_default_screen(self) -> Screen[Any]:
        return StartScreen()

    def on_mount(self) -> None:
        self._ask_early_expiry()  # first: the helper's answer shows as soon as it is in
        self.theme = self.settings.theme
        self.set_interval(1, self._tick)
        self.screen_change_signal.subscribe(self, self._screen_changed, immediate=True)
        self._handle_exit_signals()
        # After the first frame: reading the profiles imports the config model, the vault
        # and the HTTP client, which would hold the first paint back otherwise.
        self.call_after_refresh(self.start)

    def _tick(self) -> None:
        """The app's one 1 Hz timer: renew early if due, then tell the subscribers."""
        self.check_renewal()
        self.tick_signal.publish(None)

    def _handle_exit_signals(self) -> None:
        """SIGTERM and SIGHUP (a closed terminal) end the app as ctrl+q does: the sandbox
        stops and its temporary profile folder goes (the default action would kill the
        process on the spot and leave it behind)."""
        loop = asyncio.get_running_loop()
        for signum in self.settings.exit_signals:
            loop.add_signal_handler(signum, self._exit_on_signal, signum)

    def _exit_on_signal(self, signum: int) -> None:
        self.exit(return_code=128 + signum)

    @property
    def cursor_blink(self) -> bool:
        """Whether text fields blink their cursor (off for snapshots and screenshots)."""
        return self.settings.animations

    async def on_unmount(self) -> None:
        await self._close_sessions()
        if self.sandbox is not None:
            await asyncio.to_thread(self.sandbox.stop)
        loop = asyncio.get_running_loop()
        for signum in self.settings.exit_signals:
            loop.remove_signal_handler(signum)

    # ------------------------------------------------------------ navigation

    async def _early_countdown_drawn(self) -> None:
        screen = self.screen
        if isinstance(screen, StartScreen):
            await screen.early_countdown_drawn()
        else:
            await super()._early_countdown_drawn()

    async def action_show(self, mode: str) -> None:
        await self.switch_mode(mode)

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for section in NAVIGABLE:
            yield SystemCommand(
                section.title, section.description, partial(self.action_show, section.mode)
            )
        if isinstance(screen, OnnaScreen):
            yield from screen.palette_commands()
        for profile in self.profiles:
            # The palette reads every title and help as markup: config.toml may say anything.
            yield SystemCommand(
                markup_literal(f"Switch profile: {profile.name}"),
                markup_literal(f"Use client {profile.client_id} at {profile.base_url}"),
                partial(self.activate_profile, profile.name),
            )
        yield SystemCommand(
            "Toggle light/dark theme",
            "Switch between the light and the dark theme",
            self.action_toggle_theme,
        )
        yield from super().get_system_commands(screen)


def make_app(settings: AppSettings | None = None, **overrides: Any) -> OnnaApp:
    """Build the app. ``overrides`` are AppSettings fields, for short test set-ups."""
    if settings is None:
        settings = AppSettings(**overrides)
    elif overrides:
        from dataclasses import replace

        settings = replace(settings, **overrides)
    return OnnaApp(settings)


if TYPE_CHECKING:

    def _provides_app_services(app: OnnaApp) -> AppServices:
        """Type-checked only: OnnaApp offers everything screens and widgets use of it."""
        return app
