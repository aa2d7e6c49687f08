"""Sending one request within a total deadline and a body-size cap.

httpx's own timeouts bound each phase (connect, each read, each write), but its read
timeout restarts with every byte, so a server that trickles one byte every few
seconds would hold a request forever; and a response body is buffered whole. Every
request therefore goes through ``send``: a deadline covers connecting, the headers
and the whole body, and the body is read in chunks and abandoned past a cap.

When an auth flow (api.bearer) sends a request again, each attempt gets the whole
deadline, time spent getting a token does not count (the token exchange has its own),
and a refused attempt's body is read within the cap too: see ``Attempts``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import httpx

from onna_tui.api.errors import BadResponse
from onna_tui.api.policy import DEFAULT_DEADLINE, MAX_BODY_BYTES
from onna_tui.api.transport_errors import timed_out, too_large, transport_error, undecodable


@dataclass(frozen=True)
class RequestLimits:
    """The bounds every request is sent with (tests pass small ones)."""

    #: Seconds for the whole request: connect, send, headers and the whole body.
    deadline: float = DEFAULT_DEADLINE
    #: Bytes of (decoded) response body read before giving up.
    max_body: int = MAX_BODY_BYTES


DEFAULT_LIMITS = RequestLimits()

#: Where ``send`` leaves a request's Attempts for its auth flow.
ATTEMPTS = "onna_tui.attempts"


async def _read_body(response: httpx.Response, max_body: int) -> bytes:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    declared = response.headers.get("content-length", "").strip()
    if encoding in ("", "identity") and declared.isdigit() and int(declared) > max_body:
        raise too_large(response, max_body)
    chunks: list[bytes] = []
    total = 0
    # Decoded bytes are counted, so a small gzip bomb is stopped too.
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > max_body:
            raise too_large(response, max_body)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_answer(response: httpx.Response, max_body: int) -> bytes:
    """A streamed response's decoded body, or BadResponse (too large, undecodable)."""
    try:
        return await _read_body(response, max_body)
    except httpx.DecodingError:
        raise undecodable(response) from None


class Attempts:
    """The deadline and cap of one ``send``, as its auth flow sees them."""

    def __init__(self, window: asyncio.Timeout, limits: RequestLimits) -> None:
        self._window = window
        self._limits = limits

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Token work inside: it does not count, and the next attempt has the whole deadline."""
        self._window.reschedule(None)
        try:
            yield
        finally:
            loop = asyncio.get_running_loop()
            self._window.reschedule(loop.time() + self._limits.deadline)

    async def read_refused(self, response: httpx.Response) -> None:
        """Read a refused attempt's body within the cap, before it is sent again. httpx
        reads such a body whole itself unless it is there already."""
        response._content = await read_answer(response, self._limits.max_body)


def _attempts_of(request: httpx.Request) -> Attempts | None:
    found = request.extensions.get(ATTEMPTS)
    return found if isinstance(found, Attempts) else None


def paused(request: httpx.Request) -> AbstractContextManager[None]:
    """For an auth flow's token work on ``request``: outside its deadline (see Attempts)."""
    attempts = _attempts_of(request)
    return attempts.paused() if attempts is not None else nullcontext()


async def read_refused(response: httpx.Response) -> None:
    """For an auth flow: read a refused answer's body (within the cap under ``send``)."""
    attempts = _attempts_of(response.request)
    if attempts is not None:
        await attempts.read_refused(response)
    else:
        await response.aread()


_DROPPED_HEADERS = {b"content-encoding", b"content-length", b"transfer-encoding"}


async def send(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    action: str,
    limits: RequestLimits = DEFAULT_LIMITS,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    json: Any = None,
    data: dict[str, str] | None = None,
    content: bytes | None = None,
    auth: httpx.Auth | None = None,
) -> httpx.Response:
    """One request within ``limits``: the answer, read whole, or an OnnaError saying why
    there is none (transport failure, deadline, too large, undecodable). ``auth`` (see
    api.bearer) may send it again; each attempt then has the whole deadline."""
    try:
        request = http.build_request(
            method, url, headers=headers, params=params, json=json, data=data, content=content
        )
    except httpx.InvalidURL:
        raise BadResponse(
            f"The URL to {action} is not valid (too long, or with characters a URL cannot "
            "hold); check the base URL and any id you gave."
        ) from None
    try:
        async with asyncio.timeout(limits.deadline) as window:
            request.extensions[ATTEMPTS] = Attempts(window, limits)
            response = await http.send(
                request, stream=True, auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT
            )
            try:
                content = await read_answer(response, limits.max_body)
            finally:
                await response.aclose()
    except TimeoutError:
        raise timed_out(method, url, action, deadline=limits.deadline) from None
    except httpx.HTTPError as exc:
        raise transport_error(exc, method, url, action=action) from None
    # The body is decoded already: hand it on without the headers that described
    # its encoding on the wire.
    kept = [(k, v) for k, v in response.headers.raw if k.lower() not in _DROPPED_HEADERS]
    return httpx.Response(
        response.status_code,
        headers=kept,
        content=content,
        request=request,
        extensions=response.extensions,
    )
