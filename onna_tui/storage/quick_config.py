"""config.toml read with the standard library, for the cached-token fast path.

``quick_profile`` picks a profile as ``profiles.resolve`` does (``--profile``
> the default > the only profile) and checks the whole file against the rules
``storage.config_model`` applies (the rules themselves are in ``core``). It
answers only when it is sure: anything the full reader might refuse, or read
differently — a missing file, a value of an unexpected type, a date that is
not a datetime, a key that looks like a secret — is None, and the caller takes
the full path (which says what is wrong). It never raises and never reads the
keyring; the environment is the caller's business.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

from onna_tui.core.profile_rules import (
    DEFAULT_SECRET_MAX_AGE_DAYS,
    PROFILE_NAME,
    is_secret_key,
    normalize_client_id,
    normalize_org,
)
from onna_tui.core.urls import DEFAULT_BASE_URL, normalize_base_url
from onna_tui.storage.paths import default_config_path
from onna_tui.storage.toml_text import nesting_depth

#: A real config.toml is a few kilobytes; anything this big is not one.
MAX_CONFIG_BYTES = 1024 * 1024
#: Tables and arrays nested deeper than this are not a config.toml either.
MAX_NESTING = 16
#: The top-level settings and their one accepted type (exactly, so a bool is not an int).
_SETTINGS: dict[str, type] = {
    "default": str,
    "allow_insecure_storage": bool,
    "secret_max_age_days": int,
}
#: The largest secret_max_age_days the config model accepts.
_MAX_AGE_DAYS = 36500
_TIMESTAMPS = ("created_at", "updated_at", "secret_set_at")


class QuickProfile:
    """What the token of one stored profile is filed under, and its storage opt-in.

    A plain class: a dataclass costs more to define than the fast path may spend.
    """

    __slots__ = ("base_url", "client_id", "insecure_allowed", "name")

    def __init__(self, name: str, base_url: str, client_id: str, insecure_allowed: bool) -> None:
        self.name = name
        self.base_url = base_url
        self.client_id = client_id
        #: Plaintext / non-recommended keyrings allowed (the profile's or the file's opt-in).
        self.insecure_allowed = insecure_allowed

    def __repr__(self) -> str:
        return (
            f"QuickProfile({self.name!r}, {self.base_url!r}, {self.client_id!r}, "
            f"insecure_allowed={self.insecure_allowed})"
        )


class _Unsure(Exception):
    """The full reader might disagree: leave it to the full path."""


def quick_profile(name: str | None = None, path: Path | None = None) -> QuickProfile | None:
    """The profile ``name`` (None: the default one) as the full path would pick it, or None
    whenever anything is not plain (see the module docstring)."""
    try:
        return _pick(_settings(path if path is not None else default_config_path()), name)
    except Exception:  # _Unsure, or anything unforeseen: the full path decides
        return None


def _settings(path: Path) -> dict[str, Any]:
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise _Unsure
    data = tomllib.loads(path.read_bytes().decode("utf-8"))
    if nesting_depth(data, MAX_NESTING) > MAX_NESTING:
        raise _Unsure
    for key, value in data.items():
        if key == "profiles":
            continue
        expected = _SETTINGS.get(key)
        if expected is None:
            _check_extra(key)
        elif type(value) is not expected:
            raise _Unsure
    age = data.get("secret_max_age_days", DEFAULT_SECRET_MAX_AGE_DAYS)
    if not 0 <= age <= _MAX_AGE_DAYS:
        raise _Unsure
    profiles = data.get("profiles")
    if type(profiles) is not dict:
        raise _Unsure  # missing (no profiles yet) or not a table: the full path says so
    for profile_name, body in profiles.items():
        profiles[profile_name] = _profile(profile_name, body, data)
    return data


def _check_extra(key: str) -> None:
    """Unknown keys are kept by the full reader, but never one that looks like a secret."""
    if is_secret_key(key):
        raise _Unsure


def _profile(name: str, body: Any, data: dict[str, Any]) -> QuickProfile:
    if type(body) is not dict or not PROFILE_NAME.fullmatch(name):
        raise _Unsure
    for key in body:
        if key not in ("name", "base_url", "client_id", "org", "insecure_storage", *_TIMESTAMPS):
            _check_extra(key)
    base_url = body.get("base_url", DEFAULT_BASE_URL)
    client_id = body.get("client_id")
    org = body.get("org")
    insecure = body.get("insecure_storage", False)
    if type(base_url) is not str or type(client_id) is not str or type(insecure) is not bool:
        raise _Unsure
    if org is not None:
        if type(org) is not str:
            raise _Unsure
        if org.strip():
            normalize_org(org)  # raises ValueError: the full reader refuses it too
    for key in _TIMESTAMPS:
        required = key != "secret_set_at"
        if (key in body or required) and not isinstance(body.get(key), datetime):
            raise _Unsure
    return QuickProfile(
        name=name,
        base_url=normalize_base_url(base_url),  # raises ConfigError, as above
        client_id=normalize_client_id(client_id),
        insecure_allowed=insecure or data.get("allow_insecure_storage", False),
    )


def _pick(data: dict[str, Any], name: str | None) -> QuickProfile | None:
    profiles: dict[str, QuickProfile] = data["profiles"]
    if name is not None:
        return profiles.get(name)
    default = data.get("default")
    if default:
        return profiles.get(default)  # a default that is not there is the full path's error
    if len(profiles) == 1:
        return next(iter(profiles.values()))
    return None
