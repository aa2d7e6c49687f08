"""The base-URL policy, in one place for the service layer, the config and the CLI.

Plain http is refused unless the host is loopback (the sandbox): a bearer token
and a client secret must never cross a network in clear text. No httpx here,
so reading the config does not pay for importing it.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from onna_tui.service.errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.onna.com/v1"


def is_loopback_host(host: str) -> bool:
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_base_url(url: str) -> str:
    """Check a base URL and return it without a trailing slash.

    Plain http is refused unless the host is loopback (the sandbox): a bearer
    token and a client secret must never cross a network in clear text.
    """
    raw = url.strip()
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigurationError(
            f"The base URL {raw!r} is not an http(s) URL. Use something like {DEFAULT_BASE_URL}."
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(
            "The base URL contains a user name or password; give just the API root, "
            f"like {DEFAULT_BASE_URL} (credentials belong in the profile)."
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ConfigurationError(
            f"The base URL {raw} has an invalid port. Use something like {DEFAULT_BASE_URL}."
        ) from None
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigurationError(
            f"The base URL {raw} uses plain http to a host that is not this machine; "
            "credentials and tokens would travel unencrypted. Use https:// (plain http is "
            "only allowed for loopback addresses such as the sandbox)."
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"The base URL {raw} has a query or fragment; give just the API root, "
            f"like {DEFAULT_BASE_URL}."
        )
    return raw.rstrip("/")
