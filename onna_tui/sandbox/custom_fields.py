"""The sandbox's custom fields: the account's fields and each workspace's values.

A plain data structure with no locking, no errors of its own and no I/O: the
sandbox state that owns it holds the lock, checks that workspaces exist, raises
the API's errors and persists what `to_json` returns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from onna_tui.sandbox.randomness import RandomSource


def new_field_id(name: str, random: RandomSource) -> str:
    """A fresh field id like the spec's example: "cf-my-custom-field-b20696ae9"."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24] or "field"
    return f"cf-{slug}-{random.token_hex(5)[:9]}"


@dataclass
class CustomFieldRecord:
    """One account-wide field; ``seq`` orders the list and backs the paging cursor."""

    onna_id: str
    name: str
    type: str
    description: str
    required: bool
    seq: int

    def to_json(self, usage_count: int) -> dict[str, Any]:
        """The CustomFieldResponseBody of this field."""
        return {
            "onna_id": self.onna_id,
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "required": self.required,
            "usage_count": usage_count,
        }


@dataclass
class CustomFields:
    """Fields by id, and for each workspace the fields it enabled with their values.

    A value is None until it is set; enabling a field twice keeps its value.
    """

    new_id: Callable[[str], str]
    fields: dict[str, CustomFieldRecord] = field(default_factory=dict)
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    next_seq: int = 1

    def create(self, name: str, type_: str, description: str, required: bool) -> CustomFieldRecord:
        onna_id = self.new_id(name)
        while onna_id in self.fields:
            onna_id = self.new_id(name)
        record = CustomFieldRecord(onna_id, name, type_, description, required, self.next_seq)
        self.next_seq += 1
        self.fields[onna_id] = record
        return record

    def usage_count(self, field_id: str) -> int:
        """How many workspaces have this field enabled."""
        return sum(1 for enabled in self.values.values() if field_id in enabled)

    def page(self, after_seq: int, size: int) -> tuple[list[dict[str, Any]], int | None]:
        """One page of fields after ``after_seq`` and the seq to continue after, if more."""
        remaining = [f for f in self.fields.values() if f.seq > after_seq]
        page = remaining[:size]
        more = len(remaining) > size
        return [f.to_json(self.usage_count(f.onna_id)) for f in page], (
            page[-1].seq if more else None
        )

    def enabled(self, workspace_id: str) -> list[CustomFieldRecord]:
        """The fields a workspace enabled, in the order it enabled them."""
        return [self.fields[f] for f in self.values.get(workspace_id, {}) if f in self.fields]

    def enable(self, workspace_id: str, field_id: str) -> bool:
        """Enable a field for a workspace; False when the field does not exist."""
        if field_id not in self.fields:
            return False
        self.values.setdefault(workspace_id, {}).setdefault(field_id, None)
        return True

    def is_enabled(self, workspace_id: str, field_id: str) -> bool:
        return field_id in self.values.get(workspace_id, {}) and field_id in self.fields

    def value(self, workspace_id: str, field_id: str) -> str | None:
        return self.values.get(workspace_id, {}).get(field_id)

    def set_value(self, workspace_id: str, field_id: str, value: str) -> None:
        """Set the value of a field the workspace enabled (checked by the caller)."""
        self.values[workspace_id][field_id] = value

    def forget_workspace(self, workspace_id: str) -> None:
        """A deleted workspace's values go with it, and stop counting as usage."""
        self.values.pop(workspace_id, None)

    def to_json(self) -> dict[str, Any]:
        """What the state file keeps: the fields with their seq, and every value."""
        return {
            "next_seq": self.next_seq,
            "fields": [
                {
                    "onna_id": f.onna_id,
                    "name": f.name,
                    "type": f.type,
                    "description": f.description,
                    "required": f.required,
                    "seq": f.seq,
                }
                for f in self.fields.values()
            ],
            "values": {ws: dict(enabled) for ws, enabled in self.values.items()},
        }

    def load(self, data: Mapping[str, Any], workspace_ids: Iterable[str]) -> None:
        """Read what `to_json` wrote; raises KeyError/TypeError/ValueError when damaged."""
        records = [
            CustomFieldRecord(
                onna_id=str(f["onna_id"]),
                name=str(f["name"]),
                type=str(f["type"]),
                description=str(f.get("description") or ""),
                required=bool(f.get("required", False)),
                seq=int(f["seq"]),
            )
            for f in data.get("fields", [])
        ]
        self.fields = {r.onna_id: r for r in sorted(records, key=lambda r: r.seq)}
        known = set(workspace_ids)
        self.values = {}
        for ws, enabled in dict(data.get("values", {})).items():
            if ws not in known:
                continue
            self.values[str(ws)] = {
                str(f): None if v is None else str(v)
                for f, v in dict(enabled).items()
                if f in self.fields
            }
        self.next_seq = max([int(data.get("next_seq", 1))] + [r.seq + 1 for r in records])
