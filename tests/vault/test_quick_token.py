"""The standard-library token reader of the `onna-tui token` fast path agrees with the vault.

``parse_token_entry`` reads a keyring entry as ``entries.decode_token`` does, or
answers None (the full path then reads it); ``read_fresh_token`` reads the
entries the Vault writes, with its backend policy and time bound. Real
backends where they can run: the Vault's own writes, keyring's backend
selection, and the Secret Service when one is on the bus (in
``test_secret_service.py``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from pydantic import SecretStr
from vault_helpers import SECRET, TOKEN_VALUE, DictKeyring, PlaintextishKeyring

from onna_tui.core.clock import ManualClock
from onna_tui.core.token_rules import RENEWAL_MARGIN, is_fresh, seconds_left
from onna_tui.core.tokens import AccessToken
from onna_tui.storage.keyring.entries import decode_token, encode_token
from onna_tui.storage.keyring.quick import CachedToken, parse_token_entry, read_fresh_token
from onna_tui.storage.keyring.vault import Vault

BASE_URL = "https://api.example.com/v1"
CLIENT_ID = "cid-1"
START = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def _token(**changes: Any) -> AccessToken:
    fields: dict[str, Any] = {
        "access_token": SecretStr(TOKEN_VALUE),
        "token_type": "bearer",
        "expires_in": 3599,
        "issued_at": START,
        "expires_at": START + timedelta(seconds=3599),
    }
    fields.update(changes)
    return AccessToken(**fields)


WRITTEN = {
    "plain": _token(),
    "microseconds": _token(
        issued_at=START.replace(microsecond=123456),
        expires_at=START.replace(microsecond=654321) + timedelta(seconds=3599),
    ),
    "another offset": _token(
        issued_at=START.astimezone(timezone(timedelta(hours=5, minutes=30))),
        expires_at=(START + timedelta(seconds=3599)).astimezone(timezone(timedelta(hours=-3))),
    ),
    "lifetime assumed": _token(lifetime_assumed=True),
    "short-lived": _token(expires_in=40, expires_at=START + timedelta(seconds=40)),
    "another type": _token(token_type="Bearer"),
    "unusual characters": _token(access_token=SecretStr("tok\x1b[2J\u202eé")),
}


def _entry(**changes: Any) -> str:
    data = json.loads(encode_token(WRITTEN["plain"]))
    for key, value in changes.items():
        if value is ...:
            data.pop(key)
        else:
            data[key] = value
    return json.dumps(data)


#: Entries the vault does not read as a token (decode_token is None): neither does the fast path.
UNREADABLE = {
    "missing": None,
    "empty": "",
    "not JSON": "{not json",
    "a list": "[1, 2]",
    "a string": '"tok"',
    "other format": _entry(format=2),
    "no format": _entry(format=...),
    "no access token": _entry(access_token=...),
    "empty access token": _entry(access_token=""),
    "access token a number": _entry(access_token=5),
    "no expires_in": _entry(expires_in=...),
    "expires_in text": _entry(expires_in="soon"),
    "no expires_at": _entry(expires_at=...),
    "naive expires_at": _entry(expires_at="2026-01-01T13:00:00"),
    "naive issued_at": _entry(issued_at="2026-01-01T12:00:00"),
    "garbled date": _entry(expires_at="2026-13-45T99:00:00+00:00"),
}
#: Entries the vault reads by coercing a value (pydantic's lax mode): the fast path leaves
#: them to it rather than guess the same way.
COERCED = {
    "format true": _entry(format=True),
    "format a float": _entry(format=1.0),
    "expires_in a float": _entry(expires_in=3599.0),
    "expires_in a string": _entry(expires_in="3599"),
    "expires_at with Z": _entry(expires_at="2026-01-01T12:59:59Z"),
    "expires_at a timestamp": _entry(expires_at=1767272399),
    "lifetime_assumed a string": _entry(lifetime_assumed="true"),
}


def _fields(token: AccessToken | CachedToken) -> tuple[str, str, int, datetime]:
    value = token.access_token
    secret = value if isinstance(value, str) else value.get_secret_value()
    return secret, token.token_type, token.expires_in, token.expires_at


@pytest.mark.parametrize("case", sorted(WRITTEN))
def test_what_the_vault_writes_is_read_alike(case: str) -> None:
    raw = encode_token(WRITTEN[case])
    full, quick = decode_token(raw), parse_token_entry(raw)
    assert full is not None and quick is not None
    assert _fields(quick) == _fields(full)
    assert quick.expires_at.utcoffset() == full.expires_at.utcoffset()


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_what_the_vault_cannot_read_the_fast_path_cannot_either(case: str) -> None:
    assert decode_token(UNREADABLE[case]) is None
    assert parse_token_entry(UNREADABLE[case]) is None


@pytest.mark.parametrize("case", sorted(COERCED))
def test_what_the_vault_reads_by_coercion_is_left_to_it(case: str) -> None:
    assert decode_token(COERCED[case]) is not None
    assert parse_token_entry(COERCED[case]) is None


def test_an_entry_too_deep_for_json_is_none() -> None:
    assert parse_token_entry("[" * 100_000 + "]" * 100_000) is None


def test_unknown_fields_are_ignored_by_both() -> None:
    raw = _entry(refresh_hint="x", scope=["a"])
    full, quick = decode_token(raw), parse_token_entry(raw)
    assert full is not None and quick is not None and _fields(quick) == _fields(full)


def test_the_repr_never_shows_the_token() -> None:
    quick = parse_token_entry(encode_token(WRITTEN["plain"]))
    assert quick is not None and TOKEN_VALUE not in repr(quick)


@pytest.mark.parametrize("lifetime", [3599, 100, 40, 1])
def test_freshness_and_time_left_follow_the_model(lifetime: int) -> None:
    token = _token(expires_in=lifetime, expires_at=START + timedelta(seconds=lifetime))
    quick = parse_token_entry(encode_token(token))
    assert quick is not None
    clock = ManualClock(START)
    for step in [0, *range(lifetime - 70, lifetime + 3)]:
        clock.set(START + timedelta(seconds=step, microseconds=500_000))
        now = clock()
        assert is_fresh(quick.expires_at, quick.expires_in, now) == token.is_fresh(now)
        assert seconds_left(quick.expires_at, now) == token.seconds_left(now)
    # 60 s margin for an hour's token; half the lifetime for a short one.
    clock.set(token.expires_at - timedelta(seconds=min(RENEWAL_MARGIN, lifetime / 2)))
    assert not is_fresh(quick.expires_at, quick.expires_in, clock())


# ---------------------------------------------------------------- the keyring


@pytest.fixture
def use_backend(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make ``backend`` keyring's own choice (what ``keyring.get_keyring()`` returns)."""

    def use(backend: KeyringBackend) -> KeyringBackend:
        monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
        return backend

    return use


