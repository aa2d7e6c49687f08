"""The Textual app: modes for the four screens, the active session, token workers, the palette.

`make_app(settings)` is the one way to build it — used by `run_tui`, the tests
and the screenshot script — so they all run the same app with different
collaborators (clock, profile store, HTTP transport, animations on or off).

Start-up stays light: httpx, keyring, pydantic and the sandbox are imported in
workers after the first paint, never at module level here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.signal import Signal
from textual.widgets import Label
from textual.worker import Worker

from onna_tui.tui.errors import describe
from onna_tui.tui.formatting import local_time
from onna_tui.tui.messages import TokenChanged
from onna_tui.tui.paths import style
from onna_tui.tui.safe_text import markup_literal, printable
from onna_tui.tui.screens.base import OnnaScreen
from onna_tui.tui.sections import NAVIGABLE, SECTIONS
from onna_tui.tui.settings import DARK_THEME, LIGHT_THEME, AppSettings

if TYPE_CHECKING:
    from datetime import datetime

    from textual.notifications import SeverityLevel

    from onna_tui.api.tokens import TokenManager
    from onna_tui.core.tokens import AccessToken
    from onna_tui.tui.sandbox_mode import SandboxHandle
    from onna_tui.tui.services import AppServices
    from onna_tui.tui.session import Session
    from onna_tui.tui.store import ProfileInfo, ProfileStore, Verify

#: After a failed automatic renewal, wait this long before trying again (no toast storm).
RENEW_RETRY_SECONDS = 30.0


class StartScreen(OnnaScreen):
    """Shown for the moment it takes to read the profiles."""

    SECTION = "Starting"

    def compose_body(self) -> ComposeResult:
        with Middle(), Center():
            yield Label("Opening your profile…", id="start-message")


class OnnaApp(App[int]):
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
        super().__init__()
        self.settings = settings
        self.clock = settings.clock
        self.store: ProfileStore | None = settings.store
        self.sandbox: SandboxHandle | None = settings.sandbox
        self.transport: Any = settings.transport
        if self.transport is None and settings.sandbox is not None:
            self.transport = settings.sandbox.transport
        self.session: Session | None = None
        self.profiles: list[ProfileInfo] = []
        #: Re-mint before expiry; applies to every session opened in this run.
        self.renew_early = settings.renew_early
        #: What the status bar says while there is no session.
        self.status_hint = "opening…"
        self.token_signal: Signal[AccessToken | None] = Signal(self, "token")
        self.session_signal: Signal[Session | None] = Signal(self, "session")
        self.profiles_signal: Signal[list[ProfileInfo]] = Signal(self, "profiles")
        #: Once a second (the app's one timer): countdowns and the status bar re-read the clock.
        self.tick_signal: Signal[None] = Signal(self, "tick")
        self._unsubscribe: Any = None
        self._renewing = False
        self._renew_retry_at: datetime | None = None
        #: Replaced sessions whose client closes once their writes are done.
        self._retired: list[Session] = []
        #: The "Try the sandbox" worker, while it runs (a second press is ignored).
        self._sandbox_worker: Worker[None] | None = None
        #: (to, from): a move between modes waiting for a screen over ``from`` to close.
        self._pending_hand_over: tuple[str, str] | None = None
        if not settings.animations:
            self.animation_level = "none"

    # ------------------------------------------------------------- start-up

    def get_default_screen(self) -> Screen[Any]:
        return StartScreen()

    def on_mount(self) -> None:
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

    @work(exclusive=True, group="session")
    async def start(self) -> None:
        """Read the profiles, then open the requested or default one (or welcome a newcomer)."""
        if self.settings.launch_sandbox or (self.sandbox is not None and self.store is None):
            await self._start_sandbox(leaving=self.DEFAULT_MODE)
            return
        try:
            if self.store is None:
                from onna_tui.tui.store import default_store

                self.store = default_store(self.clock)
                self.store.base_url_override = self.settings.base_url
            profiles = await self.store.list_profiles()
        except Exception as exc:
            self.report_error(exc, "read your profiles")
            self.status_hint = "profiles could not be read"
            await self._hand_over("credentials", leaving=self.DEFAULT_MODE)
            return
        self._set_profiles(profiles)
        if not profiles and self.settings.profile is None and not self.store.has_env_credentials():
            self.status_hint = "no profile yet"
            await self._hand_over("welcome", leaving=self.DEFAULT_MODE)
            return
        opened = await self._activate(self.settings.profile)
        await self._hand_over("token" if opened else "credentials", leaving=self.DEFAULT_MODE)

    async def _hand_over(self, mode: str, *, leaving: str) -> None:
        """Move on to ``mode`` once the app is done with the ``leaving`` mode's screen (the
        start screen once the profile is open, the welcome screen once the sandbox runs).

        It is the app's move, not the person's: if they went to another screen meanwhile
        (a key, the palette), they stay there. And nothing opened over the screen being
        left stays behind on that mode's stack: an orphaned command palette there clashes
        with the next one opened (DuplicateIds). So while a screen (the palette) is open
        over it, the move waits for it to close; a command picked in the palette runs
        after the move, so the person's choice has the last word.
        """
        if self.current_mode != leaving:
            self._pending_hand_over = None
            return
        if len(self.screen_stack) > 1:
            self._pending_hand_over = (mode, leaving)
            return
        self._pending_hand_over = None
        await self.switch_mode(mode)

    def _screen_changed(self, _screen: Screen[Any]) -> None:
        if self._pending_hand_over is not None:
            # Queued now, ahead of the command a closing palette queues: a screen picked
            # there is switched to after this move, so the person's choice wins.
            self.call_later(self._resume_hand_over)

    async def _resume_hand_over(self) -> None:
        pending = self._pending_hand_over
        if pending is not None:
            mode, leaving = pending
            await self._hand_over(mode, leaving=leaving)

    async def on_unmount(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            await session.aclose()
        closing, self._retired = self._retired, []
        for old in closing:
            await old.aclose()
        if self.sandbox is not None:
            await asyncio.to_thread(self.sandbox.stop)
        loop = asyncio.get_running_loop()
        for signum in self.settings.exit_signals:
            loop.remove_signal_handler(signum)

    # --------------------------------------------------------------- errors

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast of the app (screens' and widgets' ``notify`` come here too).

        Toasts often quote a name or a server's words, so none is ever read as markup
        (``markup`` is ignored) and control characters are shown, not obeyed.
        """
        super().notify(
            printable(message, multiline=True),
            title=printable(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def report_error(self, exc: BaseException, action: str) -> None:
        """A toast with the error's title and sentence; never a traceback, never a secret."""
        title, message = describe(exc, action)
        self.notify(message, title=title, severity="error", timeout=10)

    # ------------------------------------------------------------- profiles

    def _set_profiles(self, profiles: list[ProfileInfo]) -> None:
        self.profiles = profiles
        self.profiles_signal.publish(profiles)

    @work(exclusive=True, group="profiles")
    async def reload_profiles(self) -> None:
        if self.store is None:
            return
        try:
            profiles = await self.store.list_profiles()
        except Exception as exc:
            self.report_error(exc, "read your profiles")
            return
        self._set_profiles(profiles)

    async def _activate(self, name: str | None) -> bool:
        """Open a session for ``name`` (None: the default profile) and make it the active one."""
        from onna_tui.tui.session import open_session

        assert self.store is not None
        try:
            session = await open_session(
                self.store,
                name,
                self.settings,
                renew_early=self.renew_early,
                transport=self.transport,
            )
        except Exception as exc:
            self.report_error(exc, "open the profile")
            return False
        await self._install(session)
        return True

    async def _install(self, session: Session | None) -> None:
        old = self.session
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.session = session
        self._renewing = False
        self._renew_retry_at = None
        if session is not None and session.tokens is not None:
            self._unsubscribe = session.tokens.subscribe(self._token_listener)
        if old is not None and old is not session:
            # The old profile's token work is moot now; the screens cancel their own
            # reads when they hear of the new session (just below).
            self.workers.cancel_group(self, "mint")
            self.workers.cancel_group(self, "renew")
        self.session_signal.publish(session)
        if old is not None and old is not session:
            if old.is_writing:
                # A POST in flight (a workspace being created) is never cut off:
                # the old client closes once it has its answer.
                self._retired.append(old)
                self._close_when_idle(old)
            else:
                await old.aclose()
        if session is not None and session.tokens is not None:
            await session.tokens.peek_cached()

    @work(group="session-close")
    async def _close_when_idle(self, old: Session) -> None:
        try:
            await old.aclose_when_idle()
        except Exception:
            pass  # closing a client that is gone anyway: nothing to tell
        # (Cancelled at exit, it stays listed: on_unmount closes it.)
        self._retired = [other for other in self._retired if other is not old]

    @work(exclusive=True, group="session")
    async def activate_profile(self, name: str) -> None:
        """Switch to another profile (from the palette or the credentials screen)."""
        if await self._activate(name):
            self.notify(f"Now using profile {name!r}.", title="Profile")

    @work(exclusive=True, group="session")
    async def after_profile_saved(self, name: str) -> None:
        """Reopen the active profile when its settings or secret changed; open the first one."""
        await self._reload_profiles_now()
        if self.session is None or self.session.name == name:
            await self._activate(name)

    @work(exclusive=True, group="session")
    async def after_profile_deleted(self, name: str) -> None:
        await self._reload_profiles_now()
        if self.session is not None and self.session.name == name:
            self.status_hint = "no active profile: pick one on the Credentials screen"
            await self._install(None)

    async def _reload_profiles_now(self) -> None:
        if self.store is None:
            return
        try:
            self._set_profiles(await self.store.list_profiles())
        except Exception as exc:
            self.report_error(exc, "read your profiles")

    def verifier(self, base_url: str) -> Verify:
        """A check for new credentials: exchange them for a token through the service layer."""

        async def verify(credentials: Any) -> object:
            from onna_tui.api.http import make_http_client
            from onna_tui.api.tokens import exchange_credentials
            from onna_tui.core.urls import normalize_base_url

            url = normalize_base_url(base_url)
            async with make_http_client(self.transport) as http:
                return await exchange_credentials(http, url, credentials, self.clock)

        return verify

    # --------------------------------------------------------------- sandbox

    def try_sandbox(self) -> None:
        """The welcome screen's "Try the sandbox": a sandbox in this process, nothing saved.

        A second press while the first is starting it is ignored (one sandbox only).
        """
        running = self._sandbox_worker
        if running is not None and not (running.is_finished or running.is_cancelled):
            return
        self._sandbox_worker = self._try_sandbox(self.current_mode)

    @work(exclusive=True, group="session")
    async def _try_sandbox(self, leaving: str) -> None:
        await self._start_sandbox(leaving=leaving)

    async def _start_sandbox(self, *, leaving: str) -> None:
        """Start (or reuse) the in-process sandbox, open its demo profile, then move from
        the ``leaving`` mode to the token screen."""
        handle = self.sandbox
        if handle is None:
            starter = self.settings.sandbox_starter
            if starter is None:
                from onna_tui.tui.sandbox_mode import start_sandbox

                starter = partial(start_sandbox, clock=self.clock, **self.settings.sandbox_options)
            self.status_hint = "starting the sandbox…"
            self.session_signal.publish(None)
            try:
                handle = await asyncio.to_thread(starter)
            except Exception as exc:
                self.report_error(exc, "start the sandbox")
                self.status_hint = "the sandbox did not start"
                self.session_signal.publish(None)
                return
            self.sandbox = handle
        self.store = handle.store
        if handle.transport is not None:
            self.transport = handle.transport
        await self._reload_profiles_now()
        if await self._activate(handle.profile):
            await self._hand_over("token", leaving=leaving)
            self.notify(
                f"The sandbox answers at {handle.base_url}. Its demo secret lives in memory "
                "only; nothing is saved.",
                title="Sandbox running",
            )

    # ---------------------------------------------------------------- tokens

    def _token_listener(self, token: AccessToken | None) -> None:
        # Called by the token manager inside whatever worker changed the token: hand
        # it to the message queue so every screen reacts on the app's own turn.
        self.post_message(TokenChanged(token))

    @on(TokenChanged)
    def _token_changed(self, message: TokenChanged) -> None:
        self.token_signal.publish(message.token)

    def _tokens_or_hint(self) -> TokenManager | None:
        session = self.session
        if session is None:
            self.notify(
                "No profile is active: add or pick one on the Credentials screen (F2).",
                title="No profile",
                severity="warning",
            )
            return None
        if session.tokens is None:
            self.notify(session.missing_secret_message(), title="No secret", severity="warning")
            return None
        return session.tokens

    @work(group="mint")
    async def mint_token(self) -> None:
        """A new token now (the token manager joins a mint already in flight)."""
        tokens = self._tokens_or_hint()
        if tokens is None:
            return
        try:
            token = await tokens.mint()
        except Exception as exc:
            self.report_error(exc, "get a new access token")
            return
        until = local_time(token.expires_at, self.settings.display_tz)
        self.notify(f"New access token, valid until {until}.", title="Token")

    @work(group="forget")
    async def forget_token(self) -> None:
        tokens = self._tokens_or_hint()
        if tokens is None:
            return
        try:
            await tokens.forget()
        except Exception as exc:
            self.report_error(exc, "forget the cached token")
            return
        self.notify(
            "Forgot the token here and in the keyring. Onna keeps honouring it until it "
            "expires; the next call gets a new one.",
            title="Token forgotten",
        )

    def toggle_renew_early(self) -> None:
        self.renew_early = not self.renew_early
        self._renew_retry_at = None
        session = self.session
        if session is not None and session.tokens is not None:
            session.tokens.renew_early = self.renew_early
            self.token_signal.publish(session.tokens.current)
        if self.renew_early:
            self.notify(
                "A new token will be minted shortly before this one expires.", title="Auto-renew on"
            )
        else:
            self.notify(
                "The token will be allowed to expire; the next call mints a new one.",
                title="Auto-renew off",
            )

    def check_renewal(self) -> None:
        """Once a second: mint early when the token has entered the renewal margin."""
        session = self.session
        tokens = session.tokens if session is not None else None
        if tokens is None or not tokens.renew_early or self._renewing:
            return
        token = tokens.current
        if token is None:
            return  # forgotten on purpose: do not bring it back unasked
        if tokens.usable(token):
            return
        now = self.clock()
        if self._renew_retry_at is not None and now < self._renew_retry_at:
            return
        self._renewing = True
        self.renew_token(tokens)

    @work(group="renew")
    async def renew_token(self, tokens: TokenManager) -> None:
        try:
            await tokens.mint()
        except Exception as exc:
            self._renew_retry_at = self.clock() + timedelta(seconds=RENEW_RETRY_SECONDS)
            self.report_error(exc, "renew the access token")
        else:
            self._renew_retry_at = None
            self.notify(
                "The access token was renewed before it expired.", title="Token renewed", timeout=4
            )
        finally:
            self._renewing = False

    # ------------------------------------------------------------ navigation

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
