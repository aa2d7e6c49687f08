"""A test-only keyring backend that keeps entries in one JSON file.

Subprocesses started by the CLI tests select it with
``PYTHON_KEYRING_BACKEND=filekeyring.JsonFileKeyring`` (this directory on
``PYTHONPATH``) and ``ONNA_TEST_KEYRING_FILE=<path>``, so a secret stored by one
``onna-tui`` process is read by the next one without a keyring daemon. It is
plaintext and exists only for tests; it is never installed with the package.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV_FILE = "ONNA_TEST_KEYRING_FILE"


def _path() -> Path:
    value = os.environ.get(ENV_FILE)
    if not value:
        raise RuntimeError(f"{ENV_FILE} is not set")
    return Path(value)


@contextmanager
def _locked() -> Iterator[dict[str, Any]]:
    """The whole store, locked for the duration and written back afterwards."""
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        text = handle.read()
        data: dict[str, Any] = json.loads(text) if text.strip() else {}
        before = json.dumps(data, sort_keys=True)
        yield data
        after = json.dumps(data, sort_keys=True)
        if after != before:
            handle.seek(0)
            handle.truncate()
            handle.write(after)
            handle.flush()


def read_all(path: Path) -> dict[str, dict[str, str]]:
    """Everything stored, as {service: {username: password}} (for assertions)."""
    if not path.exists() or not path.read_text(encoding="utf-8").strip():
        return {}
    data: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return data


class JsonFileKeyring(KeyringBackend):
    """Entries in ``$ONNA_TEST_KEYRING_FILE`` as {service: {username: password}}."""

    # 1 or more: the vault refuses backends it rates "not recommended" (below 1).
    priority = 1  # type: ignore[assignment]
    description = "JSON file (tests only, plaintext)"

    def get_password(self, service: str, username: str) -> str | None:
        with _locked() as data:
            value = data.get(service, {}).get(username)
        return value if isinstance(value, str) else None

    def set_password(self, service: str, username: str, password: str) -> None:
        with _locked() as data:
            data.setdefault(service, {})[username] = password

    def delete_password(self, service: str, username: str) -> None:
        with _locked() as data:
            entries = data.get(service, {})
            if username not in entries:
                raise PasswordDeleteError("no such entry")
            del entries[username]
            if not entries:
                del data[service]


class LockedKeyring(KeyringBackend):
    """A keyring that is there but locked: every entry read or write raises KeyringLocked,
    as keyring's Secret Service backend does when the login collection stays locked."""

    priority = 1  # type: ignore[assignment]
    description = "locked keyring (tests only)"

    def _locked(self) -> None:
        from keyring.errors import KeyringLocked

        raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        self._locked()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._locked()

    def delete_password(self, service: str, username: str) -> None:
        self._locked()
