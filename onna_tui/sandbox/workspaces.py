"""The sandbox's workspaces: the records in creation order, their ids and their pages.

A plain data structure with no locking and no I/O: `SandboxState` holds the lock,
passes the time in, signs the cursors and persists what `to_json` returns.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from onna_tui.sandbox.randomness import RandomSource
from onna_tui.sandbox.records import WorkspaceRecord
from onna_tui.sandbox.refusals import InvalidValue, NotFoundError

_ID_ALPHABET = string.ascii_letters + string.digits


class Workspaces:
    """Workspace records by id, in creation order; ``next_seq`` numbers the next one."""

    def __init__(self, random: RandomSource) -> None:
        self.random = random
        self.records: dict[str, WorkspaceRecord] = {}
        self.next_seq = 1

    def new_id(self, name: str) -> str:
        """A fresh id: the spec's examples look like "myworkspace-ZPM9Jf4zQ", a slug plus
        randomness."""
        slug = re.sub(r"[^a-z0-9]", "", name.lower())[:20] or "ws"
        while True:
            candidate = slug + "-" + "".join(self.random.choice(_ID_ALPHABET) for _ in range(9))
            if candidate not in self.records:
                return candidate

    def create(
        self, name: str, description: str | None, tags: Sequence[str] | None, now: datetime
    ) -> WorkspaceRecord:
        record = WorkspaceRecord(
            onna_id=self.new_id(name),
            name=name,
            seq=self.next_seq,
            creation_datetime=now,
            modification_datetime=now,
            description=description or "",
            tags=list(tags or []),
        )
        self.next_seq += 1
        self.records[record.onna_id] = record
        return record

    def existing(self, onna_id: str) -> WorkspaceRecord:
        """The record, or NotFoundError: the API's 404."""
        record = self.records.get(onna_id)
        if record is None:
            raise NotFoundError(f"Workspace {onna_id!r} does not exist.")
        return record

    def update(
        self,
        onna_id: str,
        name: str | None,
        description: str | None,
        tags: Sequence[str] | None,
        now: datetime,
    ) -> tuple[WorkspaceRecord, bool]:
        """Change the given fields; the record, and whether anything was given."""
        record = self.existing(onna_id)
        if name is not None:
            if not name.strip():
                raise InvalidValue("name must not be blank.")
            record.name = name
        if description is not None:
            record.description = description
        if tags is not None:
            record.tags = list(tags)
        changed = name is not None or description is not None or tags is not None
        if changed:
            record.modification_datetime = now
        return record, changed

    def delete(self, onna_id: str) -> None:
        if self.records.pop(onna_id, None) is None:
            raise NotFoundError(f"Workspace {onna_id!r} does not exist.")

    def after(self, seq: int) -> list[WorkspaceRecord]:
        """The workspaces created after the one numbered ``seq``, in creation order."""
        return [w for w in self.records.values() if w.seq > seq]

    # ------------------------------------------------------ persistence

    def to_json(self) -> dict[str, Any]:
        """The workspaces of the state file, each with its seq, and the next seq."""
        return {
            "next_seq": self.next_seq,
            "workspaces": [{**w.to_json(), "seq": w.seq} for w in self.records.values()],
        }

    def load(self, data: Mapping[str, Any]) -> None:
        """Read what `to_json` wrote; raises KeyError/TypeError/ValueError when damaged."""
        records = [_record(w) for w in data.get("workspaces", [])]
        for record in sorted(records, key=lambda r: r.seq):
            self.records[record.onna_id] = record
        self.next_seq = max([int(data.get("next_seq", 1))] + [r.seq + 1 for r in records])


def _record(w: Mapping[str, Any]) -> WorkspaceRecord:
    return WorkspaceRecord(
        onna_id=str(w["onna_id"]),
        name=str(w["name"]),
        seq=int(w["seq"]),
        creation_datetime=datetime.fromisoformat(w["creation_datetime"]),
        modification_datetime=datetime.fromisoformat(w["modification_datetime"]),
        description=str(w.get("description") or ""),
        tags=[str(t) for t in w.get("tags") or []],
    )
