"""The dialogs of the Contents screen: a name for a new folder, files to upload.

The upload dialog has a path field and, below it, Textual's own DirectoryTree
starting in the current directory: each file picked there is added to the field
(quoted as a shell would), and Enter in the field uploads every file it names,
one after another. A directory, a missing path or an unreadable file is refused
in place, with what to do, before anything is created.
"""

from __future__ import annotations

import shlex
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
{screen} .hint {{ color: $text-muted; height: auto; }}
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


def parse_paths(text: str) -> list[Path]:
    """The paths ``text`` names: the whole text when it is one existing path (spaces and
    all), else shell words (quote a path with spaces). Each path once, in order."""
    text = text.strip()
    if not text:
        return []
    whole = Path(text).expanduser()
    if whole.exists():
        words = [text]
    else:
        try:
            words = shlex.split(text)
        except ValueError:  # an unclosed quote: take the text as one path
            words = [text]
    unique: dict[Path, None] = {}
    for word in words:
        unique.setdefault(Path(word).expanduser(), None)
    return list(unique)


def path_problem(path: Path) -> str | None:
    """Why ``path`` cannot be uploaded, or None (a readable regular file)."""
    if not path.exists():
        return f"{path} does not exist."
    if not path.is_file():
        return f"{path} is not a file: pick files (a directory is not uploaded whole)."
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        return f"{path} cannot be read ({exc.strerror})."
    return None


def paths_problem(text: str) -> tuple[list[Path], str | None]:
    """The paths in ``text`` and the first reason one of them cannot be uploaded."""
    paths = parse_paths(text)
    if not paths:
        return [], "Type a path, or pick files in the tree below."
    for path in paths:
        problem = path_problem(path)
        if problem is not None:
            return paths, problem
    return paths, None


class FilePicker(DirectoryTree):
    """Textual's DirectoryTree with text marks instead of emoji, whose width terminals
    (and fonts) disagree on."""

    ICON_NODE_EXPANDED = "▾ "
    ICON_NODE = "▸ "
    ICON_FILE = "  "


class UploadPickScreen(ModalScreen[list[Path] | None]):
    """Pick files to upload: their paths, or None when cancelled."""

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
            box.border_title = "Upload files"
            yield Static(f"Upload into {self._target}", classes="dialog-title", markup=False)
            yield Static(
                "Pick files in the tree (each is added) or type paths, quoting any with "
                "spaces; Enter uploads them one after another.",
                markup=False,
            )
            # Not select_on_focus: after a pick, a key typed must not replace the list.
            yield Input(
                placeholder="Paths of the files (Enter uploads)",
                id="upload-path",
                select_on_focus=False,
            )
            yield Static("", id="upload-path-error", classes="dialog-error", markup=False)
            yield Static("", id="upload-chosen", classes="hint", markup=False)
            yield FilePicker(str(self._start), id="upload-tree")
        yield Footer(compact=True)

    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        field = self.query_one("#upload-path", Input)
        chosen = parse_paths(field.value)
        if Path(event.path) not in chosen:
            chosen.append(Path(event.path))
        field.value = shlex.join(str(path) for path in chosen)
        field.cursor_position = len(field.value)
        self.query_one("#upload-path-error", Static).update("")
        self.query_one("#upload-chosen", Static).update(
            f"{len(chosen)} file{'s' * (len(chosen) != 1)} chosen; Enter uploads, or pick another."
        )
        field.focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        paths, problem = paths_problem(event.value)
        if problem is not None:
            self.query_one("#upload-chosen", Static).update("")
            self.query_one("#upload-path-error", Static).update(problem)
            return
        self.dismiss(paths)

    def action_cancel(self) -> None:
        self.dismiss(None)
