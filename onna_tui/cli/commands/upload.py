"""`onna-tui upload PATH... --parent ID` and `onna-tui upload --resume`.

Each file becomes a file resource under ``--parent`` (a workspace or a folder) and
its content is sent by TUS in chunks (api.upload), one file after another. stdout
gets one line per finished file, its onna_id (``--json``: one JSON object per line
with onna_id, name, path, bytes and sha256); stderr gets a progress bar when it is
a terminal. Every path is checked before anything is created. An upload cut short
(Ctrl-C, a dropped connection, a killed process) is finished by ``--resume``,
which asks the server for its offset and sends only the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onna_tui.cli.arguments import chunk_size
from onna_tui.cli.commands.contents import content_ops
from onna_tui.cli.context import Context
from onna_tui.cli.errors import UsageError
from onna_tui.cli.options import Subcommands, add_json, leaf
from onna_tui.cli.output import note, out
from onna_tui.cli.progress import TransferBar
from onna_tui.core.sizes import human_size
from onna_tui.core.text import json_safe, printable

if TYPE_CHECKING:
    from onna_tui.profiles.contents import UploadOutcome


def _checked_paths(args: Any) -> list[Path]:
    paths = [Path(p) for p in args.paths]
    problems = []
    for path in paths:
        if not path.exists():
            problems.append(f"{path} does not exist")
        elif not path.is_file():
            problems.append(f"{path} is not a regular file")
        else:
            try:
                with path.open("rb"):
                    pass
            except OSError as exc:
                problems.append(f"{path} cannot be read ({exc.strerror})")
    if problems:
        raise UsageError("Nothing was uploaded: " + "; ".join(problems) + ".")
    if args.name and len(paths) > 1:
        raise UsageError("--name names one file; leave it out when uploading several.")
    return paths


def _json_line(value: dict[str, Any]) -> None:
    sys.stdout.write(json_safe(json.dumps(value, ensure_ascii=False)) + "\n")
    sys.stdout.flush()


def _report(ctx: Context, done: UploadOutcome) -> None:
    if ctx.as_json:
        _json_line(
            {
                "onna_id": done.onna_id,
                "name": done.name,
                "path": str(done.path),
                "parent_id": done.parent_id,
                "bytes": done.result.size,
                "sha256": done.result.sha256,
                "resumed_from": done.result.resumed_from,
            }
        )
    else:
        out(done.onna_id)


async def run(ctx: Context) -> int:
    args = ctx.args
    if args.resume:
        if args.paths or args.parent:
            raise UsageError("--resume finishes earlier uploads; give it no PATH or --parent.")
        return await _resume(ctx)
    if not args.paths or not args.parent:
        raise UsageError(
            "Give the files to upload and where: onna-tui upload FILE... --parent ID "
            "(a workspace or folder id), or --resume to finish interrupted uploads."
        )
    from onna_tui.profiles.contents import UploadRequest

    paths = _checked_paths(args)
    sizes = [p.stat().st_size for p in paths]
    bar = TransferBar.for_stderr(total_files=len(paths), total_bytes=sum(sizes))
    current = ""
    try:
        async with content_ops(ctx) as ops:
            for path, size in zip(paths, sizes, strict=True):
                current = str(path)
                bar.start_file(args.name or path.name, size)
                request = UploadRequest(
                    path=path,
                    parent_id=args.parent,
                    name=args.name,
                    tags=args.tag or [],
                    description=args.description,
                )
                done = await ops.upload(request, chunk_size=args.chunk_size, progress=bar.update)
                bar.finish_file()
                bar.close()
                _report(ctx, done)
                current = ""
    except KeyboardInterrupt:
        bar.close()
        if current:
            note(
                f"Interrupted while uploading {printable(current)}; run `onna-tui upload "
                "--resume` to finish it from where the server stopped."
            )
        raise
    finally:
        bar.close()
    return 0


async def _resume(ctx: Context) -> int:
    async with content_ops(ctx) as ops:
        pending = ops.resumable()
        if not pending:
            note("No unfinished uploads for this profile.")
            return 0
        total = sum(p.size for p in pending)
        note(f"Resuming {len(pending)} upload{'s' * (len(pending) != 1)} ({human_size(total)}).")
        bar = TransferBar.for_stderr(total_files=len(pending), total_bytes=total)
        try:
            for item in pending:
                bar.start_file(item.name, item.size)
                done = await ops.resume(item, progress=bar.update)
                bar.finish_file()
                bar.close()
                _report(ctx, done)
        finally:
            bar.close()
    return 0


def register(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """``onna-tui upload PATH... --parent ID`` and ``onna-tui upload --resume``."""
    upload = leaf(
        sub,
        "upload",
        "upload files into a workspace or folder (resumable; --resume finishes interrupted ones)",
    )
    upload.add_argument("paths", nargs="*", metavar="PATH", help="the files to upload")
    upload.add_argument(
        "--parent", metavar="ID", help="the onna_id of the workspace or folder they go into"
    )
    upload.add_argument("--name", help="the name to give the file (one PATH only)")
    upload.add_argument("--description", metavar="TEXT", help="a description for each file")
    upload.add_argument("--tag", action="append", metavar="TAG", help="a tag (repeat for several)")
    upload.add_argument(
        "--chunk-size",
        type=chunk_size,
        default=4 * 1024 * 1024,
        metavar="SIZE",
        help="bytes per request, 64K to 64M (default: 4M)",
    )
    upload.add_argument(
        "--resume", action="store_true", help="finish every interrupted upload of this profile"
    )
    add_json(upload, "one object per file (onna_id, name, path, bytes, sha256)")
    upload.set_defaults(handler=run)
