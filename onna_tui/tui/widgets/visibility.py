"""Whether a widget's screen is shown: the tickers skip the seconds of a hidden mode."""

from __future__ import annotations

from textual.widget import Widget


def on_shown_screen(widget: Widget) -> bool:
    """Whether ``widget``'s screen is on the app's screen stack (its mode is the current one).

    A screen under a modal one (the palette) still counts: it shows through.
    """
    try:
        return widget.screen in widget.app.screen_stack
    except Exception:  # not mounted (yet), or the app is gone
        return False
