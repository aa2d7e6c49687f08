"""What wraps every request: Host check, request ids, body timeout, faults, counting."""

from __future__ import annotations

import asyncio
import logging
import uuid

from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onna_tui.core.urls import is_loopback_host
from onna_tui.sandbox.faults import (
    MALFORMED_BODY,
    WRONG_SHAPE_BODY,
    ConnectionDropped,
    Fault,
)
from onna_tui.sandbox.state import (
    SandboxState,
)
from onna_tui.sandbox.web.admin import host_name, is_ip_literal
from onna_tui.sandbox.web.common import (
    DEFAULT_BODY_TIMEOUT,
    REQUEST_ID_RE,
    STANDARD_METHODS,
    UNKNOWN_ROUTE_KEY,
    ApiError,
    JSONResponse,
    RequestTimeout,
    default_error_body,
    error_document,
    error_shape,
    is_admin_path,
    is_api_path,
    jsonapi_error,
)

logger = logging.getLogger("onna_tui.sandbox")


def _set_header(headers: list[tuple[bytes, bytes]], name: str, value: str) -> None:
    key = name.lower().encode("latin-1")
    headers[:] = [(k, v) for k, v in headers if k.lower() != key]
    headers.append((key, value.encode("latin-1")))


class _TrackedReceive:
    """A receive callable that knows whether the request body has been read to its end.

    It also bounds how long the body may take: past ``timeout`` seconds from
    the first read (so a ``latency`` fault before it does not count), waiting
    for more of it raises RequestTimeout, and a client trickling its body
    cannot hold the request open. What has already arrived is always read.
    """

    def __init__(self, receive: Receive, timeout: float | None = None) -> None:
        self._receive = receive
        self._timeout = timeout
        self._deadline: float | None = None
        self.body_complete = False

    async def __call__(self) -> Message:
        if self.body_complete or self._timeout is None:
            message = await self._receive()
        else:
            if self._deadline is None:
                self._deadline = asyncio.get_running_loop().time() + self._timeout
            try:
                async with asyncio.timeout_at(self._deadline):
                    message = await self._receive()
            except TimeoutError:
                raise RequestTimeout(self._timeout) from None
        if message["type"] != "http.request" or not message.get("more_body", False):
            self.body_complete = True
        return message

    async def drain(self) -> None:
        """Read whatever is left of the body.

        Closing a socket with unread bytes makes the kernel send RST instead of
        FIN, and the client would then see "connection reset" (httpx.ReadError)
        rather than a truncated response, depending on timing. Only called
        while the body is incomplete: once it is, receive() waits for the
        client to disconnect.
        """
        while not self.body_complete:
            await self()


class _CutReceive:
    """A receive that hands on only the first ``limit`` body bytes, then drops the connection."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self._left = limit
        self._cut = False

    async def __call__(self) -> Message:
        if self._cut:
            raise ConnectionDropped("sandbox fault: connection dropped mid-request")
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        body = message.get("body", b"")
        if len(body) < self._left or (len(body) == self._left and not message.get("more_body")):
            self._left -= len(body)
            return message
        self._cut = True
        return {"type": "http.request", "body": body[: self._left], "more_body": True}


def _cut_limit(scope: Scope, fault: Fault) -> int:
    if fault.drop_after_bytes is not None:
        return fault.drop_after_bytes
    declared = dict(scope.get("headers") or []).get(b"content-length", b"0").decode("latin-1")
    return int(declared) // 2 if declared.isdigit() else 0


async def _drop(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    """Start a response, promise more bytes than are sent, then abort.

    uvicorn closes the socket when the app raises after the response started,
    so the client sees a truncated message (httpx: RemoteProtocolError).
    """
    if status in (204, 304):
        # These have no body by definition: a client would take the bare status
        # line as a complete answer, and the drop would go unnoticed.
        status = 200
    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body) + 1024).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
    raise ConnectionDropped("sandbox fault: connection dropped mid-response")


def _fault_response(fault: Fault, shape: str) -> Response:
    if fault.malformed:
        text = fault.body if fault.has_body and isinstance(fault.body, str) else None
        return Response(
            text.encode() if text is not None else MALFORMED_BODY,
            fault.status or 200,
            media_type="text/html",
        )
    if fault.wrong_shape:
        return JSONResponse(fault.body if fault.has_body else WRONG_SHAPE_BODY, fault.status or 200)
    status = fault.status or 200
    if status in (204, 304):
        return Response(status_code=status)
    if fault.has_body:
        return JSONResponse(fault.body, status)
    return JSONResponse(default_error_body(status, shape) if status >= 400 else {}, status)


def _method_key(method: str) -> str:
    return method if method in STANDARD_METHODS else "OTHER"


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route serves at the scope's path, in a fixed order (for Allow)."""
    methods: set[str] = set()
    for route in routes:
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                methods |= route.methods
    order = {name: i for i, name in enumerate(STANDARD_METHODS)}
    return sorted(methods, key=lambda m: (order.get(m, len(order)), m))


def _request_id(headers: dict[bytes, bytes]) -> str:
    """The client's X-Request-ID when it is a sane one, else a fresh id."""
    incoming = headers.get(b"x-request-id", b"").decode("latin-1")
    return incoming if REQUEST_ID_RE.match(incoming) else str(uuid.uuid4())


