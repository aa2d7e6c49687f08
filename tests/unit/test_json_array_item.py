"""The list's fast JSON path writes exactly what json.dumps(indent=2) would."""

from __future__ import annotations

import json
from typing import Any

import pytest

from onna_tui.cli.output import _array_item

ITEMS: list[Any] = [
    {"name": "Contracts review", "onna_id": "abc"},
    {"name": "tab\there \x1b[31mred\x1b[0m \u202e bidi", "onna_id": 'quote " and \\ back'},
    {"name": "ünïcødé ✓ \U0001f600", "id": "\ud800"},
    {"name": "not flat", "tags": ["a", "b"]},
    {"count": 3, "name": "x"},
    {},
    ["a", 1],
]


@pytest.mark.parametrize("item", ITEMS)
def test_an_array_item_is_json_dumps_indented_inside_the_array(item: Any) -> None:
    whole = json.dumps([item], indent=2, ensure_ascii=False)
    assert whole == "[\n  " + _array_item(item) + "\n]"
