"""Base-URL policy: https everywhere, plain http only for loopback."""

from __future__ import annotations

import pytest

from onna_tui.core.errors import ConfigError
from onna_tui.core.urls import DEFAULT_BASE_URL, host_port, normalize_base_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://api.onna.com/v1", "https://api.onna.com/v1"),
        ("https://api.onna.com/v1/", "https://api.onna.com/v1"),
        ("  https://eu.example.org/v1 ", "https://eu.example.org/v1"),
        ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
        ("http://localhost:8000/v1", "http://localhost:8000/v1"),
        ("http://[::1]:8000/v1", "http://[::1]:8000/v1"),
        ("http://127.5.6.7/v1", "http://127.5.6.7/v1"),
    ],
)
def test_accepted(given: str, expected: str) -> None:
    assert normalize_base_url(given) == expected


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("http://api.onna.com/v1", "unencrypted"),
        ("http://10.0.0.5/v1", "unencrypted"),
        ("ftp://api.onna.com/v1", "not an http"),
        ("api.onna.com/v1", "not an http"),
        ("https://api.onna.com/v1?x=1", "query"),
    ],
)
def test_refused_with_an_action(given: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        normalize_base_url(given)
    assert words in str(info.value)
    assert "https://" in str(info.value) or "like" in str(info.value)


@pytest.mark.parametrize(
    "given",
    ["https://alice:hunter2@api.onna.com/v1", "https://alice@api.onna.com/v1"],
)
def test_user_info_is_refused_and_never_echoed(given: str) -> None:
    with pytest.raises(ConfigError) as info:
        normalize_base_url(given)
    assert "hunter2" not in str(info.value)
    assert "user name or password" in str(info.value)


def test_out_of_range_port_is_refused() -> None:
    with pytest.raises(ConfigError, match="invalid port"):
        normalize_base_url("https://127.0.0.1:99999/v1")


def test_dot_localhost_names_are_not_trusted_as_loopback() -> None:
    with pytest.raises(ConfigError, match="unencrypted"):
        normalize_base_url("http://evil.localhost/v1")


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("http://[::1/v1", "not a valid URL"),
        ("http://127.0.0.1:8000/v\x1b[2J1", "control characters"),
        ("http://127.0.0.1:8000/v1\n/x", "control characters"),
        ("http://127.0.0.1:8000/v 1", "spaces"),
        ("http://127.0.0.1:8000/\u202ev1", "control characters"),
        ("http://127.0.0.1/" + "a" * 65536, "characters long"),
    ],
)
def test_malformed_base_urls_are_configuration_errors(given: str, words: str) -> None:
    """Each of these used to escape as ValueError or httpx.InvalidURL: "this is a bug"."""
    with pytest.raises(ConfigError) as info:
        normalize_base_url(given)
    message = str(info.value)
    assert words in message
    assert info.value.exit_code == 2
    assert len(message) < 400  # a 64 KB URL is not echoed back
    assert not any(ord(ch) < 32 or ch == "\u202e" for ch in message)
    assert DEFAULT_BASE_URL in message


def test_a_password_is_never_quoted_even_with_a_wrong_scheme() -> None:
    with pytest.raises(ConfigError) as info:
        normalize_base_url("ftp://alice:hunter2@api.onna.com/v1")
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    ("host", "port", "shown"),
    [
        ("::1", 1, "[::1]:1"),
        ("127.0.0.1", 8000, "127.0.0.1:8000"),
        ("api.onna.com", None, "api.onna.com"),
        ("fe80::1", None, "[fe80::1]"),
        (None, None, "the server"),
    ],
)
def test_host_port_brackets_ipv6(host: str | None, port: int | None, shown: str) -> None:
    assert host_port(host, port) == shown
