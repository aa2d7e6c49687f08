"""The base of every wire model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """Base of every model read from the network: tolerant of extra fields."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
