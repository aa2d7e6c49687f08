"""The shared HTTP client every resource module calls through: one profile's base URL,
AsyncClient, limits, clock and token manager, and the request rules they share.

Retries: a GET may be retried after 429 or 503, honouring Retry-After, a bounded
number of times. A POST/PATCH/DELETE is never retried after a timeout or a dropped
connection (the workspace may exist already). A 401 is handled by the auth flow
(api.bearer): the refused token is dropped, one new token is minted and the request
is sent once more; a second 401 is an authorization problem. Every request has a
total deadline and a body-size cap (``limits``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from onna_tui.api.bearer import BearerAuth, refused_fresh_token
from onna_tui.api.errors import NotFound, OutcomeUnknown
from onna_tui.api.response_errors import response_error
from onna_tui.api.responses import parse_retry_after
from onna_tui.api.sending import RequestLimits, send
from onna_tui.api.tokens import TokenManager
from onna_tui.core.clock import Clock
from onna_tui.core.errors import ConfigError

#: How long one automatic GET retry may wait; a longer Retry-After is reported instead.
MAX_RETRY_WAIT = 10.0

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class Requester:
    """Sends a path under ``base_url`` with the profile's token and the shared rules."""

    base_url: str
    http: httpx.AsyncClient
    limits: RequestLimits
    clock: Clock
    tokens: TokenManager | None
    get_retries: int
    sleep: Sleep

    def __post_init__(self) -> None:
        self._bearer = BearerAuth(self.tokens) if self.tokens is not None else None

    def require_tokens(self) -> TokenManager:
        if self.tokens is None:
            raise ConfigError(
                "No client credentials are set for this profile. Add them on the "
                "Credentials screen or with `onna-tui profile add`."
            )
        return self.tokens

    def bearer(self) -> BearerAuth:
        """The profile's BearerAuth (a ConfigError when it has no credentials)."""
        self.require_tokens()
        assert self._bearer is not None
        return self._bearer

    async def send(
        self,
        method: str,
        path: str,
        *,
        action: str,
        auth: httpx.Auth | None = None,
        params: dict[str, str] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """A 2xx answer to ``method path``, or the OnnaError saying why not. ``auth``
        defaults to the profile's BearerAuth; pass another (see api.health) to differ.
        ``headers`` and raw ``content`` are for the upload protocol (api.tus)."""
        auth = auth if auth is not None else self.bearer()
        url = f"{self.base_url}{path}"
        attempt = 0
        while True:
            response = await send(
                self.http,
                method,
                url,
                action=action,
                limits=self.limits,
                params=params,
                json=json,
                headers=headers,
                content=content,
                auth=auth,
            )
            retry_wait = self._retry_wait(method, response, attempt)
            if retry_wait is None:
                break
            attempt += 1
            await self.sleep(retry_wait)
        if response.status_code == 401 and isinstance(auth, BearerAuth):
            raise refused_fresh_token(response, action)
        if not 200 <= response.status_code < 300:
            raise response_error(response, action=action, clock=self.clock)
        return response

    def _retry_wait(self, method: str, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying this GET, or None for no retry."""
        if method != "GET" or response.status_code not in (429, 503):
            return None
        if attempt >= self.get_retries:
            return None
        wait = parse_retry_after(response.headers.get("retry-after"), self.clock)
        if wait is None:
            wait = float(2**attempt)
        return wait if wait <= MAX_RETRY_WAIT else None


def segment(onna_id: str, what: str = "workspace") -> str:
    """An id as one path segment (an id with a slash must not change the path)."""
    if onna_id.strip() in {"", ".", ".."}:
        # These would address another URL once dot segments are resolved.
        raise ConfigError(f"{onna_id!r} is not a {what} id. Copy the onna_id from the {what} list.")
    return quote(onna_id, safe="")


@dataclass(frozen=True)
class DeleteOutcome:
    """How a delete ended: ``already_gone`` when a retry found the thing deleted."""

    already_gone: bool = False


async def delete_idempotent(api: Requester, path: str, *, action: str) -> DeleteOutcome:
    """DELETE ``path``, sent once more if the first got no answer.

    A DELETE is idempotent, so one whose connection dropped (or timed out) may be
    repeated; a 404 on that second try means the first one did delete it. A 404 on
    the first try stays NotFound: the id was wrong.
    """
    try:
        await api.send("DELETE", path, action=action)
    except OutcomeUnknown:
        try:
            await api.send("DELETE", path, action=action)
        except NotFound:
            return DeleteOutcome(already_gone=True)
    return DeleteOutcome()
