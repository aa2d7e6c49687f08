"""The bar at the top of every screen: where you are, which profile is active, the token's state.

It listens to the app's token signal (fed by TokenManager.subscribe) for
immediate changes and re-reads the clock on the app's once-a-second tick_signal
for the countdown.

A second's tick changes only the token label's text, which keeps its width: it is
repainted, not re-laid out, and nothing else is touched (no re-styling unless the
urgency changes). A status bar on a screen of another mode skips the ticks; it
catches up when its screen is shown again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label

from onna_tui.core.formatting import format_left
from onna_tui.tui.formatting import URGENCY_CLASSES, urgency
from onna_tui.tui.safe_text import plain
from onna_tui.tui.sections import NAVIGABLE
from onna_tui.tui.widgets.visibility import tick_while_shown

if TYPE_CHECKING:
    from onna_tui.tui.services import AppServices


class StatusBar(Horizontal):
    """`` F2 Credentials  F3 Token  F4 Workspaces     sandbox (sandbox)  token 59:59 ⟳ ``

    The section names double as navigation: the keys work everywhere, a click too.
    """

    DEFAULT_CSS = """
    StatusBar {
        dock: top;
        height: 1;
        background: $panel;
    }
    StatusBar Label { height: 1; padding: 0 1; }
    StatusBar #status-nav {
        padding: 0;
        link-style: none;
        link-style-hover: bold;
        link-background-hover: $primary 30%;
    }
    StatusBar #status-profile {
        width: 1fr;
        text-align: right;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        color: $text-muted;
    }
    StatusBar #status-token.-ok { color: $text-success; }
    StatusBar #status-token.-warning { color: $text-warning; }
    StatusBar #status-token.-critical { color: $text-error; text-style: bold; }
    StatusBar #status-token.-expired { color: $text-error; }
    StatusBar #status-token.-none { color: $text-muted; }
    """

    def __init__(self, section: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.section = section
        #: The urgency class now on the token label (None: none yet).
        self._token_state: str | None = None
        #: What the profile label shows: (from a session?, the text); None: nothing yet.
        self._profile_shown: tuple[bool, str] | None = None

    @property
    def onna(self) -> AppServices:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Label(self._nav(), id="status-nav")
        yield Label("", id="status-profile", markup=False)
        yield Label("", id="status-token")

    def on_mount(self) -> None:
        self.onna.token_signal.subscribe(self, lambda _token: self.refresh_state())
        self.onna.session_signal.subscribe(self, lambda _session: self.refresh_state())
        tick_while_shown(self, self.refresh_state)
        self.refresh_state()

    def _nav(self) -> Content:
        parts = []
        for section in NAVIGABLE:
            current = "reverse bold" if section.title == self.section else "not bold"
            key = (section.key or "").upper()
            parts.append(
                f"[{current} @click=app.show('{section.mode}')][b]{key}[/b] {section.title} [/]"
            )
        return Content.from_markup(" ".join(parts))

    @property
    def profile_text(self) -> str:
        return str(self.query_one("#status-profile", Label).content)

    @property
    def token_text(self) -> str:
        return str(self.query_one("#status-token", Label).content)

    def refresh_state(self) -> None:
        """Re-read the session and the clock (called every second and on every change)."""
        app = self.onna
        session = app.session
        profile = self.query_one("#status-profile", Label)
        token_label = self.query_one("#status-token", Label)
        early = app.early_expiry if session is None else None
        if early is not None:
            # The cached token's expiry, read at start-up, while the profile opens.
            profile_text = f"{early.profile} · opening…"
            left = early.seconds_left(app.clock())
            state = urgency(left)
            token_text = "token expired" if left <= 0 else f"token {format_left(left)}"
        elif session is None:
            profile_text = app.status_hint
            token_text, state = "no token", "-none"
        else:
            label = f" ({session.label})" if session.label else ""
            org = f" · {session.resolved.org}" if session.resolved.org else ""
            profile_text = f"{session.name}{label}{org}"
            tokens = session.tokens
            token = tokens.current if tokens is not None else None
            if tokens is None:
                token_text, state = "no secret", "-none"
            elif token is None:
                token_text, state = "no token", "-none"
            else:
                left = token.seconds_left(app.clock())
                state = urgency(left)
                token_text = "token expired" if left <= 0 else f"token {format_left(left)}"
            if tokens is not None:
                token_text += " ⟳ auto" if tokens.renew_early else " (no auto-renew)"
        ours = session is None and early is None
        shown_profile = (not ours, profile_text)
        if shown_profile != self._profile_shown:
            self._profile_shown = shown_profile
            # Profile names come from config.toml: never markup (the hint is ours).
            profile.update(profile_text if ours else plain(profile_text))
        old = token_label.content
        if old != token_text:
            # Width unchanged (59:59 -> 59:58): the layout is too, only the label repaints.
            same_width = isinstance(old, str) and cell_len(old) == cell_len(token_text)
            token_label.update(token_text, layout=not same_width)
        if state != self._token_state:
            self._token_state = state
            token_label.remove_class(*URGENCY_CLASSES, update=False)
            token_label.add_class(state)