class _StampedSend:
    """A send callable that adds a fault's headers and the request id to the response,
    and knows whether the response has started (after which no error can be answered)."""

    def __init__(self, send: Send, request_id: str, extra_headers: dict[str, str]) -> None:
        self._send = send
        self._request_id = request_id
        self._extra_headers = extra_headers
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            headers = list(message.get("headers", []))
            for name, value in self._extra_headers.items():
                _set_header(headers, name, value)
            _set_header(headers, "X-Request-ID", self._request_id)
            message = {**message, "headers": headers}
        await self._send(message)


def _internal_error(shape: str) -> Response:
    """The JSON:API 500 that answers a bug in the sandbox."""
    return JSONResponse(
        error_document([jsonapi_error(500, "The sandbox failed to handle this request.")], shape),
        500,
    )


class _Muted:
    """A send that swallows what the app answers when its request was cut short."""

    async def __call__(self, message: Message) -> None:
        return None


class SandboxMiddleware:
    """Host checks, request ids, request counting and fault injection, around the whole app.

    A pure ASGI middleware (not BaseHTTPMiddleware) because a ``drop`` fault
    has to control exactly which messages reach the server.
    """

    def __init__(
        self,
        app: ASGIApp,
        state: SandboxState,
        routes: list[BaseRoute],
        body_timeout: float | None = DEFAULT_BODY_TIMEOUT,
        allowed_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.state = state
        self.routes = routes
        self.body_timeout = body_timeout
        self.allowed_hosts = allowed_hosts

    def _route_key(self, scope: Scope) -> str:
        # Bounded: a client choosing paths or methods cannot grow the stats.
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE and isinstance(route, Route):
                return f"{_method_key(scope['method'])} {route.path}"
        return UNKNOWN_ROUTE_KEY

    def _host_problem(self, scope: Scope, headers: dict[bytes, bytes]) -> str | None:
        """Why the Host header is refused, or None.

        DNS rebinding points a name the attacker owns at 127.0.0.1, so a web
        page can reach the sandbox under its own origin; its requests then
        carry that name as Host. The admin surface takes loopback names only;
        the API also takes any IP address (no DNS involved) and the host it
        was told to serve on. Any port: a forwarded port is still this server.
        """
        if is_admin_path(scope["path"]):
            return None  # stricter, in the admin guard (loopback names only, 403)
        raw = headers.get(b"host")
        host = host_name(raw.decode("latin-1")) if raw is not None else None
        if host is not None and (
            is_loopback_host(host) or is_ip_literal(host) or host in self.allowed_hosts
        ):
            return None
        return (
            "The sandbox answers requests for localhost, an IP address or the host it serves "
            "on only (this refuses DNS rebinding): use one of those in the URL."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        headers = dict(scope.get("headers") or [])
        request_id = _request_id(headers)
        path: str = scope["path"]
        method: str = scope["method"]
        shape = error_shape(self.state, path)
        fault: Fault | None = None
        host_problem = self._host_problem(scope, headers)
        if host_problem is None and is_api_path(path):
            self.state.record_request(self._route_key(scope))
            fault = self.state.take_fault(method, path)
        stamped = _StampedSend(send, request_id, dict(fault.headers) if fault else {})
        tracked = _TrackedReceive(receive, self.body_timeout)
        try:
            if host_problem is not None:
                raise ApiError(400, host_problem)
            await self._respond(scope, tracked, stamped, fault, shape)
        except ConnectionDropped:
            raise
        except ApiError as exc:  # raised here (Host, a body timeout while draining), not by a route
            if stamped.started:
                raise
            await exc.response(shape)(scope, tracked, stamped)
        except Exception:
            # Answer a bug with a proper JSON:API 500 (with its request id)
            # rather than a bare text page; the traceback goes to the log.
            logger.exception("sandbox error handling %s %s", method, path)
            if stamped.started:
                raise
            await _internal_error(shape)(scope, tracked, stamped)

    async def _respond(
        self, scope: Scope, receive: _TrackedReceive, send: Send, fault: Fault | None, shape: str
    ) -> None:
        """Serve the request, or do what its fault says instead (or as well)."""
        if fault is not None and fault.latency:
            await asyncio.sleep(fault.latency)
        if fault is not None and fault.drop == "before":
            await receive.drain()
            await _drop(send, 200, [(b"content-type", b"application/json")], b"")
        elif fault is not None and fault.replaces_response:
            await receive.drain()
            await _fault_response(fault, shape)(scope, receive, send)
        elif fault is not None and fault.drop == "after":
            await self._perform_then_drop(scope, receive, send)
        elif fault is not None and fault.drop == "during":
            try:
                await self.app(scope, _CutReceive(receive, _cut_limit(scope, fault)), _Muted())
            except ConnectionDropped:
                pass
            await _drop(send, 200, [(b"content-type", b"application/json")], b"")
        else:
            await self.app(scope, receive, send)

    async def _perform_then_drop(self, scope: Scope, receive: _TrackedReceive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        await receive.drain()  # e.g. DELETE ignores any body it was sent
        status = start["status"] if start else 200
        headers = list(start.get("headers", [])) if start else []
        await _drop(send, status, headers, b"".join(chunks))
