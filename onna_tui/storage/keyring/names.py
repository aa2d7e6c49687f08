"""What the keyring entries of onna-tui are called (see ``entries``). Standard library only.

Apart from ``entries`` (which needs pydantic for the token model) so that the
cached-token fast path of ``onna-tui token`` names the same entries without it.
"""

from __future__ import annotations

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
