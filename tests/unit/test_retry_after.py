"""Retry-After parsing: seconds or an HTTP date, bounded, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from onna_tui.api.http import MAX_RETRY_AFTER, parse_retry_after
from onna_tui.core.clock import ManualClock


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        ("0", 0.0),
        ("-4", 0.0),
        ("inf", None),
        ("1e999", None),
        ("nan", None),
        ("99999999", MAX_RETRY_AFTER),
        ("soon", None),
        (None, None),
        ("Thu, 01 Jan 2026 12:00:30 GMT", 30.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    clock = ManualClock(datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC))
    assert parse_retry_after(value, clock) == expected
