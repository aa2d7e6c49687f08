"""`onna-tui workspace create | list | show` (update, delete: workspace_edit; field: customfield).

``create`` prints only the new onna_id, so ``id=$(onna-tui workspace create
--name X)`` just works. ``list`` follows page cursors until the end or
``--limit`` and prints each page as it arrives: when paging fails part way
(a repeated cursor, a dropped connection), what was fetched stays printed (a
closed JSON array with ``--json``) before the error. A create is never retried
after a timeout (see api.client).
"""

from __future__ import annotations

from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from onna_tui.cli.context import Context, connect
from onna_tui.cli.errors import UsageError
from onna_tui.cli.listing import WorkspaceListing
from onna_tui.cli.options import Subcommands, add_json, group, leaf
from onna_tui.cli.output import emit_json, key_values, out
from onna_tui.core.formatting import iso
from onna_tui.sandbox.cli import positive_int

if TYPE_CHECKING:
    import argparse

    from pydantic import ValidationError

    from onna_tui.core.wire.workspaces import Workspace, WorkspaceDraft

_OPTION_OF_FIELD = {"name": "--name", "description": "--description", "tags": "--tag"}


def register(sub: Subcommands[argparse.ArgumentParser]) -> Subcommands[argparse.ArgumentParser]:
    """``onna-tui workspace create | list | show``; returns the workspace actions, where
    ``workspace_edit`` and ``customfield`` add theirs."""
    actions = group(
        sub,
        "workspace",
        "create, list, show, update and delete workspaces, and set their custom fields",
        "Workspaces.",
        "workspace_command",
    )
    create_parser = leaf(actions, "create", "create a workspace and print its onna_id")
    create_parser.add_argument("--name", required=True, help="display name of the workspace")
    create_parser.add_argument("--description", metavar="TEXT", help="short description")
    create_parser.add_argument(
        "--tag", action="append", metavar="TAG", help="a tag (repeat for several)"
    )
    add_json(create_parser, '{"onna_id": ...}')
    create_parser.set_defaults(handler=create)

    list_parser = leaf(actions, "list", "list workspaces (onna_id and name)")
    list_parser.add_argument(
        "--limit", type=positive_int, metavar="N", help="stop after N workspaces"
    )
    add_json(list_parser, "the workspaces")
    list_parser.set_defaults(handler=list_workspaces)

    show_parser = leaf(actions, "show", "show one workspace")
    show_parser.add_argument("onna_id", metavar="ONNA_ID")
    add_json(show_parser, "the workspace")
    show_parser.set_defaults(handler=show)
    return actions


def usage_from(exc: ValidationError) -> UsageError:
    """A local validation failure as one sentence naming the options (exit code 2)."""
    problems = []
    for error in exc.errors():
        loc = error["loc"]
        option = _OPTION_OF_FIELD.get(str(loc[0]), str(loc[0])) if loc else "input"
        message = str(error["msg"])
        if error["type"] == "string_too_short":
            message = "must not be empty or blank"
        problems.append(f"{option} {message}")
    return UsageError("; ".join(problems) + ".")


def _draft(ctx: Context) -> WorkspaceDraft:
    from pydantic import ValidationError

    from onna_tui.core.wire.workspaces import WorkspaceDraft

    args = ctx.args
    try:
        return WorkspaceDraft(name=args.name, description=args.description, tags=args.tag or [])
    except ValidationError as exc:
        raise usage_from(exc) from None


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
    # Started here, or handed over by the quick path (cli.fast_list) part way through.
    listing = ctx.resumed_listing or WorkspaceListing(ctx.as_json, ctx.args.limit)
    try:
        async with connect(ctx) as client:
            pages = client.iter_workspace_pages(resume=listing.trail)
            async with aclosing(pages) as stream:
                # A page is printed as soon as it arrives, while nothing more is fetched
                # than ``limit`` needs.
                async for page in stream:
                    if not listing.page((item.onna_id, item.name) for item in page.items):
                        break
    except Exception as error:
        # What was fetched stays printed (a handed-over listing's too, should opening
        # the profile fail now); the error follows on stderr.
        listing.failed(error)
        raise
    listing.close()
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
