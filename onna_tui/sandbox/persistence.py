"""The --state file: written atomically (never half-written), read back with its format checked.

Tokens are never in it; client secrets only as salted digests. `snapshot_of` and
`load_state` say which resource keeps which part; `SandboxState` calls them with
its lock held.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onna_tui.sandbox.refusals import StateFileError
from onna_tui.storage.files import atomic_write

if TYPE_CHECKING:
    from onna_tui.sandbox.content_store import ContentStore
    from onna_tui.sandbox.custom_fields import CustomFields
    from onna_tui.sandbox.identity import Identity
    from onna_tui.sandbox.workspaces import Workspaces

STATE_FORMAT = "onna-tui-sandbox"
STATE_VERSION = 1


def write_state_file(path: Path, snapshot: dict[str, Any]) -> None:
    """Replace ``path`` with ``snapshot`` as JSON, atomically, mode 0600."""
    data = json.dumps(snapshot, indent=2, sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The project's one atomic write: a crash never leaves a half-written state file.
    atomic_write(path, data.encode("utf-8"), mode=0o600)


def read_state_file(path: Path) -> dict[str, Any]:
    """The JSON of a state file of our format and version, or StateFileError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateFileError(f"Cannot read sandbox state from {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise StateFileError(f"{path} is not an onna-tui sandbox state file.")
    if data.get("version") != STATE_VERSION:
        raise StateFileError(
            f"{path} has state version {data.get('version')!r}; this sandbox reads "
            f"version {STATE_VERSION}."
        )
    return data


def snapshot_of(
    identity: Identity,
    workspaces: Workspaces,
    custom: CustomFields,
    contents: ContentStore | None = None,
) -> dict[str, Any]:
    """What the state file holds: users, clients (digests only), workspaces, custom fields,
    folders, files and tickets (not upload bytes)."""
    snapshot = {
        "format": STATE_FORMAT,
        "version": STATE_VERSION,
        **workspaces.to_json(),
        **identity.to_json(),
        "custom_fields": custom.to_json(),
    }
    if contents is not None:
        snapshot["contents"] = contents.to_json()
    return snapshot


def load_state(
    path: Path,
    identity: Identity,
    workspaces: Workspaces,
    custom: CustomFields,
    contents: ContentStore | None = None,
) -> None:
    """Fill the (empty) resources from the state file at ``path``, or StateFileError."""
    data = read_state_file(path)
    try:
        identity.load(data)
        workspaces.load(data)
        custom.load(data.get("custom_fields") or {}, workspaces.records)
        if contents is not None:
            contents.load(data.get("contents") or [])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StateFileError(f"{path} is damaged ({type(exc).__name__}: {exc}).") from exc
