"""The dialogs of the Contents screen: a name for a new folder, a file to upload.

The file dialog has a path field and, below it, Textual's own DirectoryTree
starting in the current directory: picking a file there fills the field, and
Enter in the field uploads what it names (a directory or a missing path is
refused in place, with what to do).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Footer, Input, Static

_DIALOG_CSS = """
{screen} {{ align: center middle; }}
{screen} > Vertical {{
    width: 76;
    max-width: 95%;
    height: auto;
    max-height: 95%;
    border: thick $primary 60%;
    border-title-style: bold;
    background: $surface;
    padding: 1 2;
}}
{screen} .dialog-title {{ text-style: bold; margin-bottom: 1; }}
{screen} .dialog-error {{ color: $text-error; height: auto; }}
{screen} DirectoryTree {{ height: 12; margin-top: 1; }}
"""


class NamePromptScreen(ModalScreen[str | None]):
    """Ask for a name; the text (stripped), or None when cancelled."""

    DEFAULT_CSS = _DIALOG_CSS.format(screen="NamePromptScreen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="name-prompt.cancel")
    ]
    AUTO_FOCUS = "#name-prompt-input"

    def __init__(self, title: str, hint: str) -> None:
        super().__init__()
        self._title = title
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "New folder"
            yield Static(self._title, classes="dialog-title", markup=False)
            yield Static(self._hint, markup=False)
            yield Input(placeholder="Name", id="name-prompt-input")
            yield Static("", id="name-prompt-error", classes="dialog-error", markup=False)
        yield Footer(compact=True)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.query_one("#name-prompt-error", Static).update("Type a name first.")
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


def path_problem(text: str) -> str | None:
    """Why ``text`` cannot be uploaded, or None (a readable regular file)."""
    if not text.strip():
        return "Type a path, or pick a file in the tree below."
    path = Path(text.strip()).expanduser()
    if not path.exists():
        return f"{path} does not exist."
    if not path.is_file():
        return f"{path} is not a file: pick one file (a directory is not uploaded whole)."
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        return f"{path} cannot be read ({exc.strerror})."
    return None


class UploadPickScreen(ModalScreen[Path | None]):
    """Pick a file to upload: its path, or None when cancelled."""

    DEFAULT_CSS = _DIALOG_CSS.format(screen="UploadPickScreen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="upload-pick.cancel")
    ]
    AUTO_FOCUS = "#upload-path"

    def __init__(self, target: str, start: Path | None = None) -> None:
        super().__init__()
        self._target = target
        self._start = start or Path.cwd()

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Upload a file"
            yield Static(f"Upload into {self._target}", classes="dialog-title", markup=False)
            yield Input(placeholder="Path of the file (Enter uploads)", id="upload-path")
            yield Static("", id="upload-path-error", classes="dialog-error", markup=False)
            yield DirectoryTree(str(self._start), id="upload-tree")
        yield Footer(compact=True)

    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        field = self.query_one("#upload-path", Input)
        field.value = str(event.path)
        field.focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        problem = path_problem(event.value)
        if problem is not None:
            self.query_one("#upload-path-error", Static).update(problem)
            return
        self.dismiss(Path(event.value.strip()).expanduser())

    def action_cancel(self) -> None:
        self.dismiss(None)
