"""config.toml's text, apart from what the settings mean: writing it back with the
person's comments and layout kept (tomlkit, imported only when writing), and the
facts about parsed TOML that error messages need (a table's line, how deep it nests,
what kind a value is). Standard library at import time.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

_HEADER = (
    "# onna-tui profiles. No secrets here: client secrets and tokens live in the system keyring.\n"
)


# ------------------------------------------------------------- reading it


def table_line(text: str, profile: str) -> int | None:
    """The line number of ``[profiles.NAME]`` in the file, for error messages."""
    pattern = re.compile(
        r"^\s*\[\s*profiles\s*\.\s*(?:"
        + re.escape(profile)
        + r"|\""
        + re.escape(profile)
        + r"\"|'"
        + re.escape(profile)
        + r"')\s*\]"
    )
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def nesting_depth(value: object, limit: int) -> int:
    """How deeply ``value`` nests tables and arrays, counting no further than ``limit + 1``."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            if level + 1 > limit:
                return level + 1
            deepest = max(deepest, level + 1)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def toml_kind(value: object) -> str:
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, datetime):
        return "a date"
    return "a value"


# ------------------------------------------------------- editing the TOML text


def _plain(value: Any) -> Any:
    """A tomlkit item as the plain Python value it stands for."""
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if callable(unwrap) else value


def _new_table(data: Mapping[str, Any], *, super_table: bool = False) -> Any:
    import tomlkit

    table = tomlkit.table(is_super_table=super_table)
    for key, value in data.items():
        table[key] = _new_table(value) if isinstance(value, Mapping) else value
    return table


def _sync(container: Any, data: Mapping[str, Any]) -> None:
    """Make a parsed TOML table hold ``data``, touching only what differs.

    Keys that stay, with their comments and formatting, are left alone; a
    changed value is replaced where it stands; new keys go at the end.
    """
    for key in [key for key in container if key not in data]:
        del container[key]
    for key, value in data.items():
        current = container[key] if key in container else None
        if isinstance(value, Mapping):
            if current is not None and isinstance(_plain(current), dict):
                _sync(current, value)
            else:
                container[key] = _new_table(value, super_table=key == "profiles")
        elif current is None or _plain(current) != value:
            container[key] = value


def render_toml(data: Mapping[str, Any], previous: str | None) -> str:
    """The text of config.toml holding ``data``: ``previous`` edited in place when there is one
    (the person's comments and layout survive), otherwise a new file with our header."""
    import tomlkit

    def fresh() -> str:
        document = tomlkit.parse(_HEADER)
        _sync(document, data)
        return tomlkit.dumps(document)

    if previous is None:
        return fresh()
    try:
        document = tomlkit.parse(previous)
        _sync(document, data)
        text = tomlkit.dumps(document)
        # The edited text must say exactly what a fresh file would; if tomlkit
        # ever disagrees, correctness beats keeping the layout.
        if tomllib.loads(text) == tomllib.loads(fresh()):
            return text
    except Exception:  # a layout tomlkit cannot edit (tomllib accepted the file)
        pass
    return fresh()
