"""GET /health."""

from __future__ import annotations

from onna_tui.core.wire.base import WireModel


class Health(WireModel):
    """GET /health 200 body."""

    status: str
    version: str
    release_id: str

    @property
    def passing(self) -> bool:
        return self.status.lower() == "pass"
