"""The Workspaces screen's list and the filter box above it.

Their keys name the screen's actions (``screen.edit`` and so on): the table's show
in the footer while it has focus, the filter's while one types into it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from onna_tui.tui.widgets.fields import TextField


class WorkspaceTable(DataTable[Text]):
    """The list; these keys act on the highlighted workspace and show while it has focus."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "e", "screen.edit", "Edit", id="list.edit", tooltip="Edit name, description, tags."
        ),
        Binding(
            "d,delete",
            "screen.delete",
            "Delete",
            id="list.delete",
            tooltip="Delete the workspace (you type its name to confirm).",
        ),
        Binding(
            "a",
            "screen.enable_field",
            "Add field",
            id="list.enable-field",
            tooltip="Enable one of the account's custom fields for this workspace.",
        ),
        Binding(
            "s",
            "screen.sort",
            "Sort",
            id="list.sort",
            tooltip="Server order, then by name, then newest first.",
        ),
        Binding(
            "slash",
            "screen.focus_filter",
            "Filter",
            id="list.filter",
            tooltip="Filter by name or id.",
        ),
        Binding("n", "screen.new", "New", id="list.new", tooltip="Back to the creation form."),
        Binding(
            "o",
            "screen.open_contents",
            "Contents",
            id="list.contents",
            tooltip="Folders, files and tickets created from here; upload files.",
        ),
    ]


class FilterInput(TextField):
    """Type to filter the list; Escape clears it, Down or Enter goes to the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "screen.clear_filter", "Clear", id="filter.clear"),
        Binding("down", "screen.focus_list", "To the list", id="filter.down", show=False),
    ]
