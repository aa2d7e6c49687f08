"""The --state file: written atomically (never half-written), read back with its format checked.

Tokens are never in it; client secrets only as salted digests. `snapshot_of` and
`load_state` say which resource keeps which part; `SandboxState` calls them with
its lock held.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onna_tui.sandbox.refusals import StateFileError

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
    target = path
    target.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file 0600 in the same directory, so os.replace is
    # atomic and a crash never leaves a half-written state file behind.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
