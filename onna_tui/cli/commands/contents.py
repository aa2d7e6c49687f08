"""`onna-tui folder | file | ticket ...` and `onna-tui contents`: what goes into a workspace.

``create`` prints only the new onna_id (``--json``: ``{"onna_id": ...}``). A delete
asks, in a terminal, for the name to be typed (a folder's delete says that it
deletes everything inside); without a terminal it needs ``--yes``. What this
machine created is remembered (storage.local_records), because the API cannot
list a workspace's contents: ``onna-tui contents`` shows it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Literal

from onna_tui.cli.context import Context
from onna_tui.cli.errors import UsageError
from onna_tui.cli.options import Subcommands, add_json, group, leaf
from onna_tui.cli.output import ask_for_name, emit_json, key_values, note, out
from onna_tui.core.text import printable

if TYPE_CHECKING:
    from pydantic import BaseModel

    from onna_tui.profiles.contents import ContentOps
    from onna_tui.storage.local_records import CreatedItem

Kind = Literal["folder", "file", "ticket"]


@asynccontextmanager
async def content_ops(ctx: Context) -> AsyncIterator[ContentOps]:
    """The resolved profile's content operations, on this process's one AsyncClient."""
    from onna_tui.api.http import make_http_client
    from onna_tui.profiles.contents import ContentOps
    from onna_tui.profiles.session import open_client

    resolved = await ctx.resolve()
    resolved.require_credentials()
    async with make_http_client() as http:
        client = open_client(resolved, http=http, clock=ctx.clock, vault=ctx.vault)
        yield ContentOps(client, profile=resolved.name)


def _created(ctx: Context, onna_id: str) -> int:
    if ctx.as_json:
        emit_json({"onna_id": onna_id})
    else:
        out(onna_id)
    return 0


def _show(ctx: Context, model: BaseModel) -> int:
    body = model.model_dump(mode="json", exclude_none=True)
    if ctx.as_json:
        emit_json(body)
    else:
        key_values(
            [(k, ", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in body.items()]
        )
    return 0


def _validated(build: Any) -> Any:
    from pydantic import ValidationError

    from onna_tui.cli.commands.workspace import usage_from

    try:
        return build()
    except ValidationError as exc:
        raise usage_from(exc) from None


def _confirm_delete(ctx: Context, what: str) -> bool:
    """True when the name must be asked for; UsageError when it cannot be."""
    interactive = sys.stdin is not None and sys.stdin.isatty()
    if not ctx.args.yes and not interactive:
        raise UsageError(
            f"Not deleting {what} {ctx.args.onna_id} without confirmation: standard input is "
            "not a terminal, so no name can be typed. Add --yes to delete it."
        )
    return not ctx.args.yes


async def _delete(ctx: Context, kind: Kind) -> int:
    onna_id: str = ctx.args.onna_id
    async with content_ops(ctx) as ops:
        name = None
        if _confirm_delete(ctx, kind):
            getter = {
                "folder": ops.client.get_folder,
                "file": ops.client.get_file,
                "ticket": ops.client.get_ticket,
            }[kind]
            found = await getter(onna_id)
            name = str(getattr(found, "name", "") or onna_id)
            ask_for_name(name, onna_id, what=kind, with_contents=kind == "folder")
        outcome = await ops.delete(kind, onna_id)
    if outcome.already_gone:
        note(
            f"The {kind} {onna_id} was already deleted: the first answer was lost, and the "
            "retry found it gone."
        )
    else:
        label = f"{printable(name)} ({onna_id})" if name else onna_id
        note(f"Deleted {kind} {label}.")
    return 0


# ------------------------------------------------------------------ folder


async def folder(ctx: Context) -> int:
    action = ctx.args.folder_command
    if action == "delete":
        return await _delete(ctx, "folder")
    async with content_ops(ctx) as ops:
        if action == "create":
            from onna_tui.core.wire.contents import FolderDraft

            draft = _validated(
                lambda: FolderDraft(name=ctx.args.name, onna_parent_id=ctx.args.parent)
            )
            return _created(ctx, (await ops.create_folder(draft)).onna_id)
        if action == "rename":
            await ops.client.rename_folder(ctx.args.onna_id, ctx.args.name)
            ops.records.update(ops.base_url, ctx.args.onna_id, name=ctx.args.name)
            note(f"Renamed folder {ctx.args.onna_id}.")
            return 0
        return _show(ctx, await ops.client.get_folder(ctx.args.onna_id))


async def file(ctx: Context) -> int:
    if ctx.args.file_command == "delete":
        return await _delete(ctx, "file")
    async with content_ops(ctx) as ops:
        return _show(ctx, await ops.client.get_file(ctx.args.onna_id))


async def ticket(ctx: Context) -> int:
    action = ctx.args.ticket_command
    if action == "delete":
        return await _delete(ctx, "ticket")
    async with content_ops(ctx) as ops:
        if action == "create":
            from onna_tui.core.wire.contents import TicketDraft

            args = ctx.args
            draft = _validated(
                lambda: TicketDraft(
                    onna_parent_id=args.parent,
                    name=args.name,
                    ref=args.ref,
                    url=args.url,
                    description=args.description,
                    status=args.status,
                    priority=args.priority,
                    tags=args.tag or [],
                )
            )
            return _created(ctx, (await ops.create_ticket(draft)).onna_id)
        return _show(ctx, await ops.client.get_ticket(ctx.args.onna_id))


# ---------------------------------------------------------------- contents


def _tree_lines(items: list[CreatedItem], root: str, depth: int = 0) -> list[str]:
    lines = []
    for item in sorted((i for i in items if i.parent_id == root), key=lambda i: (i.kind, i.name)):
        extra = ""
        if item.kind == "file":
            extra = (
                f"  {item.size} bytes" if item.content == "uploaded" else "  (upload not finished)"
            )
        lines.append(f"{'  ' * depth}{item.kind:<6} {item.onna_id}  {printable(item.name)}{extra}")
        lines.extend(_tree_lines(items, item.onna_id, depth + 1))
    return lines


async def contents(ctx: Context) -> int:
    """What this machine created, per workspace, as a tree (no request is sent)."""
    from onna_tui.core.urls import normalize_base_url
    from onna_tui.storage.local_records import CreatedRecords

    resolved = await ctx.resolve()

    base_url = normalize_base_url(resolved.base_url)
    items = CreatedRecords().all(base_url)
    wanted = ctx.args.workspace
    if wanted:
        items = [i for i in items if i.workspace_id == wanted]
    if ctx.as_json:
        emit_json([i.__dict__ for i in items])
        return 0
    if not items:
        note("Nothing was created from this machine" + (f" in {wanted}." if wanted else "."))
        return 0
    for workspace in sorted({i.workspace_id for i in items}):
        out(f"workspace {workspace}")
        for line in _tree_lines(items, workspace, 1):
            out(line)
    note("Only what was created from this machine is shown: the API cannot list contents.")
    return 0


# ---------------------------------------------------------------- parsers


def _delete_parser(actions: Subcommands[argparse.ArgumentParser], what: str) -> None:
    delete = leaf(actions, "delete", what)
    delete.add_argument("onna_id", metavar="ONNA_ID")
    delete.add_argument(
        "--yes", action="store_true", help="delete without asking (needed when not in a terminal)"
    )


def _show_parser(actions: Subcommands[argparse.ArgumentParser], kind: str) -> None:
    show = leaf(actions, "show", f"show one {kind}")
    show.add_argument("onna_id", metavar="ONNA_ID")
    add_json(show, f"the {kind}")


_PARENT_HELP = "the onna_id of the workspace or folder it goes into"


def _register_folder(sub: Subcommands[argparse.ArgumentParser]) -> None:
    actions = group(
        sub,
        "folder",
        "create, show, rename and delete folders in a workspace",
        "Folders: they hold folders, files and tickets.",
        "folder_command",
    )
    create = leaf(actions, "create", "create a folder and print its onna_id")
    create.add_argument("--parent", required=True, metavar="ID", help=_PARENT_HELP)
    create.add_argument("--name", required=True, help="display name of the folder")
    add_json(create, '{"onna_id": ...}')
    _show_parser(actions, "folder")
    rename = leaf(actions, "rename", "rename a folder")
    rename.add_argument("onna_id", metavar="ONNA_ID")
    rename.add_argument("--name", required=True, help="the new name")
    _delete_parser(
        actions, "delete a folder and everything in it (asks for its name in a terminal)"
    )
    for parser in actions.choices.values():
        parser.set_defaults(handler=folder)


def _register_ticket(sub: Subcommands[argparse.ArgumentParser]) -> None:
    actions = group(
        sub,
        "ticket",
        "create, show and delete ticket resources",
        "Ticket resources (a case or issue from another system).",
        "ticket_command",
    )
    create = leaf(actions, "create", "create a ticket and print its onna_id")
    create.add_argument("--parent", required=True, metavar="ID", help=_PARENT_HELP)
    create.add_argument("--name", required=True, help="the ticket's title")
    create.add_argument("--ref", required=True, help="its number or id at the origin")
    create.add_argument("--url", required=True, help="its URL at the origin")
    create.add_argument("--description", metavar="TEXT", help="a description")
    create.add_argument("--status", help="open, closed, archived, ...")
    create.add_argument("--priority", help="high, medium, low, ...")
    create.add_argument("--tag", action="append", metavar="TAG", help="a tag (repeat for several)")
    add_json(create, '{"onna_id": ...}')
    _show_parser(actions, "ticket")
    _delete_parser(actions, "delete a ticket (asks for its name in a terminal)")
    for parser in actions.choices.values():
        parser.set_defaults(handler=ticket)


def register(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """``onna-tui folder | file | ticket ...`` and ``onna-tui contents``."""
    _register_folder(sub)
    actions = group(
        sub,
        "file",
        "show and delete file resources (upload creates them)",
        "File resources: `onna-tui upload` creates them and sends their content.",
        "file_command",
    )
    _show_parser(actions, "file")
    _delete_parser(actions, "delete a file (asks for its name in a terminal)")
    for parser in actions.choices.values():
        parser.set_defaults(handler=file)
    _register_ticket(sub)
    listing = leaf(sub, "contents", "show the folders, files and tickets created from this machine")
    listing.add_argument("--workspace", metavar="ID", help="only those in this workspace")
    add_json(listing, "the records")
    listing.set_defaults(handler=contents)
