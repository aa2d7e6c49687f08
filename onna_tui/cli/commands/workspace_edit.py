"""`onna-tui workspace update | delete`.

``update`` sends only what changes and refuses, before sending anything, an
update with nothing in it. ``delete`` asks for the workspace's name to be typed
when stdin is a terminal, and without ``--yes`` refuses to run unattended. A
DELETE whose answer was lost is sent once more; a 404 then means the first one
worked ("already deleted").
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from onna_tui.cli.commands.workspace import usage_from, workspace_json
from onna_tui.cli.context import Context, connect
from onna_tui.cli.errors import UsageError
from onna_tui.cli.options import Subcommands, add_json, leaf
from onna_tui.cli.output import ask_for_name, emit_json, note

if TYPE_CHECKING:
    import argparse

    from onna_tui.core.wire.workspaces import WorkspaceUpdate


def register(actions: Subcommands[argparse.ArgumentParser]) -> None:
    """``onna-tui workspace update | delete``, among the ``workspace`` actions."""
    update_parser = leaf(actions, "update", "change a workspace's name, description or tags")
    update_parser.add_argument("onna_id", metavar="ONNA_ID")
    update_parser.add_argument("--name", help="the new display name")
    update_parser.add_argument("--description", metavar="TEXT", help="the new description")
    update_parser.add_argument(
        "--tag", action="append", metavar="TAG", help="a tag; the tags given replace the old ones"
    )
    update_parser.add_argument("--clear-tags", action="store_true", help="remove every tag")
    add_json(update_parser, "the workspace as it is after the change")
    update_parser.set_defaults(handler=update)

    delete_parser = leaf(
        actions,
        "delete",
        "delete a workspace and everything in it (asks for its name in a terminal)",
    )
    delete_parser.add_argument("onna_id", metavar="ONNA_ID")
    delete_parser.add_argument(
        "--yes", action="store_true", help="delete without asking (needed when not in a terminal)"
    )
    delete_parser.set_defaults(handler=delete)


def _update(ctx: Context) -> WorkspaceUpdate:
    from pydantic import ValidationError

    from onna_tui.core.wire.workspaces import WorkspaceUpdate

    args = ctx.args
    if args.tag and args.clear_tags:
        raise UsageError("Give --tag to replace the tags or --clear-tags to remove them, not both.")
    tags = [] if args.clear_tags else (args.tag or None)
    try:
        update = WorkspaceUpdate(name=args.name, description=args.description, tags=tags)
    except ValidationError as exc:
        raise usage_from(exc) from None
    if update.is_empty():
        raise UsageError(
            "Nothing to change: give --name, --description, --tag (repeat for several) or "
            "--clear-tags."
        )
    return update


async def update(ctx: Context) -> int:
    change = _update(ctx)
    onna_id: str = ctx.args.onna_id
    async with connect(ctx) as client:
        await client.update_workspace(onna_id, change)
        if ctx.as_json:
            emit_json(workspace_json(await client.get_workspace(onna_id)))
    if not ctx.as_json:
        note(f"Updated workspace {onna_id}.")
    return 0


async def delete(ctx: Context) -> int:
    onna_id: str = ctx.args.onna_id
    interactive = sys.stdin is not None and sys.stdin.isatty()
    if not ctx.args.yes and not interactive:
        raise UsageError(
            f"Not deleting workspace {onna_id} without confirmation: standard input is not a "
            "terminal, so no name can be typed. Add --yes to delete it."
        )
    async with connect(ctx) as client:
        name = None
        if not ctx.args.yes:
            name = (await client.get_workspace(onna_id)).name
            ask_for_name(name, onna_id, what="workspace", with_contents=True)
        outcome = await client.delete_workspace(onna_id)
    if outcome.already_gone:
        note(
            f"Workspace {onna_id} was already deleted: the answer to the first request was lost, "
            "and the retry found it gone."
        )
    elif name is not None:
        note(f"Deleted workspace {name} ({onna_id}).")
    else:
        note(f"Deleted workspace {onna_id}.")
    return 0
