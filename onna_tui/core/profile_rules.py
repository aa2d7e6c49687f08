"""What a profile's name, organisation and client id may be. Standard library only.

The config file's models (``storage.config_model``) apply these rules, and the
forms and the command line quote `PROFILE_NAME_RULE` when they refuse a name.
"""

from __future__ import annotations

import re
from datetime import datetime

from onna_tui.core.errors import ConfigError

PROFILE_NAME_RULE = "1 to 64 letters, digits, '-', '_' or '.'"
PROFILE_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ORG = re.compile(r"[A-Za-z0-9._-]{1,128}")
#: The longest client id accepted.
MAX_CLIENT_ID = 256


def validate_profile_name(name: str) -> str:
    """Return ``name`` if it is a valid profile name, else raise ConfigError saying why."""
    if not isinstance(name, str) or not PROFILE_NAME.fullmatch(name):
        raise ConfigError(
            f"{name!r} is not a valid profile name: use {PROFILE_NAME_RULE} "
            "(for example 'prod' or 'staging-eu')."
        )
    return name


def normalize_org(value: str) -> str:
    """The ORG of enterprise.onna.com/ORG; a pasted enterprise URL is accepted too."""
    text = value.strip().rstrip("/")
    if "onna.com/" in text:
        text = text.split("onna.com/", 1)[1].split("/", 1)[0]
    if not _ORG.fullmatch(text):
        raise ValueError(
            f"{value!r} is not an organization name: give the ORG part of "
            "https://enterprise.onna.com/ORG (letters, digits, '-', '_' or '.')"
        )
    return text


def normalize_client_id(value: str) -> str:
    """``value`` without surrounding spaces if it can be a client id, else a ValueError."""
    value = value.strip()
    if (
        not value
        or len(value) > MAX_CLIENT_ID
        or any(c.isspace() or not c.isprintable() for c in value)
    ):
        raise ValueError(
            "the client id must be the single word shown for your application "
            f"in Onna (no spaces), at most {MAX_CLIENT_ID} characters"
        )
    return value


def is_secret_key(key: str) -> bool:
    """A config.toml key that looks like it holds a secret (those belong in the keyring)."""
    lowered = key.lower()
    return ("secret" in lowered and lowered != "secret_set_at") or "token" in lowered


#: A client secret stored longer ago than this many days is flagged for rotation
#: (config.toml ``secret_max_age_days``; 0 turns the flag off).
DEFAULT_SECRET_MAX_AGE_DAYS = 90


def secret_age_days(set_at: datetime | None, now: datetime) -> int | None:
    """Whole days since the secret was stored; None when it never was."""
    if set_at is None:
        return None
    return max(0, int((now - set_at).total_seconds() // 86400))


def secret_is_old(set_at: datetime | None, now: datetime, max_days: int) -> bool:
    """The stored secret is older than ``max_days`` (never, when ``max_days`` is 0)."""
    days = secret_age_days(set_at, now)
    return max_days > 0 and days is not None and days > max_days
