"""The cached token read without pydantic, for the fast path of ``onna-tui token``.

``parse_token_entry`` reads the JSON ``entries.encode_token`` writes and
answers only when ``entries.decode_token`` would read the same token: the
layout exactly as written (a float, a bool for a number, a time in another
spelling… is None). ``read_fresh_token`` reads it from the keyring the Vault
uses, with the same backend policy and time bound, and answers only when the
token is one the caller wants (``wanted``) and the profile's client secret is
there too, as the full path requires. None means "take the full path", which
reports whatever was wrong; nothing here raises or shows a secret.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from onna_tui.storage.keyring.names import (
    TOKEN_FORMAT,
    service_name,
    token_service_name,
    token_username,
)

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

#: ``datetime.isoformat()`` of an aware datetime, as ``encode_token`` writes it.
_ISO = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?[+-][0-9]{2}:[0-9]{2}"
)


class CachedToken:
    """The fields of a cached token that `onna-tui token` prints or judges it by.

    A plain class (a dataclass costs more to define than this path may spend); its
    repr never shows the token.
    """

    __slots__ = ("access_token", "expires_at", "expires_in", "token_type")

    def __init__(
        self, access_token: str, token_type: str, expires_in: int, expires_at: datetime
    ) -> None:
        self.access_token = access_token
        self.token_type = token_type
        self.expires_in = expires_in
        self.expires_at = expires_at

    def __repr__(self) -> str:
        return f"CachedToken(expires_at={self.expires_at.isoformat()!r})"


def _moment(value: object) -> datetime | None:
    if type(value) is not str or not _ISO.fullmatch(value):
        return None
    return datetime.fromisoformat(value)


def parse_token_entry(raw: str | None) -> CachedToken | None:
    """The token in a keyring entry, or None unless it is plainly what we write."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if type(data) is not dict:
        return None
    fmt, access, kind = (
        data.get("format"),
        data.get("access_token"),
        data.get("token_type", "bearer"),
    )
    expires_in, assumed = data.get("expires_in"), data.get("lifetime_assumed", False)
    if type(fmt) is not int or fmt != TOKEN_FORMAT:
        return None
    if type(access) is not str or not access or type(kind) is not str:
        return None
    if type(expires_in) is not int or type(assumed) is not bool:
        return None
    try:
        issued_at, expires_at = _moment(data.get("issued_at")), _moment(data.get("expires_at"))
    except ValueError:  # matched the pattern but is no date (month 13, hour 24, …)
        return None
    if issued_at is None or expires_at is None:
        return None
    return CachedToken(access, kind, expires_in, expires_at)


def read_fresh_token(
    base_url: str,
    client_id: str,
    wanted: Callable[[CachedToken], bool],
    timeout: float | None = None,
    *,
    prompt: bool = True,
) -> CachedToken | None:
    """The profile's cached token when ``wanted`` takes it and its client secret is stored,
    read from keyring's own backend (PYTHON_KEYRING_BACKEND honoured) only if that backend
    is one the Vault uses without an opt-in. None otherwise, and on any keyring failure.

    ``prompt=False`` never asks the person anything: only an unlocked Secret Service
    collection is read (a locked one, or another backend that might prompt, is None)."""
    # Imported here: keyring and the bounded call, only once the config has said yes.
    import keyring

    from onna_tui.storage.keyring.backends import classify_backend
    from onna_tui.storage.keyring.bounded import DEFAULT_TIMEOUT, Shared, call

    def read() -> CachedToken | None:
        backend = keyring.get_keyring()
        info = classify_backend(backend)
        if info.missing or not info.secure:
            return None
        with _reader(backend, prompt) as get_password:
            token = parse_token_entry(
                get_password(token_service_name(base_url), token_username(client_id))
            )
            if token is None or not wanted(token):
                return None
            if not get_password(service_name(base_url), client_id):
                return None  # no client secret: the full path says how to store one
            return token

    try:
        return call(
            Shared(),
            DEFAULT_TIMEOUT if timeout is None else timeout,
            "read the cached access token",
            read,
        )
    except Exception:  # VaultError, a timeout, anything unforeseen: the full path decides
        return None


_SECRET_SERVICE = "keyring.backends.SecretService.Keyring"


def _nothing(service: str, username: str) -> None:
    return None


def _collection(backend: KeyringBackend, prompt: bool) -> Any:
    """The backend's collection (``get_preferred_collection``, which may prompt to unlock
    it); without ``prompt``, the same collection if it is unlocked, else None."""
    if prompt:
        return backend.get_preferred_collection()  # type: ignore[attr-defined]
    import secretstorage

    bus = secretstorage.dbus_init()
    try:
        # The default collection is never created here (that may prompt): a missing one
        # raises, and the caller answers None.
        preferred = getattr(backend, "preferred_collection", None)
        collection = (
            secretstorage.Collection(bus, preferred) if preferred else secretstorage.Collection(bus)
        )
        if not collection.is_locked():
            return collection
    except BaseException:
        bus.close()
        raise
    bus.close()
    return None


@contextmanager
def _reader(
    backend: KeyringBackend, prompt: bool = True
) -> Iterator[Callable[[str, str], str | None]]:
    """``backend.get_password``, except that on the Secret Service both reads share one
    D-Bus connection and one encrypted session (each ``get_password`` opens its own, which
    costs about as much as the rest of the fast path). Without ``prompt``, a backend
    that may ask the person (anything but an unlocked Secret Service) reads nothing."""
    from onna_tui.storage.keyring.backends import qualname

    if qualname(backend) != _SECRET_SERVICE:
        yield backend.get_password if prompt else _nothing
        return
    # What keyring's SecretService.Keyring.get_password does, on one collection.
    collection = _collection(backend, prompt)
    if collection is None:  # locked, and no prompt wanted
        yield _nothing
        return
    query: Callable[..., dict[str, str]] = backend._query  # type: ignore[attr-defined]
    unlock: Callable[[Any], None] = backend.unlock  # type: ignore[attr-defined]

    def get_password(service: str, username: str) -> str | None:
        for item in collection.search_items(query(service, username)):
            if not prompt and item.is_locked():
                return None
            unlock(item)
            value: str = item.get_secret().decode("utf-8")
            collection.session = item.session  # the next item found reuses the session
            return value
        return None

    with closing(collection.connection):
        yield get_password
