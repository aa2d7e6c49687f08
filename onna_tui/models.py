"""Pydantic models of the Onna wire format (the spec subset we speak) and of our own values.

Wire models mirror ``onna_tui/spec/openapi.yaml``; they accept extra fields so a
newer server does not break us. Secrets are ``SecretStr``: no repr, str or log
line built from these models ever shows them.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StrictInt,
    StringConstraints,
    field_validator,
)

#: Onna's documented token lifetime: "tokens expire after 1 hour (3599 seconds)".
DOCUMENTED_TOKEN_LIFETIME = 3599
#: A lifetime above this is not believed (see AccessToken.from_response).
MAX_BELIEVED_LIFETIME = 24 * 3600
#: Renew a token this many seconds before it expires (capped at half its lifetime).
DEFAULT_RENEWAL_MARGIN = 60.0
#: The spec's maxItems for workspace tags.
MAX_TAGS = 10000


class WireModel(BaseModel):
    """Base of every model read from the network: tolerant of extra fields."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


# --------------------------------------------------------------------- auth


class TokenResponse(WireModel):
    """POST /oauth/token 200 body (OauthTokenResponse)."""

    access_token: SecretStr
    token_type: str
    #: Strict: ``true`` (a bool is an int to Python) or ``"3599"`` is a malformed answer,
    #: not a lifetime.
    expires_in: StrictInt | None = None


class CurrentUser(WireModel):
    """GET /oauth/user 200 body."""

    id: str
    account_id: str
    name: str
    surname: str | None = None

    @property
    def display_name(self) -> str:
        full = " ".join(part for part in (self.name, self.surname) if part)
        return f"{full} <{self.id}>" if full else self.id


class Health(WireModel):
    """GET /health 200 body."""

    status: str
    version: str
    release_id: str

    @property
    def passing(self) -> bool:
        return self.status.lower() == "pass"


# --------------------------------------------------------------- workspaces


class PageItem(WireModel):
    """One entry of a page of workspaces (PageItemResponseBody)."""

    onna_id: str
    name: str = ""


class Page(WireModel):
    """GET /workspaces 200 body (PageResponseBody)."""

    items: list[PageItem]
    cursor: str | None = None


def _visible(value: str) -> str:
    # str.strip() leaves zero-width and other format characters: a name made only of
    # those looks blank in every list, so it counts as blank.
    if not any(unicodedata.category(ch)[0] not in "CZ" for ch in value):
        raise ValueError("must contain visible characters")
    return value


NonBlank = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_visible)
]


class WorkspaceDraft(BaseModel):
    """What the person asks to create (CreateWorkspaceRequestBody), validated locally."""

    model_config = ConfigDict(extra="forbid")

    name: NonBlank
    description: str | None = None
    tags: list[NonBlank] = Field(default_factory=list, max_length=MAX_TAGS)

    @field_validator("description")
    @classmethod
    def _blank_description_is_none(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return value.strip()

    def to_wire(self) -> dict[str, Any]:
        """The JSON body exactly as sent: unset optional fields are left out."""
        body: dict[str, Any] = {"name": self.name}
        if self.description is not None:
            body["description"] = self.description
        if self.tags:
            body["tags"] = list(self.tags)
        return body


class WorkspaceUpdate(BaseModel):
    """PATCH body (UpdateWorkspaceRequestBody): only the fields that change."""

    model_config = ConfigDict(extra="forbid")

    name: NonBlank | None = None
    description: str | None = None
    tags: list[NonBlank] | None = Field(default=None, max_length=MAX_TAGS)

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class CreatedWorkspace(WireModel):
    """POST /workspaces 201 body."""

    onna_id: str


class Workspace(WireModel):
    """GET /workspaces/{onna_id} 200 body (WorkspaceResponseBody)."""

    onna_id: str
    name: str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    creation_datetime: datetime | None = None
    modification_datetime: datetime | None = None


# ------------------------------------------------------------------- errors
# Error bodies come in too many shapes for one model (the document's flat object,
# the JSON:API envelope of its examples, FastAPI's, RFC 6749's, text, HTML):
# onna_tui.service.problems reads them all.


# ------------------------------------------------------------ our own values


class Credentials(BaseModel):
    """One set of client credentials (one per application, per the guide)."""

    model_config = ConfigDict(frozen=True)

    client_id: str
    client_secret: SecretStr


class AccessToken(BaseModel):
    """A bearer token and when it dies. This is also what the token cache stores.

    ``issued_at`` and ``expires_at`` are aware UTC datetimes taken from the
    client's clock when the exchange answered. ``lifetime_assumed`` is true when
    the server's ``expires_in`` was missing, zero or unbelievable and the
    documented 3599 s (or the 24 h cap) was used instead.
    """

    model_config = ConfigDict(frozen=True)

    access_token: SecretStr
    token_type: str = "bearer"
    expires_in: int
    issued_at: datetime
    expires_at: datetime
    lifetime_assumed: bool = False

    def remaining(self, now: datetime) -> timedelta:
        """Time left at ``now`` (negative once expired)."""
        return self.expires_at - now

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds left at ``now``, never below zero."""
        return max(0, int((self.expires_at - now).total_seconds()))

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def is_usable(self, now: datetime, margin: float = 0.0) -> bool:
        """True while more than ``margin`` seconds are left."""
        return (self.expires_at - now).total_seconds() > margin

    def renewal_margin(self, margin: float) -> float:
        """``margin``, but never more than half this token's lifetime: a token shorter
        than the margin is still used instead of re-minted on every call."""
        return min(margin, self.expires_in / 2)

    def is_fresh(self, now: datetime, margin: float = DEFAULT_RENEWAL_MARGIN) -> bool:
        """True while it has more than its renewal margin left (reuse it; do not mint)."""
        return self.is_usable(now, self.renewal_margin(margin))

    @property
    def fingerprint(self) -> str:
        """A short SHA-256 fingerprint: tells tokens apart without revealing one."""
        digest = hashlib.sha256(self.access_token.get_secret_value().encode()).hexdigest()
        return f"sha256:{digest[:12]}"

    @property
    def masked(self) -> str:
        """The token with all but its last four characters hidden."""
        value = self.access_token.get_secret_value()
        tail = value[-4:] if len(value) >= 12 else ""
        return "•" * 8 + tail

    def authorization_header(self) -> str:
        """The value of the Authorization header. Contains the secret: never log it."""
        return f"Bearer {self.access_token.get_secret_value()}"
