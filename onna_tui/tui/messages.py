"""Messages that carry worker results back to the screens (dataclasses, as posting does).

A result carries the session it was fetched with: the screens drop it when
another profile has become active in the meantime.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from datetime import datetime

    from onna_tui.api.custom_fields import FieldValue
    from onna_tui.api.workspaces import DeleteOutcome
    from onna_tui.core.tokens import AccessToken
    from onna_tui.core.wire.auth import CurrentUser
    from onna_tui.core.wire.health import Health
    from onna_tui.core.wire.workspaces import CreatedWorkspace, Page, Workspace
    from onna_tui.tui.session import Session
    from onna_tui.tui.store import ProfileInfo


@dataclass
class TokenChanged(Message):
    """The active profile's token manager has a new token, or none (forgotten, refused)."""

    token: AccessToken | None


@dataclass
class SessionChanged(Message):
    """Another profile became active (or the last one went away: None)."""

    session: Session | None


@dataclass
class ProfilesLoaded(Message):
    profiles: list[ProfileInfo]


@dataclass
class ProfileSaved(Message):
    """A profile passed verification and was stored."""

    profile: ProfileInfo


@dataclass
class UserLoaded(Message):
    user: CurrentUser
    session: Session


@dataclass
class UserFailed(Message):
    """/oauth/user failed; ``message`` is the service layer's sentence."""

    title: str
    message: str
    session: Session


@dataclass
class HealthLoaded(Message):
    health: Health
    session: Session


@dataclass
class HealthFailed(Message):
    message: str
    session: Session


@dataclass
class WorkspacePageLoaded(Message):
    page: Page
    #: True when this page follows the ones already shown; False for a fresh list.
    append: bool
    session: Session


@dataclass
class WorkspaceLoaded(Message):
    workspace: Workspace
    session: Session


@dataclass
class WorkspaceCreated(Message):
    created: CreatedWorkspace
    name: str
    session: Session


@dataclass
class WorkspaceRejected(Message):
    """The server refused the draft (422): ``errors`` maps form fields to messages."""

    errors: dict[str, list[str]]
    message: str
    session: Session


@dataclass
class WorkspaceOutcomeUnknown(Message):
    """The POST got no answer: the workspace may or may not exist."""

    message: str
    session: Session


@dataclass
class WorkspaceFieldsLoaded(Message):
    """A workspace's enabled custom fields with their values."""

    workspace_id: str
    fields: list[FieldValue]
    session: Session


@dataclass
class WorkspaceDeleted(Message):
    """The DELETE succeeded (``outcome.already_gone``: a retry found it deleted)."""

    workspace_id: str
    name: str
    outcome: DeleteOutcome
    session: Session


@dataclass
class CreationTimesLoaded(Message):
    """Creation times read for the rows that had none (for the newest-first order)."""

    times: dict[str, datetime | None]
    session: Session
