"""Whether a widget's screen is shown: the tickers skip the seconds of a hidden mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen

    from onna_tui.tui.services import AppServices


def on_shown_screen(widget: Widget) -> bool:
    """Whether ``widget``'s screen is on the app's screen stack (its mode is the current one).

    A screen under a modal one (the palette) still counts: it shows through.
    """
    try:
        return widget.screen in widget.app.screen_stack
    except Exception:  # not mounted (yet), or the app is gone
        return False


def tick_while_shown(widget: Widget, update: Callable[[], None]) -> None:
    """Call ``update`` on the app's 1 Hz tick while ``widget``'s screen is shown, and once
    more when its screen is shown again after another mode (before that frame is painted),
    so a hidden mode costs nothing and is never stale when it comes back."""

    def tick(_: None) -> None:
        if on_shown_screen(widget):
            update()

    def shown(screen: Screen[Any]) -> None:
        if screen is widget.screen:
            update()

    # Called from the app's tick itself, not posted to the widget: a posted call wakes the
    # widget's own message loop every second, hidden or not (the start screen's widgets
    # stay mounted under the Token screen all day).
    cast("AppServices", widget.app).tick_signal.subscribe(widget, tick, immediate=True)
    widget.app.screen_change_signal.subscribe(widget, shown, immediate=True)
