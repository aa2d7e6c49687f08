"""A workspace's contents: the folders, files and tickets created from this machine, as a tree.

Opened with ``o`` on a workspace of the Workspaces screen. The API (v1.1.0) cannot
list what a workspace holds, so the tree shows the local records (storage.local_records)
and says so. ``n`` makes a folder and ``u`` uploads files into the selected folder
(or the workspace), one after another, with a bar for the file and, for several, one
for them all; Escape stops an upload, which ``r`` resumes from the server's offset;
``d`` deletes (a folder with everything in it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, ProgressBar, Static, Tree

from onna_tui.core.formatting import human_duration
from onna_tui.core.sizes import human_size
from onna_tui.core.transfer import TransferTally
from onna_tui.tui.errors import describe
from onna_tui.tui.paths import style
from onna_tui.tui.safe_text import plain

if TYPE_CHECKING:
    from textual.widgets.tree import TreeNode

    from onna_tui.profiles.contents import ContentOps
    from onna_tui.storage.local_records import CreatedItem, PendingUpload
    from onna_tui.tui.session import Session

NOTE = (
    "Shown: what was created from this machine (the API cannot list a workspace's "
    "contents). n folder · u upload · d delete · r resume · Esc back or stop an upload"
)
_ICONS = {"folder": "▸ ", "file": "  ", "ticket": "# "}


def _label(item: CreatedItem) -> Text:
    label = Text(_ICONS.get(item.kind, ""))
    label.append_text(plain(item.name or item.onna_id, "bold" if item.kind == "folder" else ""))
    if item.kind == "file":
        if item.content == "uploaded" and item.size is not None:
            label.append(f"  {human_size(item.size)}", style="dim")
        else:
            label.append("  upload not finished (r resumes)", style="yellow")
    label.append("  ")
    label.append_text(plain(item.onna_id, "dim"))
    return label


class ContentsScreen(ModalScreen[None]):
    """The contents of one workspace, for one session."""

    CSS_PATH = style("contents.tcss")
    AUTO_FOCUS = "#contents-tree"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_folder", "New folder", id="contents.folder"),
        Binding("u", "upload", "Upload", id="contents.upload"),
        Binding("d,delete", "delete", "Delete", id="contents.delete"),
        Binding("r", "resume", "Resume", id="contents.resume"),
        Binding("escape", "back", "Back / stop", id="contents.back"),
    ]

    def __init__(self, session: Session, workspace_id: str, workspace_name: str) -> None:
        super().__init__()
        from onna_tui.profiles.contents import ContentOps

        self.session = session
        self.workspace_id = workspace_id
        self.workspace_name = workspace_name
        self.ops: ContentOps = ContentOps(session.client, profile=session.name)
        self.uploading = False

    def compose(self) -> ComposeResult:
        with Vertical(id="contents-box") as box:
            box.border_title = "Contents"
            title = Text("Workspace ")
            title.append_text(plain(self.workspace_name, "bold"))
            title.append("  ")
            title.append_text(plain(self.workspace_id, "dim"))
            yield Static(title, id="contents-title", markup=False)
            yield Static(NOTE, id="contents-note", classes="hint", markup=False)
            tree: Tree[CreatedItem | None] = Tree(plain(self.workspace_name), id="contents-tree")
            tree.root.data = None
            yield tree
            yield Static("", id="contents-status", markup=False)
            yield ProgressBar(total=100, show_eta=False, id="contents-progress")
            yield ProgressBar(total=100, show_eta=False, id="contents-overall")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#contents-progress", ProgressBar).display = False
        self.query_one("#contents-overall", ProgressBar).display = False
        self.refresh_tree(hint=True)

    # ------------------------------------------------------------------ tree

    @property
    def contents_tree(self) -> Tree[CreatedItem | None]:
        return self.query_one("#contents-tree", Tree)

    def records_here(self) -> list[CreatedItem]:
        try:
            everything = self.ops.records.all(self.ops.base_url)
        except Exception as exc:
            self._say(describe(exc, "read the local records")[1])
            return []
        return [i for i in everything if i.workspace_id == self.workspace_id]

    def refresh_tree(self, *, hint: bool = False) -> None:
        tree = self.contents_tree
        tree.clear()
        items = self.records_here()
        self._grow_branch(tree.root, items, self.workspace_id)
        tree.root.expand_all()
        if not items and hint:
            self._say("Nothing here was created from this machine yet: n makes a folder.")

    def _grow_branch(
        self, node: TreeNode[CreatedItem | None], items: list[CreatedItem], parent: str
    ) -> None:
        children = sorted(
            (i for i in items if i.parent_id == parent),
            key=lambda i: (i.kind != "folder", i.name.lower()),
        )
        for item in children:
            if item.kind == "folder":
                branch = node.add(_label(item), data=item)
                self._grow_branch(branch, items, item.onna_id)
            else:
                node.add_leaf(_label(item), data=item)

    def selected_item(self) -> CreatedItem | None:
        node = self.contents_tree.cursor_node
        return node.data if node is not None else None

    def new_target(self) -> tuple[str, str]:
        """(parent id, what to call it) for something new: the selected folder, the folder
        of the selected file or ticket, else the workspace."""
        item = self.selected_item()
        if item is not None and item.kind == "folder":
            return item.onna_id, f"folder {item.name!r}"
        if item is not None and item.parent_id != self.workspace_id:
            parent = next((i for i in self.records_here() if i.onna_id == item.parent_id), None)
            if parent is not None:
                return parent.onna_id, f"folder {parent.name!r}"
        return self.workspace_id, f"workspace {self.workspace_name!r}"

    def _say(self, text: str | Text) -> None:
        self.query_one("#contents-status", Static).update(text)

    def _failed(self, exc: Exception, action: str) -> None:
        title, message = describe(exc, action)
        self._say(message)
        self.notify(message, title=title, severity="error", timeout=10)

    # --------------------------------------------------------------- folders

    def action_new_folder(self) -> None:
        from onna_tui.tui.widgets.content_dialogs import NamePromptScreen

        parent, where = self.new_target()
        self.app.push_screen(
            NamePromptScreen(f"A new folder in {where}", "Its name (any text)."),
            partial(self._named, parent),
        )

    def _named(self, parent: str, name: str | None) -> None:
        if name:
            self.create_folder(parent, name)

    @work(group="contents-op")
    async def create_folder(self, parent: str, name: str) -> None:
        from onna_tui.core.wire.contents import FolderDraft

        try:
            with self.session.writing():
                created = await self.ops.create_folder(
                    FolderDraft(name=name, onna_parent_id=parent)
                )
        except Exception as exc:
            self._failed(exc, "create the folder")
            return
        self._say(f"Folder {name!r} created ({created.onna_id}).")
        self.refresh_tree()

    # ---------------------------------------------------------------- delete

    def action_delete(self) -> None:
        item = self.selected_item()
        if item is None:
            self.notify("Pick a folder, file or ticket in the tree first.", title="Delete")
            return
        from onna_tui.tui.widgets.type_to_confirm import TypeToConfirmScreen

        body = Text(f"The {item.kind} ")
        body.append_text(plain(item.name, "bold"))
        body.append(f" ({item.onna_id}) will be deleted from Onna. ")
        if item.kind == "folder":
            body.append("Everything in it is deleted too. ", style="bold")
        body.append("This cannot be undone.")
        self.app.push_screen(
            TypeToConfirmScreen(f"Delete this {item.kind}?", body, item.name or item.onna_id),
            partial(self._delete_confirmed, item),
        )

    def _delete_confirmed(self, item: CreatedItem, yes: bool | None) -> None:
        if yes:
            self.delete_item(item)

    @work(group="contents-op")
    async def delete_item(self, item: CreatedItem) -> None:
        try:
            outcome = await self.ops.delete(item.kind, item.onna_id)
        except Exception as exc:
            self._failed(exc, f"delete {item.kind} {item.onna_id}")
            return
        how = "was already deleted" if outcome.already_gone else "was deleted"
        self._say(f"The {item.kind} {item.name!r} {how}.")
        self.refresh_tree()

    # --------------------------------------------------------------- uploads

    def action_upload(self) -> None:
        if self.uploading:
            self.notify("An upload is running; wait for it or press Escape.", title="Upload")
            return
        from onna_tui.tui.widgets.content_dialogs import UploadPickScreen

        parent, where = self.new_target()
        self.app.push_screen(UploadPickScreen(where), partial(self._picked, parent))

    def _picked(self, parent: str, paths: list[Path] | None) -> None:
        if paths:
            self.upload(parent, paths)

    def _progress(self, total_files: int, total_bytes: int) -> BatchProgress:
        file_bar = self.query_one("#contents-progress", ProgressBar)
        overall_bar = self.query_one("#contents-overall", ProgressBar)
        file_bar.display = True
        overall_bar.display = total_files > 1
        return BatchProgress(self, file_bar, overall_bar, total_files, total_bytes)

    @work(group="upload", exclusive=True)
    async def upload(self, parent: str, paths: list[Path]) -> None:
        from onna_tui.profiles.contents import UploadRequest

        self.uploading = True
        sizes = [_size_of(path) for path in paths]
        progress = self._progress(len(paths), sum(sizes))
        names: list[str] = []
        try:
            for path, size in zip(paths, sizes, strict=True):
                progress.start_file(path.name, size)
                done = await self.ops.upload(
                    UploadRequest(path=path, parent_id=parent), progress=progress
                )
                progress.finish_file()
                names.append(done.name)
        except Exception as exc:
            self._failed(exc, f"upload {progress.tally.name}")
        else:
            if len(paths) == 1:
                self._say(
                    f"Uploaded {done.name!r}: {human_size(done.result.size)}, {done.onna_id}."
                )
            else:
                self._say(f"Uploaded {len(paths)} files: {human_size(sum(sizes))} in all.")
        finally:
            self._upload_ended(progress)

    def action_resume(self) -> None:
        if self.uploading:
            return
        pending = [p for p in self.ops.resumable() if self._in_workspace(p.onna_id)]
        if not pending:
            self.notify("No unfinished upload in this workspace.", title="Resume")
            return
        self.resume(pending)

    def _in_workspace(self, onna_id: str) -> bool:
        return any(i.onna_id == onna_id for i in self.records_here())

    @work(group="upload", exclusive=True)
    async def resume(self, pending: list[PendingUpload]) -> None:
        self.uploading = True
        progress = self._progress(len(pending), sum(item.size for item in pending))
        try:
            for item in pending:
                progress.start_file(item.name, item.size)
                await self.ops.resume(item, progress=progress)
                progress.finish_file()
        except Exception as exc:
            self._failed(exc, "resume the upload")
        else:
            self._say(f"Finished {len(pending)} upload{'s' * (len(pending) != 1)}.")
        finally:
            self._upload_ended(progress)

    def _upload_ended(self, progress: BatchProgress) -> None:
        self.uploading = False
        if progress.stopped:
            tally = progress.tally
            not_started = tally.total_files - tally.file_index
            line = plain(tally.name, "bold")
            line.append(
                f": upload stopped at {human_size(tally.offset)} of "
                f"{human_size(tally.file_size)}; r resumes it from there."
            )
            if not_started:
                line.append(
                    f" {not_started} file{'s' * (not_started != 1)} after it "
                    f"{'were' if not_started != 1 else 'was'} not started."
                )
            self._say(line)
        self.query_one("#contents-progress", ProgressBar).display = False
        self.query_one("#contents-overall", ProgressBar).display = False
        self.refresh_tree()

    def action_back(self) -> None:
        if self.uploading:
            for worker in self.workers:
                if worker.group == "upload":
                    worker.cancel()
            return
        self.dismiss(None)


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the upload itself says what is wrong with it


class BatchProgress:
    """The uploader's progress callback for a batch of files: moves the file's bar and,
    for several files, the overall one, and writes the counts, rate and time left."""

    def __init__(
        self,
        screen: ContentsScreen,
        file_bar: ProgressBar,
        overall_bar: ProgressBar,
        total_files: int,
        total_bytes: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.screen = screen
        self.file_bar = file_bar
        self.overall_bar = overall_bar
        self.clock = clock
        self.tally = TransferTally(
            total_files=total_files, total_bytes=total_bytes, started=clock()
        )
        self._finished = 0

    @property
    def stopped(self) -> bool:
        """True when the batch ended before its last file was complete."""
        return self._finished < self.tally.total_files

    def start_file(self, name: str, size: int) -> None:
        self.tally.start_file(name, size)
        self(0, size)

    def finish_file(self) -> None:
        self._finished += 1
        self.tally.finish_file()

    def __call__(self, offset: int, size: int) -> None:
        tally = self.tally
        tally.update(offset, size)
        self.file_bar.update(total=max(size, 1), progress=offset if size else 1)
        self.overall_bar.update(
            total=max(tally.total_bytes, 1), progress=tally.overall if tally.total_bytes else 1
        )
        now = self.clock()
        line = Text()
        if tally.total_files > 1:
            line.append(f"[{tally.file_index}/{tally.total_files}] ")
        line.append_text(plain(tally.name, "bold"))
        line.append(f"  {human_size(offset)} of {human_size(size)}")
        if tally.total_files > 1:
            line.append(f"  · all {human_size(tally.overall)} of {human_size(tally.total_bytes)}")
        line.append(f"  {human_size(int(tally.rate(now)))}/s")
        seconds = tally.seconds_left(now)
        if seconds is not None:
            line.append(f"  {human_duration(int(seconds))} left")
        self.screen._say(line)
