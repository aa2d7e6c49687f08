"""The bounded keyring call: every call runs in a daemon thread and is given up in time.

A locked keyring waiting on an invisible password prompt, or a D-Bus daemon
that stopped answering, must never hang the CLI or freeze the TUI, so a call
that has not answered within ``timeout`` seconds raises KeyringTimeout. The
threads are daemon threads (not a ThreadPoolExecutor, not ``asyncio.to_thread``)
because a hung call must not keep the process alive at exit either — Python
3.11 joins executor threads at shutdown without a time limit. While a call
that timed out is still stuck, new calls fail fast instead of piling up more
threads. asyncio is imported by ``acall`` only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from keyring.backend import KeyringBackend

from onna_tui.storage.keyring.backends import BackendInfo
from onna_tui.storage.keyring.errors import KeyringTimeout, translate_error

T = TypeVar("T")

#: How long a keyring call may take before it is given up (seconds).
DEFAULT_TIMEOUT = 5.0


@dataclass
class _Outcome:
    value: Any = None
    error: BaseException | None = None


@dataclass
class Shared:
    """State shared by a Vault and its ``allowing_insecure`` copies."""

    backend: KeyringBackend | None = None
    info: BackendInfo | None = None
    #: A call that timed out may still be stuck (say, on a password prompt).
    #: While it is, new calls fail fast instead of piling up more threads.
    stuck: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _run(fn: Callable[[], Any]) -> _Outcome:
    try:
        return _Outcome(value=fn())
    except BaseException as exc:
        return _Outcome(error=exc)


def _check_not_stuck(shared: Shared, action: str) -> None:
    stuck = shared.stuck
    if stuck is not None and stuck.is_alive():
        raise KeyringTimeout(
            f"The keyring is still not answering an earlier request, so onna-tui could not "
            f"{action}. Is it waiting for a password prompt? Unlock your keyring and try again."
        )


def _timeout_error(timeout: float, action: str) -> KeyringTimeout:
    return KeyringTimeout(
        f"The keyring did not answer within {timeout:g} s while onna-tui tried to "
        f"{action}. Is it waiting for a password prompt? Unlock your keyring (or end a "
        "hung keyring daemon) and try again."
    )


def call(
    shared: Shared,
    timeout: float,
    action: str,
    fn: Callable[[], T],
    secrets: tuple[str, ...] = (),
) -> T:
    """Run ``fn`` in a daemon thread; give up after ``timeout`` seconds."""
    _check_not_stuck(shared, action)
    done = threading.Event()
    box: list[_Outcome] = []

    def worker() -> None:
        box.append(_run(fn))
        done.set()

    thread = threading.Thread(target=worker, name="onna-tui-keyring", daemon=True)
    thread.start()
    if not done.wait(timeout):
        shared.stuck = thread
        raise _timeout_error(timeout, action)
    outcome = box[0]
    if outcome.error is not None:
        raise translate_error(outcome.error, action, secrets) from None
    return outcome.value  # type: ignore[no-any-return]


async def acall(
    shared: Shared,
    timeout: float,
    action: str,
    fn: Callable[[], T],
    secrets: tuple[str, ...] = (),
) -> T:
    """The async twin of ``call``: awaits a daemon thread, never blocks the event loop."""
    import asyncio  # here: the synchronous fast path of `onna-tui token` does without it

    _check_not_stuck(shared, action)
    loop = asyncio.get_running_loop()
    future: asyncio.Future[_Outcome] = loop.create_future()

    def deliver(outcome: _Outcome) -> None:
        if not future.done():
            future.set_result(outcome)

    def worker() -> None:
        outcome = _run(fn)
        try:
            loop.call_soon_threadsafe(deliver, outcome)
        except RuntimeError:
            pass  # the loop closed while the keyring was busy: nobody is waiting

    thread = threading.Thread(target=worker, name="onna-tui-keyring", daemon=True)
    thread.start()
    try:
        outcome = await asyncio.wait_for(future, timeout)
    except TimeoutError:
        shared.stuck = thread
        raise _timeout_error(timeout, action) from None
    if outcome.error is not None:
        raise translate_error(outcome.error, action, secrets) from None
    return outcome.value  # type: ignore[no-any-return]
