"""Workspace drafts: what counts as a blank name, and the body sent on the wire."""

from __future__ import annotations

import pytest

from onna_tui.core.wire.workspaces import WorkspaceDraft


@pytest.mark.parametrize("name", ["", "   ", "\u200b", "\u200b \u2060", "\t\n"])
def test_invisible_workspace_names_are_blank(name: str) -> None:
    with pytest.raises(ValueError):
        WorkspaceDraft(name=name)


def test_visible_names_keep_their_inner_characters() -> None:
    assert WorkspaceDraft(name=" Ünïcode \u200b name ", tags=["é"]).name == "Ünïcode \u200b name"


def test_wire_body_leaves_out_unset_fields() -> None:
    assert WorkspaceDraft(name="Foo", description="  ").to_wire() == {"name": "Foo"}
    assert WorkspaceDraft(name="Foo", description="Bar", tags=["a"]).to_wire() == {
        "name": "Foo",
        "description": "Bar",
        "tags": ["a"],
    }
