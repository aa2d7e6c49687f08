"""GET /oauth/user: who the token belongs to."""

from __future__ import annotations

from onna_tui.api.requester import Requester
from onna_tui.api.responses import parse_model
from onna_tui.core.wire.auth import CurrentUser


async def current_user(api: Requester) -> CurrentUser:
    """The user the profile's credentials act as."""
    response = await api.send("GET", "/oauth/user", action="read the current user")
    return parse_model(CurrentUser, response)
