"""The sandbox's custom-field store on its own: ids, usage, values, paging, persistence."""

from __future__ import annotations

import itertools

from onna_tui.sandbox.custom_fields import CustomFields


def _store() -> CustomFields:
    counter = itertools.count(1)
    return CustomFields(new_id=lambda name: f"cf-{name.lower()}-{next(counter)}")


def test_usage_counts_the_workspaces_that_enabled_a_field() -> None:
    store = _store()
    matter = store.create("Matter", "keyword", "", False)
    other = store.create("Region", "keyword", "where", True)
    assert store.enable("ws-1", matter.onna_id) and store.enable("ws-2", matter.onna_id)
    assert store.enable("ws-1", matter.onna_id)  # twice: still one use
    assert not store.enable("ws-1", "cf-unknown")
    assert (store.usage_count(matter.onna_id), store.usage_count(other.onna_id)) == (2, 0)
    store.forget_workspace("ws-2")
    assert store.usage_count(matter.onna_id) == 1


def test_a_value_is_none_until_set_and_enabling_again_keeps_it() -> None:
    store = _store()
    field = store.create("Matter", "keyword", "", False)
    store.enable("ws-1", field.onna_id)
    assert store.value("ws-1", field.onna_id) is None
    store.set_value("ws-1", field.onna_id, "M-42")
    store.enable("ws-1", field.onna_id)
    assert store.value("ws-1", field.onna_id) == "M-42"
    assert [f.onna_id for f in store.enabled("ws-1")] == [field.onna_id]
    assert not store.is_enabled("ws-2", field.onna_id)


def test_pages_follow_creation_order_and_say_where_to_continue() -> None:
    store = _store()
    ids = [store.create(f"F{i}", "keyword", "", False).onna_id for i in range(5)]
    first, after = store.page(0, 2)
    assert [f["onna_id"] for f in first] == ids[:2] and after is not None
    second, after = store.page(after, 2)
    third, end = store.page(after or 0, 2)
    assert [f["onna_id"] for f in second + third] == ids[2:] and end is None
    assert set(first[0]) == {"onna_id", "name", "type", "description", "required", "usage_count"}


def test_an_id_that_is_taken_is_drawn_again() -> None:
    draws = iter(["cf-a", "cf-a", "cf-b"])
    store = CustomFields(new_id=lambda name: next(draws))
    assert [store.create("x", "t", "", False).onna_id for _ in range(2)] == ["cf-a", "cf-b"]


def test_what_is_saved_loads_back_and_values_of_gone_workspaces_are_dropped() -> None:
    store = _store()
    field = store.create("Matter", "keyword", "d", True)
    store.enable("ws-1", field.onna_id)
    store.set_value("ws-1", field.onna_id, "M-42")
    store.enable("ws-gone", field.onna_id)
    again = _store()
    again.load(store.to_json(), workspace_ids=["ws-1"])
    assert again.value("ws-1", field.onna_id) == "M-42"
    assert again.usage_count(field.onna_id) == 1
    assert again.fields[field.onna_id] == field
    assert again.create("Next", "keyword", "", False).seq == field.seq + 1
