"""The token countdown: mm:ss left and a bar of the lifetime left.

It ticks on the app's once-a-second ``tick_signal`` (one timer for the whole app)
and keeps no running total: every tick recomputes the time left from the token's
``expires_at`` and the injected clock, so it never drifts, a frozen clock
freezes it (snapshots), and a test can move the clock and call ``tick()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Label, ProgressBar

from onna_tui.core.formatting import format_left
from onna_tui.tui.formatting import URGENCY_CLASSES, urgency

if TYPE_CHECKING:
    from datetime import tzinfo

    from onna_tui.core.clock import Clock
    from onna_tui.core.tokens import AccessToken
    from onna_tui.tui.services import AppServices


class TokenCountdown(Vertical):
    """Shows the time left of one token (or a dash when there is none)."""

    DEFAULT_CSS = """
    TokenCountdown { height: auto; }
    TokenCountdown Digits { width: auto; }
    TokenCountdown ProgressBar { margin-top: 1; }
    """

    def __init__(self, clock: Clock, tz: tzinfo | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self._tz = tz
        self._token: AccessToken | None = None
        #: Whole seconds left at the last tick (None: no token).
        self.seconds_left: int | None = None

    def compose(self) -> ComposeResult:
        yield Digits("--:--", id="countdown-digits")
        yield Label("no token", id="countdown-caption")
        yield ProgressBar(total=100, show_eta=False, show_percentage=True, id="countdown-bar")

    def on_mount(self) -> None:
        services = cast("AppServices", self.app)
        services.tick_signal.subscribe(self, lambda _: self.tick())
        self.tick()

    @property
    def token(self) -> AccessToken | None:
        return self._token

    @token.setter
    def token(self, token: AccessToken | None) -> None:
        self._token = token
        self.tick()

    @property
    def text(self) -> str:
        """What the countdown says: "mm:ss", "expired" or "no token"."""
        if self.seconds_left is None:
            return "no token"
        return "expired" if self.seconds_left <= 0 else format_left(self.seconds_left)

    @property
    def state(self) -> str:
        """The urgency class in force: -none, -ok, -warning, -critical or -expired."""
        return urgency(self.seconds_left)

    def tick(self) -> None:
        """Recompute from expires_at and the clock (never from the previous tick)."""
        token = self._token
        self.seconds_left = None if token is None else token.seconds_left(self._clock())
        if not self.is_mounted:
            return
        digits = self.query_one("#countdown-digits", Digits)
        caption = self.query_one("#countdown-caption", Label)
        bar = self.query_one("#countdown-bar", ProgressBar)
        if token is None or self.seconds_left is None:
            digits.update("--:--")
            caption.update("no token")
            bar.update(total=100, progress=0)
        else:
            digits.update(format_left(self.seconds_left))
            until = token.expires_at.astimezone(self._tz).strftime("%H:%M:%S")
            caption.update(
                f"expired at {until}" if self.seconds_left <= 0 else f"left · expires at {until}"
            )
            bar.update(total=max(1, token.expires_in), progress=self.seconds_left)
        self.remove_class(*URGENCY_CLASSES)
        self.add_class(self.state)
