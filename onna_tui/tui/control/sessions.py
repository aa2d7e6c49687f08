"""`SessionControl`: read the profiles, open and switch sessions, start the sandbox.

The app's start-up lives here too: read the profiles, open the requested or
default one (or welcome a newcomer), then hand over from the start screen.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work

from onna_tui.tui.control.tokens import TokenControl

if TYPE_CHECKING:
    from textual.message_pump import MessagePump
    from textual.screen import Screen
    from textual.worker import Worker

    from onna_tui.tui.session import Session
    from onna_tui.tui.settings import AppSettings
    from onna_tui.tui.store import ProfileInfo, Verify


class SessionControl(TokenControl):
    """One active session at a time; a replaced one closes once its writes are done."""

    def __init__(self, settings: AppSettings) -> None:
        super().__init__(settings)
        self._unsubscribe: Any = None
        #: Replaced sessions whose client closes once their writes are done.
        self._retired: list[Session] = []
        #: The "Try the sandbox" worker, while it runs (a second press is ignored).
        self._sandbox_worker: Worker[None] | None = None
        #: (to, from): a move between modes waiting for a screen over ``from`` to close.
        self._pending_hand_over: tuple[str, str] | None = None
        #: Waits for the launcher's helper from the app's mount on (``_ask_early_expiry``).
        self._early_answer: Worker[None] | None = None

    # ------------------------------------------------------------- start-up

    @work(exclusive=True, group="session")
    async def start(self) -> None:
        """Read the profiles, then open the requested or default one (or welcome a newcomer)."""
        if self.settings.launch_sandbox or (self.sandbox is not None and self.store is None):
            await self._start_sandbox(leaving=self.DEFAULT_MODE)
            return
        # The start screen counts the cached token down if the early answer came in time.
        await self._show_early_expiry()
        try:
            if self.store is None:
                from onna_tui.tui.store import default_store

                self.store = default_store(self.clock)
                self.store.base_url_override = self.settings.base_url
            profiles = await self.store.list_profiles()
        except Exception as exc:
            self.report_error(exc, "read your profiles")
            self.status_hint = "profiles could not be read"
            await self._leave_early_expiry()
            await self._hand_over("credentials", leaving=self.DEFAULT_MODE)
            return
        self._set_profiles(profiles)
        if not profiles and self.settings.profile is None and not self.store.has_env_credentials():
            self.status_hint = "no profile yet"
            await self._leave_early_expiry()
            await self._hand_over("welcome", leaving=self.DEFAULT_MODE)
            return
        opened = await self._activate(self.settings.profile)
        await self._leave_early_expiry()
        await self._hand_over("token" if opened else "credentials", leaving=self.DEFAULT_MODE)

    def _ask_early_expiry(self) -> None:
        """Wait for the launcher's helper (``tui.early``) from the app's mount on, before
        the first paint, so that its answer is on screen a frame after it comes in.

        Waiting from the start worker instead, which runs after the first paint, left
        the answer unread for the frames in between (about 30 ms). The start screen
        counts the cached token down, and so do the status bar, and the Token screen if
        the person goes there, until the session takes over."""
        if self.settings.early_expiry is None or self.settings.launch_sandbox:
            return
        self._early_answer = self.run_worker(
            self._receive_early_expiry(), group="early-expiry", exit_on_error=False
        )

    async def _receive_early_expiry(self) -> None:
        early = self.settings.early_expiry
        if early is None:
            return
        try:
            expiry = await early()
        except Exception:
            expiry = None  # no early answer: the profile opens the full way, as ever
        if expiry is None or self.session is not None or self.current_mode != self.DEFAULT_MODE:
            return
        self.early_expiry = expiry
        self.token_signal.publish(None)

    async def _show_early_expiry(self) -> None:
        """Before the profile opens: wait for the helper's answer, and if it came, for the
        frame that shows it, so that what opens the profile (imports, mostly) comes after
        the countdown is on screen, not before. The Token screen follows once the
        profile is open: building it first would hold the countdown back by about a
        tenth of a second."""
        answer = self._early_answer
        if answer is None:
            return
        try:
            await answer.wait()
        except Exception:  # cancelled, or failed: the profile opens the full way
            return
        if self.early_expiry is not None:
            await self._early_countdown_drawn()

    async def _early_countdown_drawn(self) -> None:
        """Return once the early countdown is on the terminal (the app knows where it
        shows); here, after the next frame."""
        await next_frame(self)

    async def _leave_early_expiry(self) -> None:
        """The profile is open (or could not be): the early countdown gives way to what is
        known now, the session's own token or none."""
        if self.early_expiry is None:
            return
        self.early_expiry = None
        session = self.session
        self.token_signal.publish(session.tokens.current if session and session.tokens else None)

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

    async def _close_sessions(self) -> None:
        """At exit: close the active session's client and every retired one."""
        session, self.session = self.session, None
        if session is not None:
            await session.aclose()
        closing, self._retired = self._retired, []
        for old in closing:
            await old.aclose()

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

    async def _reload_profiles_now(self) -> None:
        if self.store is None:
            return
        try:
            self._set_profiles(await self.store.list_profiles())
        except Exception as exc:
            self.report_error(exc, "read your profiles")

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

    # ------------------------------------------------------------- sessions

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
        self._reset_renewal()
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


async def next_frame(node: MessagePump) -> None:
    """Wait until ``node`` has handled what is queued for it and the screen has refreshed."""
    painted = asyncio.Event()
    node.call_after_refresh(painted.set)
    await painted.wait()
