"""What a second of idling on the Token screen costs: only what changed is drawn.

Every tick is driven by hand (the injected clock moved, then the app's tick
signal published), and every repaint, re-layout and re-styling of a widget is
recorded, so the tests say exactly what a second redraws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from textual.dom import DOMNode
from textual.widget import Widget
from ui_helpers import settle

from onna_tui.core.clock import ManualClock
from onna_tui.tui.app import OnnaApp
from onna_tui.tui.screens.credentials import CredentialsScreen
from onna_tui.tui.screens.token import TokenScreen
from onna_tui.tui.widgets.countdown import TokenCountdown
from onna_tui.tui.widgets.status_bar import StatusBar


@dataclass
class Draws:
    """Widgets refreshed (and whether with a re-layout) and nodes re-styled."""

    refreshes: list[tuple[Widget, bool]] = field(default_factory=list)
    restyled: list[DOMNode] = field(default_factory=list)

    def clear(self) -> None:
        self.refreshes.clear()
        self.restyled.clear()

    def ids(self, screen: Any) -> set[str | None]:
        return {widget.id for widget, _ in self.refreshes if widget.screen is screen}

    @property
    def layouts(self) -> list[Widget]:
        return [widget for widget, layout in self.refreshes if layout]


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> Draws:
    recorded = Draws()
    refresh = Widget.refresh
    update_styles = OnnaApp.update_styles

    def recording_refresh(self: Widget, *regions: Any, **options: Any) -> Any:
        recorded.refreshes.append((self, bool(options.get("layout", False))))
        return refresh(self, *regions, **options)

    def recording_update_styles(self: OnnaApp, node: DOMNode, animate: bool = True) -> None:
        recorded.restyled.append(node)
        update_styles(self, node, animate)

    monkeypatch.setattr(Widget, "refresh", recording_refresh)
    monkeypatch.setattr(OnnaApp, "update_styles", recording_update_styles)
    return recorded


async def tick(pilot: Any, clock: ManualClock, seconds: float) -> None:
    clock.advance(seconds)
    pilot.app.tick_signal.publish(None)
    await settle(pilot)


async def token_screen(pilot: Any, clock: ManualClock) -> TokenScreen:
    """The Token screen with a fresh token, a few seconds in (the bar's first step is past)."""
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    await tick(pilot, clock, 2)
    screen = pilot.app.screen
    assert isinstance(screen, TokenScreen)
    assert screen.countdown.text == "59:57"
    return screen


async def test_a_second_repaints_the_digits_and_the_status_token_only(
    app_factory, store, sandbox_clock: ManualClock, draws: Draws
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await token_screen(pilot, sandbox_clock)
        draws.clear()
        await tick(pilot, sandbox_clock, 1)
        assert screen.countdown.text == "59:56"
        assert "token 59:56" in screen.query_one(StatusBar).token_text
        assert draws.ids(screen) == {"countdown-digits", "status-token"}
        assert draws.layouts == []  # same widths: nothing moves
        assert draws.restyled == []  # same urgency: no CSS pass

        draws.clear()
        await tick(pilot, sandbox_clock, 0)  # a tick that changes nothing draws nothing
        assert draws.refreshes == [] and draws.restyled == []


async def test_the_bar_repaints_when_it_moves_a_step(
    app_factory, store, sandbox_clock: ManualClock, draws: Draws
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await token_screen(pilot, sandbox_clock)
        draws.clear()
        await tick(pilot, sandbox_clock, 60)  # 1.7 % of the lifetime: a step of the bar
        assert "bar" in draws.ids(screen) and "percentage" in draws.ids(screen)
        assert draws.layouts == [] and draws.restyled == []
        assert screen.query_one("#percentage").render() == "98%"


async def test_urgency_changes_restyle_once_and_a_new_width_relays_out(
    app_factory, store, sandbox_clock: ManualClock, draws: Draws
) -> None:
    app = app_factory(store=store, renew_early=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await token_screen(pilot, sandbox_clock)
        countdown = screen.query_one(TokenCountdown)
        draws.clear()
        await tick(pilot, sandbox_clock, 3597 - 299)  # 04:59: the warning colour
        assert countdown.has_class("-warning") and not countdown.has_class("-ok")
        status_token = screen.query_one("#status-token")
        assert status_token.has_class("-warning")
        assert draws.restyled.count(countdown) == 1
        assert draws.restyled.count(status_token) == 1
        assert draws.layouts == []

        draws.clear()
        await tick(pilot, sandbox_clock, 299)
        assert countdown.text == "expired"
        assert "token expired" in screen.query_one(StatusBar).token_text
        assert status_token in draws.layouts  # "token expired" is wider than "token 00:01"


async def test_no_widget_of_the_token_screen_runs_a_timer(
    app_factory, store, sandbox_clock: ManualClock
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await token_screen(pilot, sandbox_clock)
        # The app's one 1 Hz tick drives the countdown: no ProgressBar ETA timer and such.
        assert [w for w in screen.walk_children() if w._timers] == []


async def test_a_screen_of_another_mode_skips_ticks_and_catches_up_when_shown(
    app_factory, store, sandbox_clock: ManualClock, draws: Draws
) -> None:
    app = app_factory(store=store, renew_early=False)
    async with app.run_test(size=(120, 40)) as pilot:
        token = await token_screen(pilot, sandbox_clock)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, CredentialsScreen)
        draws.clear()
        await tick(pilot, sandbox_clock, 10)
        assert draws.ids(token) == set()
        assert [node for node in draws.restyled if node.screen is token] == []
        # The start screen's status bar, in the default mode, never draws either.
        assert all(widget.screen in (app.screen, None) for widget, _ in draws.refreshes)

        await pilot.press("f3")
        await settle(pilot)
        assert app.screen is token
        assert token.countdown.text == "59:47"
        assert token.query_one("#countdown-digits").value == "59:47"
        assert "token 59:47" in token.query_one(StatusBar).token_text
