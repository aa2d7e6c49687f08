"""The main screens' compositor (tui.compositor) renders less and writes the same bytes.

Every partial update of a session (ticks, an urgency change, the bar's steps,
moving through the workspace list, revealing the token) is rendered twice: by
the CroppedCompositor and by Textual's own Compositor on the same dirty regions.
The terminal output of the two must be identical, byte for byte; and a tick
must render only the widgets under the digits and the status bar's token.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual._compositor import ChopsUpdate, Compositor
from textual.widget import Widget
from ui_helpers import settle

from onna_tui.core.clock import ManualClock
from onna_tui.sandbox.state import SandboxState
from onna_tui.tui.compositor import CroppedCompositor
from onna_tui.tui.screens.token import TokenScreen


class Twice:
    """Each partial update rendered by both compositors; the outputs kept in pairs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pairs: list[tuple[str, str]] = []
        self.console: Any = None
        ours = CroppedCompositor.render_partial_update
        twice = self

        def both(compositor: CroppedCompositor) -> ChopsUpdate | None:
            regions = set(compositor._dirty_regions)
            cropped = ours(compositor)
            compositor._dirty_regions.update(regions)
            textual = Compositor.render_partial_update(compositor)
            if twice.console is not None:
                twice.pairs.append((twice.text(cropped), twice.text(textual)))
            return cropped

        monkeypatch.setattr(CroppedCompositor, "render_partial_update", both)

    def text(self, update: ChopsUpdate | None) -> str:
        return "" if update is None else update.render_segments(self.console)

    def check(self) -> int:
        """How many updates with output were compared (all of them must be equal)."""
        for cropped, textual in self.pairs:
            assert cropped == textual
        return sum(1 for cropped, _ in self.pairs if cropped)


async def _tick(pilot: Any, clock: ManualClock, seconds: float) -> None:
    clock.advance(seconds)
    pilot.app.tick_signal.publish(None)
    await settle(pilot)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_every_partial_update_writes_what_textual_would_write(
    app_factory: Any,
    store: Any,
    sandbox_clock: ManualClock,
    sandbox_state: SandboxState,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    for number in range(60):
        sandbox_state.create_workspace(f"workspace {number} 名前")
    twice = Twice(monkeypatch)
    app = app_factory(store=store, renew_early=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        twice.console = app.console
        await pilot.press("n")  # a token: the countdown starts
        await settle(pilot)
        for seconds in (1, 1, 1, 60, 1, 3597 - 64 - 299, 1, 240, 58, 1):  # steps, warning, critical
            await _tick(pilot, sandbox_clock, seconds)
        await pilot.press("v")  # reveal the token
        await settle(pilot)
        await pilot.press("f4")  # the workspaces: move through the list
        await settle(pilot)
        await pilot.press("tab", "down", "down", "down", "end", "up", "home")
        await settle(pilot)
        await _tick(pilot, sandbox_clock, 1)
        await pilot.press("f3")
        await settle(pilot)
        await _tick(pilot, sandbox_clock, 1)
    assert twice.check() >= 12


async def test_a_tick_renders_only_the_widgets_under_what_changed(
    app_factory: Any, store: Any, sandbox_clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[Widget] = []
    render_lines = Widget.render_lines

    def recording(widget: Widget, crop: Any) -> Any:
        rendered.append(widget)
        return render_lines(widget, crop)

    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await _tick(pilot, sandbox_clock, 2)
        screen = app.screen
        assert isinstance(screen, TokenScreen)
        monkeypatch.setattr(Widget, "render_lines", recording)
        await _tick(pilot, sandbox_clock, 1)
        changed = [screen.query_one("#countdown-digits"), screen.query_one("#status-token")]
        under = {node for widget in changed for node in widget.ancestors_with_self}
        assert set(rendered) <= under
        assert {w.id for w in rendered} >= {"countdown-digits", "status-token"}
