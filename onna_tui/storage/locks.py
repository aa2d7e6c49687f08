"""Cross-process locks, all through the ``filelock`` library.

Two users:

* ``mint_lock``: processes that share a token cache (the TUI, `onna-tui token`
  in a loop, several terminals) make one exchange between them instead of one
  each when they all find the cache empty at once. The lock file lives in the
  user's cache directory, named by a hash of the profile's base URL and client
  id (never a secret). Waiting polls without blocking the event loop and gives
  up after a bound: a stale lock, or a file system that cannot lock, only costs
  an extra exchange, never a hang.
* ``hold`` / ``ahold``: the lock around every change to config.toml (see
  storage.config_file.ConfigStore), so two processes never overwrite each other's
  changes. Waiting is bounded there too; a lock still busy at the deadline
  raises LockBusy, which the caller turns into a message.

``filelock`` picks the mechanism for the platform (``flock`` on Unix, a locked
file on Windows), and an OS lock ends with the process that held it, so a
crash never leaves a lock behind. Each acquisition uses its own lock object:
two holders in one process (two threads, or two asyncio tasks) exclude each
other just as two processes do.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from onna_tui.errors import ExitCode, OnnaTuiError

if TYPE_CHECKING:
    from filelock import BaseFileLock

#: How long a process waits for another one's exchange before minting its own.
DEFAULT_WAIT = 15.0
_POLL = 0.05


class LockBusy(OnnaTuiError):
    """Another holder kept the lock past the wait (callers turn it into their own message)."""

    title = "Busy"
    exit_code = ExitCode.STORAGE

    def __init__(self, path: Path, waited: float) -> None:
        super().__init__(f"{path} stayed locked for {waited:g} s")
        self.path = path
        self.waited = waited


def lock_dir() -> Path:
    override = os.environ.get("ONNA_TUI_LOCK_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("onna-tui")) / "locks"


def lock_path(base_url: str, client_id: str) -> Path:
    digest = hashlib.sha256(f"{base_url}\n{client_id}".encode()).hexdigest()[:24]
    return lock_dir() / f"mint-{digest}.lock"


def _new_lock(path: Path) -> BaseFileLock:
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return FileLock(path, mode=0o600)


def _try(lock: BaseFileLock) -> bool:
    """One attempt that never waits: True when held now."""
    from filelock import Timeout

    try:
        lock.acquire(timeout=0)
    except Timeout:
        return False
    return True


@contextlib.contextmanager
def hold(path: Path, wait: float) -> Iterator[None]:
    """Hold the lock at ``path`` while the body runs (blocking; for worker threads and the CLI).

    Raises LockBusy when another holder keeps it for ``wait`` seconds, and
    OSError when the lock file cannot be created.
    """
    from filelock import Timeout

    lock = _new_lock(path)
    try:
        lock.acquire(timeout=wait, poll_interval=_POLL)
    except Timeout:
        raise LockBusy(path, wait) from None
    try:
        yield
    finally:
        lock.release()


@contextlib.asynccontextmanager
async def ahold(path: Path, wait: float) -> AsyncIterator[None]:
    """``hold`` for the event loop: waiting polls with ``asyncio.sleep``, never blocking it.

    The lock is taken and released on the event loop's thread, so the body may
    hand work to other threads freely.
    """
    lock = _new_lock(path)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while not _try(lock):
        if loop.time() >= deadline:
            raise LockBusy(path, wait)
        await asyncio.sleep(_POLL)
    try:
        yield
    finally:
        lock.release()


@contextlib.asynccontextmanager
async def mint_lock(path: Path, wait: float = DEFAULT_WAIT) -> AsyncIterator[bool]:
    """Hold the lock at ``path`` while the body runs; yields whether it was obtained.

    Never raises for the lock's sake: a lock that cannot be made or is still
    busy after ``wait`` seconds yields False, and the caller mints anyway.
    """
    try:
        lock = _new_lock(path)
    except (OSError, ImportError):
        yield False
        return
    held = False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        try:
            held = _try(lock)
        except Exception:  # a file system that cannot lock, a vanished directory, ...
            break
        if held or loop.time() >= deadline:
            break
        await asyncio.sleep(_POLL)
    try:
        yield held
    finally:
        if held:
            with contextlib.suppress(Exception):
                lock.release()
