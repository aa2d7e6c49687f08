"""The sandbox's request counters: what tests assert on. No locking here."""

from __future__ import annotations

from collections import Counter


class RequestStats:
    """Token exchanges and /v1 requests (in all and by route) since start or the last reset."""

    def __init__(self) -> None:
        self.token_exchanges = 0
        self.requests = 0
        self.by_route: Counter[str] = Counter()

    def record(self, route: str) -> None:
        self.requests += 1
        self.by_route[route] += 1

    def reset(self) -> None:
        self.token_exchanges = 0
        self.requests = 0
        self.by_route.clear()
