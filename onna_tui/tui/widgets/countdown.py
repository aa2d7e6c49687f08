"""The token countdown: mm:ss left and a bar of the lifetime left.

It ticks on the app's once-a-second ``tick_signal`` (one timer for the whole app)
and keeps no running total: every tick recomputes the time left from the token's
``expires_at`` and the injected clock, so it never drifts, a frozen clock
freezes it (snapshots), and a test can move the clock and call ``tick()``.

A tick touches only what changed: the digits once a second, the bar when it
grows by a visible step, the caption and the urgency class when they change. An
unchanged part is neither repainted nor re-laid out nor re-styled, and while its
screen is in another mode (not on the screen stack) the countdown skips the
ticks; it catches up when its screen is shown again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import clamp
from textual.widget import Widget
from textual.widgets import Digits, Label, Static

# Textual is pinned exactly (pyproject.toml): its ProgressBar's own parts, without the
# ProgressBar, whose 1 Hz ETA timer and data bindings repaint the bar on every update.
from textual.widgets._progress_bar import Bar, PercentageStatus

from onna_tui.core.formatting import format_left
from onna_tui.tui.formatting import URGENCY_CLASSES, urgency
from onna_tui.tui.safe_text import plain
from onna_tui.tui.widgets.visibility import tick_while_shown

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from onna_tui.core.clock import Clock
    from onna_tui.tui.early import EarlyExpiry


class Expiring(Protocol):
    """What a countdown needs of a token: an ``AccessToken``, or the expiry read at start-up
    (``tui.early.EarlyExpiry``) while the profile opens."""

    @property
    def expires_at(self) -> datetime: ...

    @property
    def expires_in(self) -> int: ...

    def seconds_left(self, now: datetime) -> int: ...


class LifetimeBar(Widget):
    """The share of the token's lifetime left: Textual's ProgressBar look, without its timer.

    Laid out and styled as a ``ProgressBar(show_eta=False)``: a ``Bar`` and a percentage.
    Setting the same fraction again changes nothing; the bar repaints only when it
    moves by a half cell, the percentage when its whole number changes.
    """

    DEFAULT_CSS = """
    LifetimeBar {
        width: auto;
        height: 1;
        layout: horizontal;
    }
    """

    def __init__(self, fraction: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._fraction = fraction

    @property
    def fraction(self) -> float:
        """Between 0 and 1: the share of the lifetime left."""
        return self._fraction

    def compose(self) -> ComposeResult:
        bar = Bar(id="bar")
        bar.set_reactive(Bar.percentage, self._fraction)
        percentage = PercentageStatus(id="percentage")
        percentage.set_reactive(PercentageStatus.percentage, round(self._fraction * 100))
        yield bar
        yield percentage

    def update(self, progress: float, total: float) -> None:
        """As ``ProgressBar.update(total=total, progress=progress)`` shows it."""
        fraction = clamp(progress / total, 0.0, 1.0) if total else 1.0
        if fraction == self._fraction:
            return
        self._fraction = fraction
        if self.is_mounted:
            self.query_one(Bar).percentage = fraction  # a reactive: repaints if the cells change
            # Likewise, whole percents: its validator rounds the fraction (the ProgressBar
            # binds the same float to it, though the reactive is typed as the int).
            self.query_one(PercentageStatus).percentage = fraction  # type: ignore[assignment]


class TokenCountdown(Vertical):
    """Shows the time left of one token (or a dash when there is none)."""

    DEFAULT_CSS = """
    TokenCountdown { height: auto; }
    TokenCountdown Digits { width: auto; }
    TokenCountdown LifetimeBar { margin-top: 1; }
    """

    def __init__(self, clock: Clock, tz: tzinfo | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self._tz = tz
        self._token: Expiring | None = None
        #: Whole seconds left at the last tick (None: no token).
        self.seconds_left: int | None = None
        #: The urgency class now on the widget (None: none yet).
        self._shown_state: str | None = None

    def compose(self) -> ComposeResult:
        # The first frame already says what the token has left (set before mounting).
        digits_text, caption_text, progress, total = self._now()
        yield Digits(digits_text, id="countdown-digits")
        yield Label(caption_text, id="countdown-caption")
        yield LifetimeBar(clamp(progress / total, 0.0, 1.0), id="countdown-bar")
        self._shown_state = self.state
        self.add_class(self._shown_state)

    def on_mount(self) -> None:
        tick_while_shown(self, self.tick)
        self.tick()

    @property
    def token(self) -> Expiring | None:
        return self._token

    @token.setter
    def token(self, token: Expiring | None) -> None:
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

    def _now(self) -> tuple[str, str, int, int]:
        """What to show for ``seconds_left``: digits, caption, and the bar's progress of total."""
        token, left = self._token, self.seconds_left
        if token is None or left is None:
            return "--:--", "no token", 0, 100
        until = token.expires_at.astimezone(self._tz).strftime("%H:%M:%S")
        caption = f"expired at {until}" if left <= 0 else f"left · expires at {until}"
        return format_left(left), caption, left, max(1, token.expires_in)

    def tick(self) -> None:
        """Recompute from expires_at and the clock (never from the previous tick)."""
        token = self._token
        self.seconds_left = None if token is None else token.seconds_left(self._clock())
        if not self.is_mounted:
            return
        digits = self.query_one("#countdown-digits", Digits)
        caption = self.query_one("#countdown-caption", Label)
        bar = self.query_one("#countdown-bar", LifetimeBar)
        digits_text, caption_text, progress, total = self._now()
        bar.update(progress=progress, total=total)
        if digits.value != digits_text:
            digits.update(digits_text)  # re-laid out only if its width changes
        if caption.content != caption_text:
            caption.update(caption_text)
        state = self.state
        if state != self._shown_state:
            # One style update, only when the urgency changes (it re-styles the subtree).
            self._shown_state = state
            self.remove_class(*URGENCY_CLASSES, update=False)
            self.add_class(state)


class EarlyTokenCard(Vertical):
    """The cached token counting down on the start screen while its profile opens.

    The expiry the launcher's helper read (no token in it); the card is small and
    quick to mount, so the countdown shows moments after the first paint.
    """

    DEFAULT_CSS = """
    EarlyTokenCard { width: 44; margin-top: 1; }
    EarlyTokenCard #start-token-profile { color: $text-muted; margin-top: 1; }
    """

    def __init__(
        self, early: EarlyExpiry, clock: Clock, tz: tzinfo | None = None, **kwargs: Any
    ) -> None:
        super().__init__(classes="card", **kwargs)
        self.border_title = "Access token"
        self._early = early
        self._clock = clock
        self._tz = tz

    def compose(self) -> ComposeResult:
        countdown = TokenCountdown(self._clock, self._tz, id="countdown")
        countdown.token = self._early  # composed with the time left: no second frame
        yield countdown
        yield Static(
            Text.assemble("profile ", plain(self._early.profile)), id="start-token-profile"
        )
