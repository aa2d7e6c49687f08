"""Tokens and credentials as onna-tui holds them, and the rules about their lifetime.

No I/O here: a token's state is computed from the time it is given (see
``core.clock``); the lifetime rules are in ``core.token_rules``. Secrets are
``SecretStr``: no repr, str or log line built from these values ever shows
them. The token cache (``storage.keyring``) stores exactly an `AccessToken`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, SecretStr

from onna_tui.core import token_rules
from onna_tui.core.token_rules import RENEWAL_MARGIN

#: ``refused``: the server answered 401 to a token its clock says is alive (revoked, or
#: expired at the server); only a lookup can tell, so only `status` reports it.
TokenState = Literal["valid", "expiring", "expired", "refused", "none"]


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
        return token_rules.seconds_left(self.expires_at, now)

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def is_usable(self, now: datetime, margin: float = 0.0) -> bool:
        """True while more than ``margin`` seconds are left."""
        return (self.expires_at - now).total_seconds() > margin

    def renewal_margin(self, margin: float) -> float:
        """``margin``, but never more than half this token's lifetime: a token shorter
        than the margin is still used instead of re-minted on every call."""
        return token_rules.renewal_margin(margin, self.expires_in)

    def is_fresh(self, now: datetime, margin: float = RENEWAL_MARGIN) -> bool:
        """True while it has more than its renewal margin left (reuse it; do not mint)."""
        return token_rules.is_fresh(self.expires_at, self.expires_in, now, margin)

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


def token_state(
    token: AccessToken | None, now: datetime, margin: float = RENEWAL_MARGIN
) -> TokenState:
    """``none``, ``expired``, ``expiring`` (margin or less left: next use mints) or ``valid``."""
    if token is None:
        return "none"
    if token.is_expired(now):
        return "expired"
    if not token.is_fresh(now, margin):
        return "expiring"
    return "valid"
