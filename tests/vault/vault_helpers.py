"""Test doubles shared by the vault, config and profile tests (imported as a plain module)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import keyring.errors
from keyring.backend import KeyringBackend
from pydantic import SecretStr

from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import AccessToken

ONNA_ENV = ("ONNA_PROFILE", "ONNA_CLIENT_ID", "ONNA_CLIENT_SECRET", "ONNA_BASE_URL")
#: A value that must never show up in a file, message or repr.
SECRET = "s3cr3t-VALUE-never-shown-8f2c"
TOKEN_VALUE = "tok-VALUE-never-shown-1a2b3c4d"


class DictKeyring(KeyringBackend):
    """A plain in-memory backend that is *not* MemoryKeyring: stands in for a real keyring."""

    priority: float = 5
    viable = False  # never picked by keyring's autodetection
    description = "test dict keyring"

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.items: dict[tuple[str, str], str] = {}
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls += 1
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("No such password!")


class PlaintextishKeyring(DictKeyring):
    """Rates itself "not recommended" (priority < 1), like keyrings.alt's file backends."""

    priority = 0.5
    description = "plaintext-ish test keyring"


class HangingKeyring(KeyringBackend):
    """Every call blocks until ``release`` is set: a keyring stuck on an invisible prompt."""

    priority = 5
    viable = False

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.release = threading.Event()

    def _block(self) -> None:
        self.release.wait(30)

    def get_password(self, service: str, username: str) -> str | None:
        self._block()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._block()

    def delete_password(self, service: str, username: str) -> None:
        self._block()


class RaisingKeyring(KeyringBackend):
    """Every call raises the exception made by ``factory`` (given the password, if any)."""

    priority = 5
    viable = False

    def __init__(self, factory: Callable[[str | None], BaseException]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.factory = factory

    def get_password(self, service: str, username: str) -> str | None:
        raise self.factory(None)

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.factory(password)

    def delete_password(self, service: str, username: str) -> None:
        raise self.factory(None)


def make_token(clock: ManualClock, value: str = TOKEN_VALUE, lifetime: int = 3599) -> AccessToken:
    now = clock()
    return AccessToken(
        access_token=SecretStr(value),
        token_type="bearer",
        expires_in=lifetime,
        issued_at=now,
        expires_at=now + timedelta(seconds=lifetime),
    )
