"""What every part of the Workspaces screen shares: the loaded list, the selection, the
details pane, and how a failed request or a missing selection is told.

The screen is built from parts, one per concern, each a subclass of this one:
the list and details (`workspaces_list`), the creation form (`workspaces_create`),
edit and delete (`workspaces_manage`) and custom fields (`workspaces_fields`);
`workspaces.WorkspacesScreen` puts them together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from onna_tui.tui.errors import describe
from onna_tui.tui.listing import WorkspaceList
from onna_tui.tui.screens.base import OnnaScreen
from onna_tui.tui.widgets.workspace_details import PROMPT, WorkspaceDetails

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from onna_tui.core.wire.workspaces import Workspace
    from onna_tui.tui.session import Session


class WorkspacesBase(OnnaScreen):
    """The state the parts of the Workspaces screen share."""

    def __init__(self) -> None:
        super().__init__()
        #: The loaded rows, the next page's cursor, the filter and the sort.
        self.list_state = WorkspaceList()
        #: The onna_id of the last workspace created here (what "Copy id" copies first).
        self.created_id: str | None = None
        self.selected_id: str | None = None
        #: Put the cursor on this workspace once a page brings it (the one just created).
        self._select_when_loaded: str | None = None
        #: The selected workspace's details, once read (what Edit starts from).
        self.workspace: Workspace | None = None

    @property
    def details(self) -> WorkspaceDetails:
        return self.query_one("#ws-details-card", WorkspaceDetails)

    def _clear_details(self, text: str | Text = PROMPT) -> None:
        self.workspace = None
        self.details.show_message(text)

    def _is_current(self, session: Session) -> bool:
        """Whether ``session`` is still the active one (else its answers are not shown)."""
        return session is self.onna.session

    def _no_profile(self) -> bool:
        """True, after saying what to do, when no profile is active."""
        if self.onna.session is not None:
            return False
        self.notify(
            "Add or pick a profile first (F2 Credentials).",
            title="No profile",
            severity="warning",
        )
        return True

    def _selected(self, verb: str) -> str | None:
        """The highlighted workspace's id, or None after saying what to do."""
        if self._no_profile():
            return None
        if self.selected_id is None or self.selected_id not in self.list_state.rows:
            self.notify(
                f"Highlight a workspace in the list first, then {verb} it.",
                title="No workspace selected",
                severity="warning",
            )
            return None
        return self.selected_id

    def _report(
        self,
        exc: Exception,
        session: Session,
        *,
        severity: SeverityLevel = "error",
        timeout: float = 10,
        action: str = "create the workspace",
    ) -> None:
        """A toast for a failed request; it names the profile when that is no longer active."""
        title, message = describe(exc, action)
        if not self._is_current(session):
            message = f"Profile {session.name!r} (no longer active): {message}"
        self.notify(message, title=title, severity=severity, timeout=timeout)
