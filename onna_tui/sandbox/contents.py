"""The sandbox's workspace contents: folders, file resources and ticket resources.

A plain data structure with no locking and no I/O: the sandbox state that owns it
holds the lock, says which workspaces exist and persists what `to_json` returns.
Every node knows its parent (a workspace or a folder) and its workspace, so deleting
a folder deletes everything under it, and deleting a workspace deletes its contents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from onna_tui.sandbox.refusals import InvalidValue, NotFoundError

Kind = Literal["folder", "file", "ticket"]
_NAMES = {"folder": "folder", "file": "file", "ticket": "ticket"}


@dataclass
class Node:
    """One folder, file or ticket; ``fields`` are the stored members of its body."""

    onna_id: str
    kind: Kind
    parent_id: str
    workspace_id: str
    fields: dict[str, Any]

    def to_json(self, onna_url: str) -> dict[str, Any]:
        """The Read*Response body of this node."""
        if self.kind == "folder":
            return {"onna_id": self.onna_id, "name": self.fields.get("name", "")}
        return {
            **self.fields,
            "onna_id": self.onna_id,
            "onna_parent_id": self.parent_id,
            "onna_url": onna_url,
        }

    def to_state(self) -> dict[str, Any]:
        return {
            "onna_id": self.onna_id,
            "kind": self.kind,
            "parent_id": self.parent_id,
            "workspace_id": self.workspace_id,
            "fields": self.fields,
        }


@dataclass
class Contents:
    """Every node by id. ``workspace_exists`` tells a workspace id from an unknown one."""

    new_id: Callable[[], str]
    workspace_exists: Callable[[str], bool]
    nodes: dict[str, Node] = field(default_factory=dict)

    def _workspace_of(self, parent_id: str, *, status: int) -> str:
        """The workspace a new node under ``parent_id`` belongs to, or the refusal."""
        if self.workspace_exists(parent_id):
            return parent_id
        parent = self.nodes.get(parent_id)
        if parent is not None and parent.kind == "folder":
            return parent.workspace_id
        message = (
            f"No workspace or folder has the id {parent_id!r}: onna_parent_id must be the "
            "onna_id of a workspace or of a folder in one."
        )
        if status == 404:
            raise NotFoundError(message)
        raise InvalidValue(message)

    def create(self, kind: Kind, parent_id: str, fields: Mapping[str, Any]) -> Node:
        """A new node; an unknown parent is 404 for folders and 422 for resources (as
        the document lists: POST /resources/* has no 404)."""
        status = 404 if kind == "folder" else 422
        workspace_id = self._workspace_of(parent_id, status=status)
        onna_id = self.new_id()
        while onna_id in self.nodes:
            onna_id = self.new_id()
        node = Node(onna_id, kind, parent_id, workspace_id, dict(fields))
        self.nodes[onna_id] = node
        return node

    def get(self, kind: Kind, onna_id: str) -> Node:
        node = self.nodes.get(onna_id)
        if node is None or node.kind != kind:
            raise NotFoundError(f"No {_NAMES[kind]} has the id {onna_id!r}.")
        return node

    def update(self, kind: Kind, onna_id: str, fields: Mapping[str, Any]) -> Node:
        node = self.get(kind, onna_id)
        node.fields.update(fields)
        return node

    def delete(self, kind: Kind, onna_id: str) -> list[str]:
        """Delete a node and everything under it; the ids deleted (the node's first)."""
        self.get(kind, onna_id)
        return self._delete_tree(onna_id)

    def _delete_tree(self, root: str) -> list[str]:
        doomed = [root]
        index = 0
        while index < len(doomed):
            parent = doomed[index]
            doomed.extend(n.onna_id for n in self.nodes.values() if n.parent_id == parent)
            index += 1
        for onna_id in doomed:
            self.nodes.pop(onna_id, None)
        return doomed

    def delete_workspace(self, workspace_id: str) -> list[str]:
        """Forget everything in a deleted workspace; the ids forgotten."""
        doomed = [n.onna_id for n in self.nodes.values() if n.workspace_id == workspace_id]
        for onna_id in doomed:
            self.nodes.pop(onna_id, None)
        return doomed

    def count(self, kind: Kind) -> int:
        return sum(1 for n in self.nodes.values() if n.kind == kind)

    def to_json(self) -> list[dict[str, Any]]:
        return [node.to_state() for node in self.nodes.values()]

    def load(self, data: Any) -> None:
        """Nodes from a state file's ``contents`` list (ValueError when it is not one)."""
        if not isinstance(data, list):
            raise ValueError("contents must be a list")
        for item in data:
            kind = item.get("kind") if isinstance(item, dict) else None
            if kind not in _NAMES or not isinstance(item.get("fields"), dict):
                raise ValueError("a contents entry is not a folder, file or ticket")
            node = Node(
                str(item["onna_id"]),
                kind,
                str(item["parent_id"]),
                str(item["workspace_id"]),
                dict(item["fields"]),
            )
            self.nodes[node.onna_id] = node
