"""A client for the sandbox's test-only admin surface (/_sandbox/), over HTTP like any client."""

from __future__ import annotations

from typing import Any

import httpx


class Admin:
    def __init__(self, root_url: str) -> None:
        # The admin surface takes POSTs only as application/json (even without a body).
        self._http = httpx.Client(
            base_url=f"{root_url}/_sandbox",
            timeout=10,
            headers={"Content-Type": "application/json"},
        )

    def fault(self, **spec: Any) -> None:
        self._http.post("/faults", json=spec).raise_for_status()

    def expire_tokens(self) -> None:
        self._http.post("/expire-tokens").raise_for_status()

    def settings(self, **changes: Any) -> dict[str, Any]:
        """Change settings, e.g. ``settings(error_shape="flat")``; returns them all."""
        response = self._http.post("/settings", json=changes)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def error_shape(self, shape: str) -> None:
        """API errors as the JSON:API envelope ("envelope") or one flat object ("flat")."""
        self.settings(error_shape=shape)

    def stats(self) -> dict[str, Any]:
        response = self._http.get("/stats")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    @property
    def exchanges(self) -> int:
        return int(self.stats()["token_exchanges"])

    def close(self) -> None:
        self._http.close()
