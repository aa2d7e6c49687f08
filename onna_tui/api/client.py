"""The Onna Platform API calls we make: health, current user, and workspaces.

``OnnaClient`` takes its collaborators in the constructor — base URL,
credentials, token cache, httpx transport or client, clock, sleep — so tests
can point it at the sandbox (over loopback or in-process) and move time by hand.

Retries: a GET may be retried after 429 or 503, honouring Retry-After, a
bounded number of times. A POST/PATCH/DELETE is never retried after a timeout
or a dropped connection (the workspace may exist already). A 401 on any call
drops the refused token from the shared cache (so no process hands it out
again), mints one new token and retries once; a second 401 is an authorization
problem. /health sends the token at hand, if any, and never mints for it.
Every request has a total deadline and a body-size cap (``limits``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import quote

import httpx

from onna_tui.api.cache import TokenCache
from onna_tui.api.errors import HealthNeedsToken, PaginationError, Unauthorized
from onna_tui.api.http import (
    DEFAULT_LIMITS,
    RequestLimits,
    make_http_client,
    parse_model,
    parse_retry_after,
    request_id_of,
    response_error,
    send,
)
from onna_tui.api.tokens import TokenManager
from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.errors import ConfigError
from onna_tui.core.token_rules import RENEWAL_MARGIN
from onna_tui.core.tokens import AccessToken, Credentials
from onna_tui.core.urls import host_of, normalize_base_url
from onna_tui.core.wire.auth import CurrentUser
from onna_tui.core.wire.health import Health
from onna_tui.core.wire.workspaces import (
    CreatedWorkspace,
    Page,
    PageItem,
    Workspace,
    WorkspaceDraft,
    WorkspaceUpdate,
)

#: How long one automatic GET retry may wait; a longer Retry-After is reported instead.
MAX_RETRY_WAIT = 10.0
#: Safety stop for servers whose cursors never end.
DEFAULT_PAGE_LIMIT = 1000

Sleep = Callable[[float], Awaitable[None]]


class OnnaClient:
    """One profile's view of the API: a base URL, credentials and their token manager."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials | None,
        *,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        token_cache: TokenCache | None = None,
        clock: Clock = system_clock,
        margin: float = RENEWAL_MARGIN,
        renew_early: bool = True,
        get_retries: int = 2,
        sleep: Sleep = asyncio.sleep,
        limits: RequestLimits = DEFAULT_LIMITS,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        #: The deadline and body-size cap of every request (see api.http.send).
        self.limits = limits
        self._owns_http = http is None
        self.http = http if http is not None else make_http_client(transport)
        self.clock = clock
        self.get_retries = get_retries
        self._sleep = sleep
        self.credentials = credentials
        self.tokens: TokenManager | None = (
            TokenManager(
                http=self.http,
                base_url=self.base_url,
                credentials=credentials,
                cache=token_cache,
                clock=clock,
                margin=margin,
                renew_early=renew_early,
                limits=limits,
            )
            if credentials is not None
            else None
        )

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> OnnaClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---------------------------------------------------------------- calls

    async def health(self) -> Health:
        """GET /health. The document's global security covers it and its sample sends a
        bearer token, so the token at hand goes along when there is one; none is minted
        just for this. A 401 is HealthNeedsToken, not an outage."""
        response = await self._send("GET", "/health", action="check the API health", auth=None)
        return parse_model(Health, response)

    async def current_user(self) -> CurrentUser:
        """GET /oauth/user: who the token belongs to."""
        response = await self._send("GET", "/oauth/user", action="read the current user")
        return parse_model(CurrentUser, response)

    async def list_workspaces_page(self, cursor: str | None = None) -> Page:
        """One page of GET /workspaces; pass the previous page's cursor for the next."""
        params = {"cursor": cursor} if cursor else None
        response = await self._send("GET", "/workspaces", action="list workspaces", params=params)
        return parse_model(Page, response)

    async def iter_workspaces(
        self, *, page_limit: int = DEFAULT_PAGE_LIMIT
    ) -> AsyncIterator[PageItem]:
        """Every workspace, following cursors until a page has none.

        A server that repeats a cursor, or pages past ``page_limit``, is stopped
        with a PaginationError instead of looping forever."""
        seen: set[str] = set()
        cursor: str | None = None
        pages = 0
        while True:
            page = await self.list_workspaces_page(cursor)
            pages += 1
            for item in page.items:
                yield item
            if not page.cursor:
                return
            if page.cursor in seen:
                raise PaginationError(
                    "The server sent a page cursor it had already sent, so the workspace list "
                    "would never end; stopped after "
                    f"{pages} pages. The list shown may be incomplete."
                )
            if pages >= page_limit:
                raise PaginationError(
                    f"Stopped listing workspaces after {page_limit} pages: the server kept "
                    "sending more. The list shown may be incomplete."
                )
            seen.add(page.cursor)
            cursor = page.cursor

    async def create_workspace(self, draft: WorkspaceDraft) -> CreatedWorkspace:
        """POST /workspaces. Never retried after a timeout or dropped connection."""
        response = await self._send(
            "POST", "/workspaces", action="create the workspace", json=draft.to_wire()
        )
        return parse_model(CreatedWorkspace, response)

    async def get_workspace(self, onna_id: str) -> Workspace:
        response = await self._send(
            "GET", f"/workspaces/{_segment(onna_id)}", action=f"read workspace {onna_id}"
        )
        return parse_model(Workspace, response)

    async def update_workspace(self, onna_id: str, update: WorkspaceUpdate) -> None:
        await self._send(
            "PATCH",
            f"/workspaces/{_segment(onna_id)}",
            action=f"update workspace {onna_id}",
            json=update.to_wire(),
        )

    async def delete_workspace(self, onna_id: str) -> None:
        await self._send(
            "DELETE", f"/workspaces/{_segment(onna_id)}", action=f"delete workspace {onna_id}"
        )

    # ------------------------------------------------------------- plumbing

    def require_tokens(self) -> TokenManager:
        if self.tokens is None:
            raise ConfigError(
                "No client credentials are set for this profile. Add them on the "
                "Credentials screen or with `onna-tui profile add`."
            )
        return self.tokens

    async def _send(
        self,
        method: str,
        path: str,
        *,
        action: str,
        auth: bool | None = True,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """``auth``: True for a token (minted if needed), None for the token at hand if
        any (see health), False for none."""
        url = f"{self.base_url}{path}"
        attempt = 0
        while True:
            response = await self._send_once(method, url, action, auth, params, json)
            retry_wait = self._retry_wait(method, response, attempt)
            if retry_wait is None:
                break
            attempt += 1
            await self._sleep(retry_wait)
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

    async def _send_once(
        self,
        method: str,
        url: str,
        action: str,
        auth: bool | None,
        params: dict[str, str] | None,
        json: Any,
    ) -> httpx.Response:
        if auth is None:
            return await self._send_with_token_at_hand(method, url, action, params, json)
        if not auth:
            return await self._request(method, url, action, None, params, json)
        tokens = self.require_tokens()
        token = await tokens.get()
        response = await self._request(method, url, action, token, params, json)
        if response.status_code != 401:
            return response
        # Expired or revoked early: mint once and retry once.
        await tokens.invalidate(token)
        fresh = await tokens.get()
        response = await self._request(method, url, action, fresh, params, json)
        if response.status_code == 401:
            raise Unauthorized(
                f"Onna accepted the client credentials and issued a new token, but refused "
                f"that token when trying to {action}: these credentials are not authorized "
                "for this call (this is not an expiry). Ask an Onna admin to check the "
                "developer role and permissions of the user who owns these credentials.",
                status=401,
                request_id=request_id_of(response),
            )
        return response

    async def _send_with_token_at_hand(
        self,
        method: str,
        url: str,
        action: str,
        params: dict[str, str] | None,
        json: Any,
    ) -> httpx.Response:
        token = await self.tokens.at_hand() if self.tokens is not None else None
        response = await self._request(method, url, action, token, params, json)
        if response.status_code != 401:
            return response
        host = host_of(url)
        if token is None:
            raise HealthNeedsToken(
                f"{host} answered the health check with 401: health needs a token there, "
                "and none is at hand. Get one (`onna-tui token`, or n on the Token screen) "
                "and check again; this is not an outage.",
                status=401,
                request_id=request_id_of(response),
            )
        await self.require_tokens().invalidate(token)
        raise HealthNeedsToken(
            f"{host} answered the health check with 401: health needs a valid token there, "
            "and it refused the one at hand (revoked or expired at the server). It has been "
            "dropped; get a new token and check again. This is not an outage.",
            status=401,
            request_id=request_id_of(response),
        )

    async def _request(
        self,
        method: str,
        url: str,
        action: str,
        token: AccessToken | None,
        params: dict[str, str] | None,
        json: Any,
    ) -> httpx.Response:
        headers = {"Authorization": token.authorization_header()} if token else None
        return await send(
            self.http,
            method,
            url,
            action=action,
            limits=self.limits,
            headers=headers,
            params=params,
            json=json,
        )


def _segment(onna_id: str) -> str:
    """An onna_id as one path segment (an id with a slash must not change the path)."""
    if onna_id.strip() in {"", ".", ".."}:
        # These would address another URL once dot segments are resolved.
        raise ConfigError(
            f"{onna_id!r} is not a workspace id. Copy the onna_id from the workspace list."
        )
    return quote(onna_id, safe="")
