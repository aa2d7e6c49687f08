"""POST /oauth/token and GET /oauth/user. Secrets are ``SecretStr``."""

from __future__ import annotations

from pydantic import SecretStr, StrictInt

from onna_tui.core.wire.base import WireModel


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
