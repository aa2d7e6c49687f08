"""The --state file: written atomically (never half-written), read back with its format checked.

Tokens are never in it; client secrets only as salted digests.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from onna_tui.sandbox.refusals import StateFileError

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
