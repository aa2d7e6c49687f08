"""Service-layer fixtures: a client on the real loopback sandbox, sharing its clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from onna_tui.clock import ManualClock
from onna_tui.models import Credentials
from onna_tui.service.client import OnnaClient


class Admin:
    """The sandbox's test-only admin surface (/_sandbox/), over HTTP like any client."""

    def __init__(self, root_url: str) -> None:
        self._http = httpx.Client(base_url=f"{root_url}/_sandbox", timeout=10)

    def fault(self, **spec: Any) -> None:
        self._http.post("/faults", json=spec).raise_for_status()

    def expire_tokens(self) -> None:
        self._http.post("/expire-tokens").raise_for_status()

    def stats(self) -> dict[str, Any]:
        response = self._http.get("/stats")
        response.raise_for_status()
        return response.json()

    @property
    def exchanges(self) -> int:
        return int(self.stats()["token_exchanges"])

    def close(self) -> None:
        self._http.close()


@pytest.fixture
def admin(sandbox_server: Any) -> Any:
    api = Admin(sandbox_server.root_url)
    yield api
    api.close()


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
