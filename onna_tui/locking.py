"""A cross-process lock around minting, so processes that share a token cache
(the TUI, `onna-tui token` in a loop, several terminals) make one exchange
between them instead of one each when they all find the cache empty at once.

It is an advisory ``flock`` on a small file in the user's cache directory,
named by a hash of the profile's base URL and client id (never a secret).
Waiting polls without blocking the event loop and gives up after a bound: a
stale lock or a platform without ``fcntl`` only costs an extra exchange,
never a hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks here; minting just is not shared
    fcntl = None  # type: ignore[assignment]

#: How long a process waits for another one's exchange before minting its own.
DEFAULT_WAIT = 15.0
_POLL = 0.05


def lock_dir() -> Path:
    override = os.environ.get("ONNA_TUI_LOCK_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("onna-tui")) / "locks"


def lock_path(base_url: str, client_id: str) -> Path:
    digest = hashlib.sha256(f"{base_url}\n{client_id}".encode()).hexdigest()[:24]
    return lock_dir() / f"mint-{digest}.lock"


@contextlib.asynccontextmanager
async def mint_lock(path: Path, wait: float = DEFAULT_WAIT) -> AsyncIterator[bool]:
    """Hold the lock at ``path`` while the body runs; yields whether it was obtained."""
    if fcntl is None:
        yield False
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield False
        return
    held = False
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except BlockingIOError:
                if loop.time() >= deadline:
                    break
                await asyncio.sleep(_POLL)
            except OSError:
                break
        yield held
    finally:
        if held:
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
