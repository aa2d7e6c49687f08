"""What the keyring entries of onna-tui are called and what they hold.

One entry per value, plain strings (the names are in ``names``, standard library only,
for the cached-token fast path):

* service ``onna-tui:<base URL>``, username ``<client_id>`` — the client secret.
  The base URL is part of the service name so two environments (production,
  staging, the local sandbox) never overwrite each other's entries.
* service ``onna-tui-token:<base URL>``, username ``<client_id>#token`` — the
  cached access token as JSON (``access_token``, ``token_type``,
  ``expires_in``, ``issued_at``, ``expires_at``, ``lifetime_assumed``); never
  the client secret. Tokens have a service of their own, so no client id can
  name a token's slot: before, the token of client ``demo`` and the secret of
  a client whose id is ``demo#token`` shared one entry. A token cached under
  the old key (``<client_id>#token`` in the secret's service) is no longer
  read; removing a profile deletes such an entry only when it holds one of our
  tokens, since it could be the secret of a client id ending in ``#token``.
"""

from __future__ import annotations

import json
from datetime import datetime

from onna_tui.core.tokens import AccessToken
from onna_tui.storage.keyring.names import (  # noqa: F401 - re-exported: the names live there
    SERVICE_PREFIX,
    TOKEN_FORMAT,
    TOKEN_SERVICE_PREFIX,
    TOKEN_SUFFIX,
    service_name,
    token_service_name,
    token_username,
)

# ----------------------------------------------------------- token entries


def encode_token(token: AccessToken) -> str:
    """The JSON kept in the keyring for a cached token (never the client secret)."""
    return json.dumps(
        {
            "format": TOKEN_FORMAT,
            "access_token": token.access_token.get_secret_value(),
            "token_type": token.token_type,
            "expires_in": token.expires_in,
            "issued_at": token.issued_at.isoformat(),
            "expires_at": token.expires_at.isoformat(),
            "lifetime_assumed": token.lifetime_assumed,
        },
        separators=(",", ":"),
    )


def decode_token(raw: str | None) -> AccessToken | None:
    """Read a cached token entry; anything missing, garbled or from another format is None."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != TOKEN_FORMAT:
            return None
        data.pop("format")
        token = AccessToken.model_validate(data)
    except (ValueError, TypeError):  # json and pydantic errors are ValueErrors
        return None
    if not token.access_token.get_secret_value():
        return None
    # A naive datetime would blow up later when compared with the aware clock.
    if not _is_aware(token.issued_at) or not _is_aware(token.expires_at):
        return None
    return token


def _is_aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None
