"""`onna-tui workspace create | list | show`.

``create`` prints only the new onna_id, so ``id=$(onna-tui workspace create
--name X)`` just works. ``list`` follows page cursors until the end or
``--limit``. A create is never retried after a timeout (see service.client).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from onna_tui.commands.common import (
    Context,
    connect,
    emit_json,
    iso,
    key_values,
    note,
    out,
    table,
)
from onna_tui.commands.errors import UsageError
from onna_tui.models import PageItem, Workspace, WorkspaceDraft

_OPTION_OF_FIELD = {"name": "--name", "description": "--description", "tags": "--tag"}


def _draft(ctx: Context) -> WorkspaceDraft:
    args = ctx.args
    try:
        return WorkspaceDraft(name=args.name, description=args.description, tags=args.tag or [])
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = error["loc"]
            option = _OPTION_OF_FIELD.get(str(loc[0]), str(loc[0])) if loc else "input"
            message = str(error["msg"])
            if error["type"] == "string_too_short":
                message = "must not be empty or blank"
            problems.append(f"{option} {message}")
        raise UsageError("; ".join(problems) + ".") from None


async def create(ctx: Context) -> int:
    draft = _draft(ctx)
    async with connect(ctx) as client:
        created = await client.create_workspace(draft)
    if ctx.as_json:
        emit_json({"onna_id": created.onna_id})
    else:
        out(created.onna_id)
    return 0


async def list_workspaces(ctx: Context) -> int:
    limit: int | None = ctx.args.limit
    items: list[PageItem] = []
    async with connect(ctx) as client:
        if limit is None or limit > 0:
            async for item in client.iter_workspaces():
                items.append(item)
                if limit is not None and len(items) >= limit:
                    break
    if ctx.as_json:
        emit_json([{"onna_id": item.onna_id, "name": item.name} for item in items])
        return 0
    if not items:
        note("No workspaces yet. Create one with: onna-tui workspace create --name NAME")
        return 0
    for line in table(["ONNA_ID", "NAME"], [[item.onna_id, item.name] for item in items]):
        out(line)
    return 0


def workspace_json(workspace: Workspace) -> dict[str, Any]:
    """The documented fields (always present), then anything else the server sent."""
    data: dict[str, Any] = {
        "onna_id": workspace.onna_id,
        "name": workspace.name,
        "description": workspace.description,
        "tags": list(workspace.tags),
        "creation_datetime": _wire_time(workspace, "creation_datetime"),
        "modification_datetime": _wire_time(workspace, "modification_datetime"),
    }
    for key, value in (workspace.model_extra or {}).items():
        data.setdefault(key, value)
    return data


def _wire_time(workspace: Workspace, name: str) -> str | None:
    value = getattr(workspace, name)
    if value is None:
        return None
    dumped = workspace.model_dump(mode="json", include={name})
    return str(dumped[name])


async def show(ctx: Context) -> int:
    async with connect(ctx) as client:
        workspace = await client.get_workspace(ctx.args.onna_id)
    if ctx.as_json:
        emit_json(workspace_json(workspace))
        return 0
    pairs = [
        ("onna_id", workspace.onna_id),
        ("name", workspace.name),
        ("description", workspace.description or "-"),
        ("tags", ", ".join(workspace.tags) if workspace.tags else "-"),
        ("created", iso(workspace.creation_datetime) or "-"),
        ("modified", iso(workspace.modification_datetime) or "-"),
    ]
    for line in key_values(pairs):
        out(line)
    return 0


COMMANDS = {"create": create, "list": list_workspaces, "show": show}


async def run(ctx: Context) -> int:
    return await COMMANDS[ctx.args.workspace_command](ctx)
