"""A keyring backend for the benchmark when no Secret Service is on the session bus.

`run.py` selects it with ``PYTHON_KEYRING_BACKEND=bench_keyring.JsonFileKeyring``
(this directory on ``PYTHONPATH``) and ``ONNA_BENCH_KEYRING_FILE=<path>`` inside
its throwaway directory, so every process of a run (the app, the CLI, the floor)
shares one store without a keyring daemon. Plaintext: benchmark only, never
installed with the package.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV_FILE = "ONNA_BENCH_KEYRING_FILE"


@contextmanager
def _locked() -> Iterator[dict[str, Any]]:
    """The whole store under an exclusive lock, written back if it changed."""
    path = os.environ.get(ENV_FILE)
    if not path:
        raise RuntimeError(f"{ENV_FILE} is not set")
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


class JsonFileKeyring(KeyringBackend):
    """Entries in ``$ONNA_BENCH_KEYRING_FILE`` as {service: {username: password}}."""

    # 1 or more: onna-tui refuses backends rated "not recommended" (below 1) by default.
    priority = 1
    description = "JSON file (benchmark only, plaintext)"

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
