"""Small text helpers shared by the screens: countdown urgency, local times, ages. No textual.

The countdown's own clock text (`format_left`) lives with the other duration style in
`core.formatting`.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

#: Below this many seconds left the countdown turns to a warning colour.
WARN_SECONDS = 5 * 60
#: Below this many seconds left it turns to the critical colour.
CRITICAL_SECONDS = 60


def urgency(seconds_left: int | None) -> str:
    """The CSS class for a countdown: -none, -ok, -warning, -critical or -expired."""
    if seconds_left is None:
        return "-none"
    if seconds_left <= 0:
        return "-expired"
    if seconds_left < CRITICAL_SECONDS:
        return "-critical"
    if seconds_left < WARN_SECONDS:
        return "-warning"
    return "-ok"


URGENCY_CLASSES = ("-none", "-ok", "-warning", "-critical", "-expired")


def local_time(moment: datetime, tz: tzinfo | None = None) -> str:
    """A moment in the display time zone (the machine's local one by default)."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def age(moment: datetime | None, now: datetime) -> str:
    """How long ago, in the largest sensible unit: "just now", "5 minutes", "3 days"."""
    if moment is None:
        return "never stored"
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"  # pragma: no cover - the loop always returns
