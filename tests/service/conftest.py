"""Service-layer fixtures: a client on the real loopback sandbox, sharing its clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from onna_tui.api.client import OnnaClient
from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import Credentials


class SleepRecorder:
    """Stands in for asyncio.sleep so retry waits are observed, not waited."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
async def client(
    sandbox_server: Any,
    sandbox_clock: ManualClock,
    sandbox_credentials: Credentials,
    sleeps: SleepRecorder,
) -> AsyncIterator[OnnaClient]:
    """An OnnaClient over real loopback HTTP, on the same manual clock as the sandbox."""
    async with OnnaClient(
        sandbox_server.base_url, sandbox_credentials, clock=sandbox_clock, sleep=sleeps
    ) as api:
        yield api
