"""`onna-tui customfield list | create` and `onna-tui workspace field list | enable | get | set`.

An account defines custom fields once; a workspace enables some of them and
gives each a value. ``workspace field list`` shows a workspace's enabled fields
with their names, types and values: one request for the account's fields, one
per enabled field for its value (fine by hand; a script that needs one value
asks with ``field get``).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from onna_tui.cli.commands.workspace import usage_from
from onna_tui.cli.context import Context, connect
from onna_tui.cli.output import emit_json, note, out, table
from onna_tui.core.wire.custom_fields import CustomField, CustomFieldDraft


def field_json(field: CustomField) -> dict[str, Any]:
    return {
        "onna_id": field.onna_id,
        "name": field.name,
        "type": field.type,
        "description": field.description,
        "required": field.required,
        "usage_count": field.usage_count,
    }


async def list_fields(ctx: Context) -> int:
    async with connect(ctx) as client:
        fields = [field async for field in client.iter_custom_fields()]
    if ctx.as_json:
        emit_json([field_json(f) for f in fields])
    elif not fields:
        note(
            "No custom fields yet. Create one with: onna-tui customfield create --name NAME "
            "--type TYPE --description TEXT"
        )
    else:
        rows = [
            [f.onna_id, f.name, f.type, "yes" if f.required else "no", str(f.usage_count)]
            for f in fields
        ]
        for line in table(["ONNA_ID", "NAME", "TYPE", "REQUIRED", "USED BY"], rows):
            out(line)
    return 0


async def create(ctx: Context) -> int:
    args = ctx.args
    try:
        draft = CustomFieldDraft(
            name=args.name, type=args.type, description=args.description, required=args.required
        )
    except ValidationError as exc:
        raise usage_from(exc) from None
    async with connect(ctx) as client:
        created = await client.create_custom_field(draft)
    if ctx.as_json:
        emit_json({"onna_id": created.onna_id})
    else:
        out(created.onna_id)
    return 0


async def run(ctx: Context) -> int:
    """`onna-tui customfield ACTION`."""
    return await (create if ctx.args.customfield_command == "create" else list_fields)(ctx)


# ------------------------------------------------------ a workspace's fields


async def _workspace_fields(ctx: Context) -> int:
    onna_id: str = ctx.args.onna_id
    async with connect(ctx) as client:
        fields = await client.workspace_field_values(onna_id)
    rows = [
        {"onna_id": f.onna_id, "name": f.name, "type": f.type, "value": f.value} for f in fields
    ]
    if ctx.as_json:
        emit_json(rows)
    elif not rows:
        note(
            f"Workspace {onna_id} has no custom fields enabled. Enable one with: "
            f"onna-tui workspace field enable {onna_id} FIELD_ID"
        )
    else:
        cells = [
            [
                r["onna_id"],
                r["name"],
                r["type"] or "-",
                "-" if r["value"] is None else str(r["value"]),
            ]
            for r in rows
        ]
        for line in table(["FIELD_ID", "NAME", "TYPE", "VALUE"], cells):
            out(line)
    return 0


def _shown(value: object) -> str:
    return "-" if value is None else str(value)


async def _enable(ctx: Context) -> int:
    async with connect(ctx) as client:
        await client.enable_custom_field(ctx.args.onna_id, ctx.args.field_id)
    note(f"Enabled custom field {ctx.args.field_id} for workspace {ctx.args.onna_id}.")
    return 0


async def _get(ctx: Context) -> int:
    async with connect(ctx) as client:
        value = await client.get_custom_value(ctx.args.onna_id, ctx.args.field_id)
    if ctx.as_json:
        emit_json({"onna_id": value.onna_id, "value": value.value})
    elif value.value is None:
        note(f"Custom field {ctx.args.field_id} has no value in workspace {ctx.args.onna_id}.")
    else:
        out(str(value.value))
    return 0


async def _set(ctx: Context) -> int:
    async with connect(ctx) as client:
        await client.set_custom_value(ctx.args.onna_id, ctx.args.field_id, ctx.args.value)
    note(f"Set custom field {ctx.args.field_id} of workspace {ctx.args.onna_id}.")
    return 0


async def run_field(ctx: Context) -> int:
    """`onna-tui workspace field ACTION`."""
    actions = {"list": _workspace_fields, "enable": _enable, "get": _get, "set": _set}
    return await actions[ctx.args.field_command](ctx)
