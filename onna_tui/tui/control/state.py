"""`AppState`: what the running app holds, and the one way it tells the person of an error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.signal import Signal

from onna_tui.tui.errors import describe
from onna_tui.tui.safe_text import printable

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from onna_tui.core.tokens import AccessToken
    from onna_tui.tui.early import EarlyExpiry
    from onna_tui.tui.sandbox_mode import SandboxHandle
    from onna_tui.tui.session import Session
    from onna_tui.tui.settings import AppSettings
    from onna_tui.tui.store import ProfileInfo, ProfileStore


class AppState(App[int]):
    """The app's state and signals; the controllers above it change them, screens read them."""

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
        #: The cached token's expiry read at start-up, counted down until a session is open.
        self.early_expiry: EarlyExpiry | None = None
        self.token_signal: Signal[AccessToken | None] = Signal(self, "token")
        self.session_signal: Signal[Session | None] = Signal(self, "session")
        self.profiles_signal: Signal[list[ProfileInfo]] = Signal(self, "profiles")
        #: Once a second (the app's one timer): countdowns and the status bar re-read the clock.
        self.tick_signal: Signal[None] = Signal(self, "tick")

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
