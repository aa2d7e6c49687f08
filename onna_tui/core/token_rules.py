"""How long a token lives and when it is renewed. Standard library only.

Apart from `core.tokens` (pydantic) so that the TUI can read the renewal
margin while it builds its settings, before the first paint, without loading
pydantic.
"""

from __future__ import annotations

from datetime import datetime

#: Onna's documented token lifetime: "tokens expire after 1 hour (3599 seconds)".
DOCUMENTED_TOKEN_LIFETIME = 3599
#: A lifetime above this is not believed (see api.tokens.token_from_response).
MAX_BELIEVED_LIFETIME = 24 * 3600
#: Renew a token this many seconds before it expires (capped at half its lifetime).
RENEWAL_MARGIN = 60.0

#: `onna-tui exec`: the least time, in seconds, a token handed to a program has left by
#: default (a new one is minted when the cached one has less).
EXEC_MIN_LEFT = 900


def renewal_margin(margin: float, expires_in: int) -> float:
    """``margin``, but never more than half the token's lifetime (``expires_in`` seconds): a
    token shorter than the margin is still used instead of re-minted on every call."""
    return min(margin, expires_in / 2)


def is_fresh(
    expires_at: datetime, expires_in: int, now: datetime, margin: float = RENEWAL_MARGIN
) -> bool:
    """True while a token has more than its renewal margin left at ``now`` (reuse it)."""
    return (expires_at - now).total_seconds() > renewal_margin(margin, expires_in)


def seconds_left(expires_at: datetime, now: datetime) -> int:
    """Whole seconds left at ``now``, never below zero."""
    return max(0, int((expires_at - now).total_seconds()))
