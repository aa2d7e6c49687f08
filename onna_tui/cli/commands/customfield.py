"""`onna-tui customfield list | create` and `onna-tui workspace field list | enable | get | set`.

An account defines custom fields once; a workspace enables some of them and
gives each a value. ``workspace field list`` shows a workspace's enabled fields
with their names, types and values: one request for the account's fields, one
per enabled field for its value (fine by hand; a script that needs one value
asks with ``field get``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from onna_tui.cli.commands.workspace import usage_from
from onna_tui.cli.context import Context, connect
from onna_tui.cli.options import Subcommands, add_json, group, leaf
from onna_tui.cli.output import emit_json, note, out, table

if TYPE_CHECKING:
    import argparse

    from onna_tui.core.wire.custom_fields import CustomField


def register(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """``onna-tui customfield list | create``."""
    actions = group(
        sub,
        "customfield",
        "list and create the account's custom fields",
        "The account's custom fields, which workspaces can enable.",
        "customfield_command",
    )
    listed = leaf(actions, "list", "list the account's custom fields")
    add_json(listed, "the fields")
    listed.set_defaults(handler=list_fields)
    created = leaf(actions, "create", "create a custom field and print its onna_id")
    created.add_argument("--name", required=True, help="display name of the field")
    created.add_argument("--type", required=True, metavar="TYPE", help="its type, such as keyword")
    created.add_argument("--description", required=True, metavar="TEXT", help="what it holds")
    created.add_argument("--required", action="store_true", help="a value is required")
    add_json(created, '{"onna_id": ...}')
    created.set_defaults(handler=create)


def register_workspace_fields(actions: Subcommands[argparse.ArgumentParser]) -> None:
    """``onna-tui workspace field list | enable | get | set``, among the ``workspace`` actions."""
    field = leaf(actions, "field", "a workspace's custom fields and their values")
    fields = field.add_subparsers(dest="field_command", metavar="ACTION", required=True)
    listed = leaf(fields, "list", "list the workspace's enabled fields with their values")
    listed.add_argument("onna_id", metavar="ONNA_ID")
    add_json(listed, "the fields")
    listed.set_defaults(handler=_workspace_fields)
    enable = leaf(fields, "enable", "enable an account custom field for the workspace")
    get = leaf(fields, "get", "print the value of one of the workspace's fields")
    set_ = leaf(fields, "set", "set the value of one of the workspace's fields")
    for parser in (enable, get, set_):
        parser.add_argument("onna_id", metavar="ONNA_ID")
        parser.add_argument("field_id", metavar="FIELD_ID")
    set_.add_argument("value", metavar="VALUE")
    add_json(get, '{"onna_id": ..., "value": ...}')
    enable.set_defaults(handler=_enable)
    get.set_defaults(handler=_get)
    set_.set_defaults(handler=_set)


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
    from pydantic import ValidationError

    from onna_tui.core.wire.custom_fields import CustomFieldDraft

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
