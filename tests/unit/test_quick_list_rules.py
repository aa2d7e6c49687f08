"""The rules of the quick `workspace list`: which bodies its pager reads, which command
lines it answers, and the trail both pagers walk.

``workspace_rows`` must never read a body that ``Page.model_validate`` refuses, and
must give the same (onna_id, name) for each item when both read it: checked on a
few thousand generated bodies, near-misses included, and on the plain ones.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from pydantic import ValidationError

from onna_tui.api.errors import PaginationError
from onna_tui.api.paging import WORKSPACES, PageTrail
from onna_tui.api.quick_pages import workspace_rows
from onna_tui.cli.fast_list import list_request
from onna_tui.core.wire.workspaces import Page

ODD_VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 2.5, 1e300, "", "x", "\u202e\x1b[2J", "\ud800", "名前",
    [], [1], {}, {"a": 1}, "null", "0",
]  # fmt: skip


def _item(rng: random.Random) -> Any:
    if rng.random() < 0.05:
        return rng.choice(ODD_VALUES)
    item: dict[str, Any] = {}
    if rng.random() < 0.95:
        item["onna_id"] = rng.choice(ODD_VALUES) if rng.random() < 0.1 else f"id-{rng.random()}"
    if rng.random() < 0.9:
        item["name"] = rng.choice(ODD_VALUES) if rng.random() < 0.1 else rng.choice(["n", "", "é"])
    for extra in rng.sample(["tags", "description", "items", "cursor"], rng.randint(0, 2)):
        item[extra] = rng.choice(ODD_VALUES)
    return item


def _body(rng: random.Random) -> Any:
    if rng.random() < 0.05:
        return rng.choice(ODD_VALUES)
    body: dict[str, Any] = {}
    if rng.random() < 0.95:
        body["items"] = (
            rng.choice(ODD_VALUES)
            if rng.random() < 0.05
            else [_item(rng) for _ in range(rng.randint(0, 4))]
        )
    if rng.random() < 0.6:
        body["cursor"] = rng.choice(ODD_VALUES) if rng.random() < 0.2 else f"c{rng.random()}"
    if rng.random() < 0.1:
        body["extra"] = rng.choice(ODD_VALUES)
    # Through JSON, as the pager reads it.
    return json.loads(json.dumps(body))


def _model_rows(body: Any) -> tuple[list[tuple[str, str]], str | None] | None:
    try:
        page = Page.model_validate(body)
    except ValidationError:
        return None
    return [(item.onna_id, item.name) for item in page.items], page.cursor


def test_the_quick_reader_reads_only_what_the_model_reads_and_the_same_way() -> None:
    rng = random.Random(20261207)
    read = refused = 0
    for _ in range(5000):
        body = _body(rng)
        quick = workspace_rows(body)
        if quick is None:
            refused += 1
            continue
        read += 1
        assert _model_rows(body) == quick, body
    assert read > 1000 and refused > 500  # both sides of the rule were exercised


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [], "cursor": None},
        {"items": [{"onna_id": "a"}], "cursor": "next"},
        {"items": [{"onna_id": "a", "name": "n", "tags": ["t"], "more": {"x": 1}}]},
        {"items": [{"onna_id": "", "name": ""}], "cursor": ""},
    ],
)
def test_plain_pages_are_read(body: dict[str, Any]) -> None:
    assert workspace_rows(body) is not None
    assert workspace_rows(body) == _model_rows(body)


# ------------------------------------------------------------ command lines

COVERED = {
    ("workspace", "list"): (None, False, None),
    ("workspace", "list", "--json"): (None, True, None),
    ("workspace", "list", "--limit", "5"): (None, False, 5),
    ("workspace", "list", "--limit=12", "--json"): (None, True, 12),
    ("workspace", "list", "--profile", "b", "--json"): ("b", True, None),
    ("workspace", "list", "--json", "--profile=b", "--limit", "1"): ("b", True, 1),
}
NOT_COVERED = [
    ("workspace",),
    ("workspace", "show", "x"),
    ("list", "workspace"),
    ("--profile", "b", "workspace", "list"),
    ("workspace", "list", "--verbose"),
    ("workspace", "list", "--base-url", "https://api.example.com/v1"),
    ("workspace", "list", "--json", "--json"),
    ("workspace", "list", "--js"),
    ("workspace", "list", "--lim", "5"),
    ("workspace", "list", "--limit"),
    ("workspace", "list", "--limit", "0"),
    ("workspace", "list", "--limit", "-1"),
    ("workspace", "list", "--limit", "+5"),
    ("workspace", "list", "--limit", "5_0"),
    ("workspace", "list", "--limit", " 5"),
    ("workspace", "list", "--limit", "٥"),
    ("workspace", "list", "--limit", "1", "--limit", "2"),
    ("workspace", "list", "--profile"),
    ("workspace", "list", "--profile", "--json"),
    ("workspace", "list", "--profile", "bad name"),
    ("workspace", "list", "--profile", "a", "--profile", "b"),
    ("workspace", "list", "-h"),
    ("workspace", "list", "extra"),
]


@pytest.mark.parametrize("argv", COVERED, ids=" ".join)
def test_plain_list_command_lines_are_read(argv: tuple[str, ...]) -> None:
    request = list_request(argv)
    assert request is not None
    assert (request.profile, request.as_json, request.limit) == COVERED[argv]


@pytest.mark.parametrize("argv", NOT_COVERED, ids=" ".join)
def test_other_command_lines_are_left_to_the_command(argv: tuple[str, ...]) -> None:
    assert list_request(argv) is None


def test_every_covered_line_parses_the_same_in_the_full_parser() -> None:
    from onna_tui.cli.parser import build_parser

    for argv, (profile, as_json, limit) in COVERED.items():
        args = build_parser().parse_args(list(argv))
        assert (args.profile, args.json, args.limit) == (profile, as_json, limit)


# ------------------------------------------------------------------ the trail


def test_a_trail_follows_cursors_and_refuses_a_repeat_unchanged() -> None:
    trail = PageTrail()
    trail.arrived("c1")
    assert trail.follow(WORKSPACES, 10) and trail.cursor == "c1" and trail.pending is None
    trail.arrived("c2")
    assert trail.follow(WORKSPACES, 10)
    trail.arrived("c1")
    before = (trail.cursor, trail.pending, set(trail.seen), trail.pages)
    copy = trail.copy()
    with pytest.raises(PaginationError, match=r"already sent.*after 3 pages"):
        trail.follow(WORKSPACES, 10)
    assert (trail.cursor, trail.pending, trail.seen, trail.pages) == before
    copy.seen.add("other")
    assert "other" not in trail.seen


def test_a_trail_stops_at_the_page_limit_and_at_the_last_page() -> None:
    trail = PageTrail()
    trail.arrived("c1")
    assert trail.follow(WORKSPACES, 2)
    trail.arrived("c2")
    with pytest.raises(PaginationError, match="after 2 pages"):
        trail.follow(WORKSPACES, 2)
    last = PageTrail()
    last.arrived("")
    assert last.follow(WORKSPACES, 2) is False and last.pending is None
