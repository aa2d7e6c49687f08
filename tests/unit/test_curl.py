"""The curl previews of the edit and custom-field dialogs, and the PATCH body of an edit."""

from __future__ import annotations

import shlex

from onna_tui.core.wire.workspaces import Workspace
from onna_tui.tui.curl import create_custom_field_curl, update_workspace_curl
from onna_tui.tui.widgets.workspace_edit import changed_body


def test_the_patch_preview_quotes_the_id_as_one_path_segment_and_redacts_the_token() -> None:
    curl = update_workspace_curl("https://api.onna.com/v1/", "ws 1/../x'", {"name": "N"})
    words = shlex.split(curl.replace("\\\n", " "))
    assert words[:3] == ["curl", "--request", "PATCH"]
    assert words[3] == "https://api.onna.com/v1/workspaces/ws%201%2F..%2Fx%27"
    assert "Authorization: Bearer <redacted>" in words
    assert words[-1] == '{\n  "name": "N"\n}'


def test_the_custom_field_preview_posts_all_four_fields() -> None:
    body = {"name": "M", "type": "keyword", "description": "", "required": False}
    words = shlex.split(create_custom_field_curl("http://127.0.0.1/v1", body).replace("\\\n", " "))
    assert words[3] == "http://127.0.0.1/v1/customFields"
    assert '"required": false' in words[-1] and '"description": ""' in words[-1]


def test_only_changed_fields_go_in_the_patch_body() -> None:
    ws = Workspace(onna_id="ws-1", name="Board", description="Minutes", tags=["a", "b"])
    assert changed_body(ws, " Board ", "Minutes ", ["a", "b"]) == {}
    assert changed_body(ws, "Board 2", "Minutes", ["a", "b"]) == {"name": "Board 2"}
    assert changed_body(ws, "Board", "", []) == {"description": "", "tags": []}
    assert changed_body(ws, "Board", "Minutes", ["b", "a"]) == {"tags": ["b", "a"]}
