"""Helpers for the Pilot tests: a log of toasts, and waiting for workers to settle."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from onna_tui.tui.app import OnnaApp


@dataclass
class Toast:
    title: str | None
    message: str
    severity: str


@dataclass
class ToastLog:
    """Every notify() the app made, in order (run_test hides toasts from the screen)."""

    toasts: list[Toast] = field(default_factory=list)

    def titles(self) -> list[str | None]:
        return [t.title for t in self.toasts]

    def errors(self) -> list[Toast]:
        return [t for t in self.toasts if t.severity == "error"]

    def text(self) -> str:
        return "\n".join(f"{t.title}: {t.message}" for t in self.toasts)


def record_toasts(app: OnnaApp) -> ToastLog:
    log = ToastLog()
    original = app.notify

    def notify(
        message: str, *, title: str = "", severity: str = "information", **kwargs: Any
    ) -> None:
        log.toasts.append(Toast(title or None, str(message), severity))
        original(message, title=title, severity=severity, **kwargs)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    return log


async def settle(pilot: Any, rounds: int = 4) -> None:
    """Let workers finish and their messages land (workers start workers: a few rounds)."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def screen_text(app: OnnaApp) -> str:
    """Everything on screen as plain text (from the SVG the app would export)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


async def until(pilot: Any, condition: Any, rounds: int = 500) -> None:
    """Let the app run until ``condition()`` holds (e.g. a request reached the sandbox).

    A poll for an event, not a wait for time: it returns as soon as the condition holds.
    """
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("the condition never held")
