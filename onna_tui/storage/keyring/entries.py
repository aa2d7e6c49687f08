"""What the keyring entries of onna-tui are called and what they hold.

One entry per value, plain strings:

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

#: The prefix of the keyring service names that hold client secrets.
SERVICE_PREFIX = "onna-tui:"
#: The prefix of the keyring service names that hold cached tokens (never a secret).
TOKEN_SERVICE_PREFIX = "onna-tui-token:"
#: Appended to the client id to name the cached-token entry.
TOKEN_SUFFIX = "#token"
#: Version of the token JSON layout; an entry with another version reads as absent.
TOKEN_FORMAT = 1


def service_name(base_url: str) -> str:
    """The keyring service for one API base URL (trailing slashes do not matter)."""
    return SERVICE_PREFIX + base_url.strip().rstrip("/")


def token_service_name(base_url: str) -> str:
    """The keyring service of cached tokens for one API base URL: never a secret's service,
    since a base URL never starts with "-token:"."""
    return TOKEN_SERVICE_PREFIX + base_url.strip().rstrip("/")


def token_username(client_id: str) -> str:
    return client_id + TOKEN_SUFFIX


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
