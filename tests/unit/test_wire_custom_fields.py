"""The custom-field wire models: what is sent, what is refused before sending, what is read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from onna_tui.core.wire.custom_fields import (
    CustomField,
    CustomFieldDraft,
    CustomFieldPage,
    CustomValue,
    EnableCustomField,
)
from onna_tui.core.wire.workspaces import WorkspaceUpdate


def test_a_draft_sends_all_four_required_fields() -> None:
    draft = CustomFieldDraft(name="  Matter  ", type="keyword", description="")
    assert draft.to_wire() == {
        "name": "Matter",
        "type": "keyword",
        "description": "",
        "required": False,
    }


@pytest.mark.parametrize("name", ["", "   ", "\u200b"])
def test_a_draft_with_a_blank_name_is_refused(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CustomFieldDraft(name=name, type="keyword", description="d")
    assert caught.value.errors()[0]["loc"] == ("name",)


def test_enable_refuses_a_blank_field_id() -> None:
    with pytest.raises(ValidationError):
        EnableCustomField(onna_id=" ")
    assert EnableCustomField(onna_id="cf-1").to_wire() == {"onna_id": "cf-1"}


def test_a_page_reads_the_documented_example_and_tolerates_new_fields() -> None:
    page = CustomFieldPage.model_validate(
        {
            "items": [
                {
                    "name": "My custom field",
                    "onna_id": "cf-my-custom-field-b20696ae9",
                    "required": False,
                    "type": "keyword",
                    "usage_count": 0,
                    "colour": "new in a later version",
                }
            ]
        }
    )
    (field,) = page.items
    assert isinstance(field, CustomField)
    assert (field.onna_id, field.description, page.cursor) == (
        "cf-my-custom-field-b20696ae9",
        "",
        None,
    )


def test_a_value_that_was_never_set_reads_as_none() -> None:
    assert CustomValue.model_validate({"onna_id": "cf-1"}).value is None


def test_an_update_with_nothing_in_it_is_empty_and_clearing_tags_is_not() -> None:
    assert WorkspaceUpdate().is_empty()
    assert not WorkspaceUpdate(tags=[]).is_empty()
    assert not WorkspaceUpdate(description="").is_empty()
