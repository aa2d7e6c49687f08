"""The workspace list's filter, sort and counter (no textual)."""

from __future__ import annotations

from datetime import UTC, datetime

from onna_tui.tui.listing import Row, Sort, matches, status_line, visible


def rows() -> list[Row]:
    return [
        Row("ws-b", "beta", datetime(2026, 1, 2, tzinfo=UTC)),
        Row("ws-a", "Alpha", None),
        Row("ws-c", "gamma", datetime(2026, 1, 3, tzinfo=UTC)),
        Row("ws-a2", "alpha", datetime(2026, 1, 1, tzinfo=UTC)),
    ]


def test_the_filter_matches_name_or_id_ignoring_case_and_blanks() -> None:
    assert matches(Row("ws-1", "Contracts"), "  cONTR ")
    assert matches(Row("ws-1", "Contracts"), "WS-1")
    assert not matches(Row("ws-1", "Contracts"), "audit")
    assert matches(Row("ws-1", ""), "")


def test_name_order_is_case_insensitive_with_the_id_breaking_ties() -> None:
    assert [r.onna_id for r in visible(rows(), "", Sort.NAME)] == ["ws-a", "ws-a2", "ws-b", "ws-c"]


def test_newest_first_puts_unknown_dates_last_in_server_order() -> None:
    assert [r.onna_id for r in visible(rows(), "", Sort.CREATED)] == [
        "ws-c",
        "ws-b",
        "ws-a2",
        "ws-a",
    ]


def test_server_order_is_kept_and_filtering_applies_to_every_order() -> None:
    assert [r.onna_id for r in visible(rows(), "", Sort.SERVER)] == [
        "ws-b",
        "ws-a",
        "ws-c",
        "ws-a2",
    ]
    assert [r.onna_id for r in visible(rows(), "alp", Sort.CREATED)] == ["ws-a2", "ws-a"]


def test_sort_cycles_through_every_order() -> None:
    assert [Sort.SERVER.next(), Sort.NAME.next(), Sort.CREATED.next()] == [
        Sort.NAME,
        Sort.CREATED,
        Sort.SERVER,
    ]


def test_the_counter_says_shown_of_loaded_and_what_else() -> None:
    assert status_line(shown=3, loaded=3, query="", sort=Sort.SERVER, more=False) == (
        "3 workspaces loaded"
    )
    assert status_line(shown=1, loaded=1, query="", sort=Sort.NAME, more=True) == (
        "1 workspace loaded · name · more on the server (ctrl+l)"
    )
    assert status_line(shown=2, loaded=40, query="au", sort=Sort.SERVER, more=False) == (
        "2 of 40 loaded workspaces match"
    )
