"""The base-URL policy, in one place for the API layer, the config and both front ends.

Plain http is refused unless the host is loopback (the sandbox): a bearer token
and a client secret must never cross a network in clear text. Also the one
loopback test (`is_loopback_host`) and how a host is shown in messages. No
httpx here, so reading the config does not pay for importing it.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from urllib.parse import urlsplit

from onna_tui.core.errors import ConfigError

DEFAULT_BASE_URL = "https://api.onna.com/v1"
#: A base URL longer than this is refused: real API roots are a few dozen characters.
MAX_BASE_URL_LENGTH = 2048
#: How much of a refused URL a message quotes.
_SHOWN = 80


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1 (with or without brackets), in any case."""
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_port(host: str | None, port: int | None = None) -> str:
    """``host:port`` as a person would type it: an IPv6 address in brackets (``[::1]:8000``)."""
    if not host:
        return "the server"
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"{shown}:{port}" if port else shown


def host_of(url: object) -> str:
    """host[:port] of a URL as a person would type it (IPv6 in brackets), never user info
    (``url`` is a string or anything whose str() is one, such as an ``httpx.URL``)."""
    try:
        parts = urlsplit(str(url))
        host = parts.hostname
    except ValueError:
        return "the server"
    try:
        port = parts.port
    except ValueError:
        port = None
    return host_port(host, port)


def _unsafe(ch: str) -> bool:
    # Whitespace and control or format characters have no place in a URL: they are
    # either typos (a pasted newline) or an attempt to make it look like another one.
    return ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"}


def _shown(raw: str) -> str:
    text = "".join("?" if _unsafe(ch) else ch for ch in raw)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def normalize_base_url(url: str) -> str:
    """Check a base URL and return it without a trailing slash.

    Plain http is refused unless the host is loopback (the sandbox): a bearer
    token and a client secret must never cross a network in clear text. Every
    refusal is a ConfigError whose message quotes at most the start of
    the URL, with any control character shown as ``?``.
    """
    raw = url.strip()
    example = f"Use something like {DEFAULT_BASE_URL}."
    if len(raw) > MAX_BASE_URL_LENGTH:
        raise ConfigError(
            f"The base URL is {len(raw)} characters long (at most {MAX_BASE_URL_LENGTH}); "
            f"it starts {_shown(raw)!r}. {example}"
        )
    if any(_unsafe(ch) for ch in raw):
        raise ConfigError(
            f"The base URL {_shown(raw)!r} contains spaces or control characters (shown as "
            f"?); type it again without them. {example}"
        )
    try:
        parts = urlsplit(raw)
        hostname = parts.hostname
    except ValueError:  # "Invalid IPv6 URL": an unclosed bracket
        raise ConfigError(
            f"The base URL {_shown(raw)!r} is not a valid URL (check the brackets around an "
            f"IPv6 address, as in http://[::1]:8000/v1). {example}"
        ) from None
    if parts.username is not None or parts.password is not None:
        # Checked first: no other message may quote a URL that holds a password.
        raise ConfigError(
            "The base URL contains a user name or password; give just the API root, "
            f"like {DEFAULT_BASE_URL} (credentials belong in the profile)."
        )
    if parts.scheme not in {"http", "https"} or not hostname:
        raise ConfigError(f"The base URL {_shown(raw)!r} is not an http(s) URL. {example}")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ConfigError(f"The base URL {_shown(raw)} has an invalid port. {example}") from None
    if parts.scheme == "http" and not is_loopback_host(hostname):
        raise ConfigError(
            f"The base URL {_shown(raw)} uses plain http to a host that is not this machine; "
            "credentials and tokens would travel unencrypted. Use https:// (plain http is "
            "only allowed for loopback addresses such as the sandbox)."
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"The base URL {_shown(raw)} has a query or fragment; give just the API root, "
            f"like {DEFAULT_BASE_URL}."
        )
    return raw.rstrip("/")
