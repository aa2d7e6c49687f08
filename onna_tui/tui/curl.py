"""The curl command a workspace form would send, in the authentication guide's shape.

The token is always redacted: this text is shown and copied, never executed.
No textual here.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from onna_tui.core.shell import shell_quote

REDACTED = "<redacted>"


def workspace_body(name: str, description: str, tags: list[str]) -> dict[str, Any]:
    """The JSON body as WorkspaceDraft.to_wire() builds it: blank optional fields left out."""
    body: dict[str, Any] = {"name": name.strip()}
    if description.strip():
        body["description"] = description.strip()
    if tags:
        body["tags"] = tags
    return body


def json_lines(body: dict[str, Any]) -> str:
    """JSON with one top-level key per line and each value compact (tags stay on one line)."""
    if not body:
        return "{}"
    items = [
        f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in body.items()
    ]
    return "{\n" + ",\n".join(items) + "\n}"


def _curl(method: str, url: str, body: dict[str, Any]) -> str:
    return (
        f"curl --request {method} {shell_quote(url)} \\\n"
        "  --header 'Content-Type: application/json' \\\n"
        f"  --header 'Authorization: Bearer {REDACTED}' \\\n"
        f"  --data-raw {shell_quote(json_lines(body))}"
    )


def create_workspace_curl(base_url: str, body: dict[str, Any]) -> str:
    """POST {base}/workspaces with a JSON body and a redacted bearer token."""
    return _curl("POST", base_url.rstrip("/") + "/workspaces", body)


def update_workspace_curl(base_url: str, onna_id: str, body: dict[str, Any]) -> str:
    """PATCH {base}/workspaces/{onna_id} with only the fields that change."""
    return _curl("PATCH", f"{base_url.rstrip('/')}/workspaces/{quote(onna_id, safe='')}", body)


def create_custom_field_curl(base_url: str, body: dict[str, Any]) -> str:
    """POST {base}/customFields with the four fields the document requires."""
    return _curl("POST", base_url.rstrip("/") + "/customFields", body)
