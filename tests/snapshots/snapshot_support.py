"""The seeded stand-in for the sandbox's random values, shared by the snapshot tests."""

from __future__ import annotations

import base64
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest

#: The start of every secret and token the seeded sandbox hands out.
SECRET_MARK = "SNAPSECRET"
SNAPSHOTS = Path(__file__).parent / "__snapshots__"

T = TypeVar("T")


class SeededSecrets:
    """Stands in for the sandbox's random source (``sandbox.randomness``): same calls, seeded.

    The snapshot tests make it the default source, since the app builds its
    sandbox state without passing one.
    """

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def token_bytes(self, nbytes: int = 32) -> bytes:
        return self._random.randbytes(nbytes)

    def token_hex(self, nbytes: int = 32) -> str:
        return self.token_bytes(nbytes).hex()

    def token_urlsafe(self, nbytes: int = 32) -> str:
        # Same length as the real thing, marked so a leak is easy to find.
        filler = base64.urlsafe_b64encode(self.token_bytes(nbytes)).rstrip(b"=").decode()
        return (SECRET_MARK + filler)[: len(filler)]

    def choice(self, seq: Sequence[T]) -> T:
        return self._random.choice(seq)


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def settle(pilot: Any, rounds: int = 4) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def quiet(pilot: Any) -> None:
    """Settle, then drop the toasts: their timing is not part of a screen's look."""
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


async def with_token(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("n")
    await quiet(pilot)