def _store(backend: KeyringBackend, *, secret: bool = True, token: AccessToken | None) -> None:
    vault = Vault(backend, timeout=5.0, allow_insecure=True)
    if secret:
        vault.put_secret(BASE_URL, CLIENT_ID, SecretStr(SECRET))
    if token is not None:
        vault.put_token(BASE_URL, CLIENT_ID, token)


def _read(wanted: bool = True, timeout: float | None = None) -> CachedToken | None:
    return read_fresh_token(BASE_URL, CLIENT_ID, lambda token: wanted, timeout)


def test_reads_the_token_the_vault_stored(use_backend: Any) -> None:
    backend = use_backend(DictKeyring())
    _store(backend, token=WRITTEN["plain"])
    found = _read()
    assert found is not None and _fields(found) == _fields(WRITTEN["plain"])


def test_a_token_the_caller_does_not_want_is_none(use_backend: Any) -> None:
    backend = use_backend(DictKeyring())
    _store(backend, token=WRITTEN["plain"])
    calls = backend.calls
    assert _read(wanted=False) is None
    assert backend.calls == calls + 1  # the secret is not even read


def test_no_token_or_no_secret_is_none(use_backend: Any) -> None:
    backend = use_backend(DictKeyring())
    _store(backend, token=None)
    assert _read() is None
    use_backend(backend := DictKeyring())
    _store(backend, secret=False, token=WRITTEN["plain"])
    assert _read() is None


def test_a_backend_the_vault_refuses_without_an_opt_in_is_not_read(use_backend: Any) -> None:
    backend = use_backend(PlaintextishKeyring())
    _store(backend, token=WRITTEN["plain"])
    calls = backend.calls
    assert _read() is None
    assert backend.calls == calls


def test_no_keyring_is_none(use_backend: Any) -> None:
    use_backend(fail.Keyring())
    assert _read() is None


def test_a_hung_keyring_is_given_up_in_time(use_backend: Any, hanging_keyring: Any) -> None:
    use_backend(hanging_keyring)
    assert _read(timeout=0.2) is None


def test_a_failing_keyring_is_none(use_backend: Any) -> None:
    class Broken(DictKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError(f"cannot read {SECRET}")

    use_backend(Broken())
    assert _read() is None
