"""Times and durations as text: ``59m 12s`` (the command line), ``59:12`` (the TUI's
countdowns), ISO 8601. Standard library only."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` suffix, to the second; None stays None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _hms(seconds: int) -> tuple[int, int, int]:
    """Hours, minutes and seconds of a duration (a negative one counts as 0)."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return hours, minutes, secs


def human_duration(seconds: int) -> str:
    """``59m 12s``, ``1h 00m``, ``42s``."""
    hours, minutes, secs = _hms(seconds)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def format_left(seconds: int) -> str:
    """mm:ss for a token's time left (h:mm:ss past an hour, for odd long-lived tokens)."""
    hours, minutes, secs = _hms(seconds)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"
