"""The sandbox's Starlette app: the Onna API subset under /v1, plus an admin surface.

Onna API (``onna_tui/spec/openapi.yaml``), behaving like the real service:

- ``GET /v1/health`` (no auth), ``POST /v1/oauth/token`` (form-encoded client
  credentials grant, no auth), ``GET /v1/oauth/user``, ``GET|POST /v1/workspaces``
  and ``GET|PATCH|DELETE /v1/workspaces/{onna_id}`` (bearer token required).
- Errors are JSON:API documents (status, code, id, title, detail; ``source``
  for validation errors), except the token endpoint: FastAPI-shaped 422 for
  missing form fields, and RFC 6749 ``{"error": ...}`` for 400/401.
- Every response carries an ``X-Request-ID`` header (the client's own, if it
  sent a sane one).
- ``GET /v1/openapi.yaml`` serves the bundled spec without auth (a sandbox
  convenience, not part of the Onna API).

Admin surface (NOT part of the Onna API; no auth; answers loopback clients only,
403 otherwise). Bodies are JSON; errors are JSON:API documents:

- ``POST /_sandbox/clients`` ``{"client_id"?, "client_secret"?, "user"?: {"id",
  "account_id"?, "name"?, "surname"?, "developer_role"?}}`` -> 201
  ``{"client_id", "client_secret", "user_id"}`` (id and secret generated when
  absent). 403 when the owning user (the one given, or the default user) has
  lost the developer role. An existing client id is re-keyed.
- ``DELETE /_sandbox/clients/{client_id}`` -> 204; its tokens stop working. 404 if unknown.
- ``POST /_sandbox/users/{user_id}/revoke-developer-role`` -> 204. Existing
  credentials keep working (as the authentication guide warns); only creating
  new ones is refused. 404 if unknown.
- ``POST /_sandbox/expire-tokens`` -> 204: every token issued so far is expired.
- ``POST /_sandbox/faults`` ``{"path"?, "method"?, "count"?, "status"?, "body"?,
  "headers"?, "latency"?, "malformed"?, "wrong_shape"?, "drop"?}`` -> 201 with
  the fault as stored (see `onna_tui.sandbox.faults`). ``GET /_sandbox/faults``
  lists the pending ones; ``DELETE /_sandbox/faults`` -> 204 clears them.
- ``GET /_sandbox/stats`` -> ``{"token_exchanges", "requests", "by_route",
  "workspaces"}``; ``POST /_sandbox/reset-stats`` -> 204. ``requests`` and
  ``by_route`` count every /v1 request (keys like ``"GET /v1/workspaces/{onna_id}"``);
  ``token_exchanges`` counts successful exchanges only.

The same operations are methods of `SandboxState` for in-process tests.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from functools import cache
from http import HTTPStatus
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onna_tui import __version__
from onna_tui.models import MAX_TAGS
from onna_tui.sandbox.faults import (
    MALFORMED_BODY,
    WRONG_SHAPE_BODY,
    ConnectionDropped,
    Fault,
    FaultSpecError,
)
from onna_tui.sandbox.state import (
    InvalidClient,
    SandboxError,
    SandboxState,
    SandboxUser,
    TokenRejected,
)

logger = logging.getLogger("onna_tui.sandbox")

API_PREFIX = "/v1"
ADMIN_PREFIX = "/_sandbox"
#: Generous for 10000 tags, small enough that a runaway client cannot eat memory.
MAX_BODY_BYTES = 8 * 1024 * 1024

# Codes and titles as Onna spells them (the spec's examples); Python's own
# phrases drift between versions (422 is "Unprocessable Content" in 3.13).
_ERROR_NAMES: dict[int, tuple[str, str]] = {
    400: ("XX400_bad_request", "Bad Request"),
    401: ("XX401_unauthorized", "Unauthorized"),
    403: ("XX403_forbidden", "Forbidden"),
    404: ("XX404_not_found", "Not Found"),
    405: ("XX405_method_not_allowed", "Method Not Allowed"),
    413: ("XX413_payload_too_large", "Payload Too Large"),
    422: ("XX422_unprocessable_entity", "Unprocessable Entity"),
    429: ("XX429_too_many_requests", "Too Many Requests"),
    500: ("XX500_internal_server_error", "Internal Server Error"),
    502: ("XX502_bad_gateway", "Bad Gateway"),
    503: ("XX503_service_unavailable", "Service Unavailable"),
    504: ("XX504_gateway_timeout", "Gateway Timeout"),
}

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


# ----------------------------------------------------------------- errors


def error_names(status: int) -> tuple[str, str]:
    """(code, title) of a JSON:API error for an HTTP status."""
    if status in _ERROR_NAMES:
        return _ERROR_NAMES[status]
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    slug = re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_")
    return f"XX{status}_{slug}", phrase


def jsonapi_error(
    status: int, detail: str, *, source: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """One JSON:API error object with every member Onna sends."""
    code, title = error_names(status)
    error: dict[str, Any] = {
        "status": str(status),
        "code": code,
        "id": str(uuid.uuid4()),
        "title": title,
        "detail": detail,
    }
    if source:
        error["source"] = dict(source)
    return error


def default_error_body(status: int) -> dict[str, Any]:
    """The document a fault sends when it names only a status."""
    _, title = error_names(status)
    return {"errors": [jsonapi_error(status, f"{title} (injected by the sandbox).")]}


class ApiError(Exception):
    """Raised by handlers; rendered as a JSON:API error document."""

    def __init__(
        self,
        status: int,
        errors: list[dict[str, Any]] | str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status)
        self.status = status
        self.errors = [jsonapi_error(status, errors)] if isinstance(errors, str) else errors
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        return JSONResponse({"errors": self.errors}, self.status, headers=self.headers)


def _field_error(pointer: str, detail: str) -> dict[str, Any]:
    return jsonapi_error(422, detail, source={"pointer": pointer})


# ------------------------------------------------------------- request helpers


async def _read_body(request: Request) -> bytes:
    """The whole request body, or ApiError(413) past MAX_BODY_BYTES.

    An oversized body is still read to its end (and thrown away) so the client
    gets the 413 instead of a connection reset.
    """
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= MAX_BODY_BYTES:
            chunks.append(chunk)
    if size > MAX_BODY_BYTES:
        raise ApiError(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    return b"".join(chunks)


async def _json_body(request: Request, *, required: bool = True) -> Any:
    """The parsed JSON body, or ApiError(422) saying what is wrong with it."""
    raw = await _read_body(request)
    if not raw.strip():
        if required:
            raise ApiError(422, [_field_error("", "A JSON request body is required.")])
        return None
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ApiError(
            422,
            [_field_error("", "Send the body as JSON with Content-Type: application/json.")],
        )
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(
            422, [_field_error("", f"The request body is not valid JSON ({exc}).")]
        ) from None


def _bearer_user(request: Request, state: SandboxState) -> SandboxUser:
    header = request.headers.get("authorization")
    challenge = 'Bearer realm="onna-sandbox"'
    if not header:
        raise ApiError(
            401,
            "Missing Authorization header: send 'Authorization: Bearer <access token>'.",
            headers={"WWW-Authenticate": challenge},
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "The Authorization header must be 'Bearer <access token>'.",
            headers={"WWW-Authenticate": challenge},
        )
    try:
        return state.authenticate(token.strip())
    except TokenRejected as exc:
        raise ApiError(
            401, str(exc), headers={"WWW-Authenticate": f'{challenge}, error="invalid_token"'}
        ) from None


def validate_workspace_body(body: Any, *, partial: bool) -> dict[str, Any]:
    """The create (partial=False) or update (partial=True) fields, or ApiError(422).

    Every problem is reported at once, each with a JSON pointer to its field,
    so a form can show them next to the right inputs. Unknown fields are
    ignored, as FastAPI does. ``null`` counts as "not given".
    """
    if not isinstance(body, dict):
        raise ApiError(422, [_field_error("", "The request body must be a JSON object.")])
    errors: list[dict[str, Any]] = []
    out: dict[str, Any] = {}

    name = body.get("name")
    if name is None:
        if not partial:
            errors.append(_field_error("/name", "name is required."))
    elif not isinstance(name, str):
        errors.append(_field_error("/name", "name must be a string."))
    elif not name.strip():
        errors.append(_field_error("/name", "name must not be blank."))
    else:
        out["name"] = name

    description = body.get("description")
    if description is not None:
        if not isinstance(description, str):
            errors.append(_field_error("/description", "description must be a string."))
        else:
            out["description"] = description

    tags = body.get("tags")
    if tags is not None:
        if not isinstance(tags, list):
            errors.append(_field_error("/tags", "tags must be a list of strings."))
        elif len(tags) > MAX_TAGS:
            errors.append(
                _field_error("/tags", f"tags can have at most {MAX_TAGS} items, not {len(tags)}.")
            )
        else:
            bad = [i for i, tag in enumerate(tags) if not isinstance(tag, str)]
            errors.extend(_field_error(f"/tags/{i}", f"tags[{i}] must be a string.") for i in bad)
            if not bad:
                out["tags"] = tags

    if errors:
        raise ApiError(422, errors)
    return out


# --------------------------------------------------------------- API routes


@cache
def _spec_text() -> bytes:
    return resources.files("onna_tui").joinpath("spec", "openapi.yaml").read_bytes()


def _api_routes(state: SandboxState) -> list[BaseRoute]:
    async def health(request: Request) -> Response:
        return JSONResponse(
            {"status": "pass", "version": "v1", "release_id": f"sandbox-{__version__}"}
        )

    async def openapi_yaml(request: Request) -> Response:
        return Response(_spec_text(), media_type="application/yaml")

    async def token(request: Request) -> Response:
        raw = await _read_body(request)
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        # Like FastAPI's Form(...): any other content type simply has no form
        # fields, and an empty value counts as missing.
        form: dict[str, str] = {}
        if media_type == "application/x-www-form-urlencoded":
            for key, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
                form.setdefault(key, value)
        missing = [f for f in ("client_id", "client_secret") if not form.get(f)]
        if missing:
            return JSONResponse(
                {
                    "detail": [
                        {"loc": ["body", f], "msg": "field required", "type": "value_error.missing"}
                        for f in missing
                    ]
                },
                422,
            )
        # The spec gives grant_type the default client_credentials.
        grant_type = form.get("grant_type") or "client_credentials"
        no_store = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        if grant_type != "client_credentials":
            return JSONResponse(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Only grant_type=client_credentials is supported.",
                },
                400,
                headers=no_store,
            )
        try:
            access_token, ttl = state.exchange(form["client_id"], form["client_secret"])
        except InvalidClient as exc:
            return JSONResponse(
                {"error": "invalid_client", "error_description": str(exc)}, 401, headers=no_store
            )
        return JSONResponse(
            {"access_token": access_token, "token_type": "bearer", "expires_in": ttl},
            headers=no_store,
        )

    async def current_user(request: Request) -> Response:
        user = _bearer_user(request, state)
        return JSONResponse(user.current_user())

    async def list_workspaces(request: Request) -> Response:
        _bearer_user(request, state)
        cursor = request.query_params.get("cursor") or None
        try:
            items, next_cursor = state.list_workspaces(cursor)
        except SandboxError as exc:
            raise ApiError(
                exc.status, [jsonapi_error(exc.status, str(exc), source={"parameter": "cursor"})]
            ) from None
        body: dict[str, Any] = {"items": [w.page_item() for w in items]}
        if next_cursor is not None:
            body["cursor"] = next_cursor
        return JSONResponse(body)

    async def create_workspace(request: Request) -> Response:
        _bearer_user(request, state)
        fields = validate_workspace_body(await _json_body(request), partial=False)
        record = state.create_workspace(**fields)
        return JSONResponse(
            {"onna_id": record.onna_id},
            201,
            headers={"Location": f"{API_PREFIX}/workspaces/{record.onna_id}"},
        )

    def _not_found(onna_id: str) -> ApiError:
        return ApiError(404, f"Workspace {onna_id!r} does not exist.")

    async def get_workspace(request: Request) -> Response:
        _bearer_user(request, state)
        onna_id = request.path_params["onna_id"]
        record = state.get_workspace(onna_id)
        if record is None:
            raise _not_found(onna_id)
        return JSONResponse(record.to_json())

    async def update_workspace(request: Request) -> Response:
        _bearer_user(request, state)
        onna_id = request.path_params["onna_id"]
        fields = validate_workspace_body(await _json_body(request), partial=True)
        if state.get_workspace(onna_id) is None:
            raise _not_found(onna_id)
        try:
            state.update_workspace(onna_id, **fields)
        except SandboxError as exc:  # deleted in between
            raise ApiError(exc.status, str(exc)) from None
        return Response(status_code=204)

    async def delete_workspace(request: Request) -> Response:
        _bearer_user(request, state)
        onna_id = request.path_params["onna_id"]
        try:
            state.delete_workspace(onna_id)
        except SandboxError:
            raise _not_found(onna_id) from None
        return Response(status_code=204)

    p = API_PREFIX
    return [
        Route(f"{p}/health", health, methods=["GET"]),
        Route(f"{p}/openapi.yaml", openapi_yaml, methods=["GET"]),
        Route(f"{p}/oauth/token", token, methods=["POST"]),
        Route(f"{p}/oauth/user", current_user, methods=["GET"]),
        Route(f"{p}/workspaces", list_workspaces, methods=["GET"]),
        Route(f"{p}/workspaces", create_workspace, methods=["POST"]),
        Route(f"{p}/workspaces/{{onna_id}}", get_workspace, methods=["GET"]),
        Route(f"{p}/workspaces/{{onna_id}}", update_workspace, methods=["PATCH"]),
        Route(f"{p}/workspaces/{{onna_id}}", delete_workspace, methods=["DELETE"]),
    ]


# ------------------------------------------------------------- admin routes


def _is_loopback(request: Request) -> bool:
    if request.client is None:
        return True  # not a socket (e.g. an in-process transport without a client)
    host = request.client.host
    if host in ("localhost", "testclient"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _admin(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    async def guarded(request: Request) -> Response:
        if not _is_loopback(request):
            raise ApiError(403, "The sandbox admin surface answers loopback clients only.")
        try:
            return await handler(request)
        except SandboxError as exc:
            raise ApiError(exc.status, str(exc)) from None

    return guarded


def _admin_routes(state: SandboxState) -> list[BaseRoute]:
    async def add_client(request: Request) -> Response:
        body = await _json_body(request, required=False) or {}
        if not isinstance(body, dict):
            raise ApiError(422, "The body must be a JSON object.")
        creds = state.add_client(
            client_id=body.get("client_id"),
            client_secret=body.get("client_secret"),
            user=body.get("user"),
        )
        owner = state.client_owner(creds.client_id)
        return JSONResponse(
            {
                "client_id": creds.client_id,
                "client_secret": creds.client_secret.get_secret_value(),
                "user_id": owner.id,
            },
            201,
        )

    async def remove_client(request: Request) -> Response:
        state.remove_client(request.path_params["client_id"])
        return Response(status_code=204)

    async def revoke_role(request: Request) -> Response:
        state.revoke_developer_role(request.path_params["user_id"])
        return Response(status_code=204)

    async def expire_tokens(request: Request) -> Response:
        state.expire_all_tokens()
        return Response(status_code=204)

    async def add_fault(request: Request) -> Response:
        try:
            fault = state.add_fault(await _json_body(request))
        except FaultSpecError as exc:
            pointer = f"/{exc.field}" if exc.field else ""
            raise ApiError(422, [_field_error(pointer, str(exc))]) from None
        return JSONResponse(fault.to_json(), 201)

    async def list_faults(request: Request) -> Response:
        return JSONResponse({"faults": [f.to_json() for f in state.faults()]})

    async def clear_faults(request: Request) -> Response:
        state.clear_faults()
        return Response(status_code=204)

    async def stats(request: Request) -> Response:
        return JSONResponse(state.stats())

    async def reset_stats(request: Request) -> Response:
        state.reset_stats()
        return Response(status_code=204)

    a = ADMIN_PREFIX
    return [
        Route(f"{a}/clients", _admin(add_client), methods=["POST"]),
        Route(f"{a}/clients/{{client_id}}", _admin(remove_client), methods=["DELETE"]),
        Route(
            f"{a}/users/{{user_id}}/revoke-developer-role", _admin(revoke_role), methods=["POST"]
        ),
        Route(f"{a}/expire-tokens", _admin(expire_tokens), methods=["POST"]),
        Route(f"{a}/faults", _admin(add_fault), methods=["POST"]),
        Route(f"{a}/faults", _admin(list_faults), methods=["GET"]),
        Route(f"{a}/faults", _admin(clear_faults), methods=["DELETE"]),
        Route(f"{a}/stats", _admin(stats), methods=["GET"]),
        Route(f"{a}/reset-stats", _admin(reset_stats), methods=["POST"]),
    ]


# --------------------------------------------------------------- middleware


def _set_header(headers: list[tuple[bytes, bytes]], name: str, value: str) -> None:
    key = name.lower().encode("latin-1")
    headers[:] = [(k, v) for k, v in headers if k.lower() != key]
    headers.append((key, value.encode("latin-1")))


class _TrackedReceive:
    """A receive callable that knows whether the request body has been read to its end."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.body_complete = False

    async def __call__(self) -> Message:
        message = await self._receive()
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


def _fault_response(fault: Fault) -> Response:
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
    return JSONResponse(default_error_body(status) if status >= 400 else {}, status)


class SandboxMiddleware:
    """Request ids, request counting and fault injection, around the whole app.

    A pure ASGI middleware (not BaseHTTPMiddleware) because a ``drop`` fault
    has to control exactly which messages reach the server.
    """

    def __init__(self, app: ASGIApp, state: SandboxState, routes: list[BaseRoute]) -> None:
        self.app = app
        self.state = state
        self.routes = routes

    def _route_key(self, scope: Scope) -> str:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE and isinstance(route, Route):
                return f"{scope['method']} {route.path}"
        return f"{scope['method']} {scope['path']}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else str(uuid.uuid4())
        path: str = scope["path"]
        method: str = scope["method"]
        fault: Fault | None = None
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            self.state.record_request(self._route_key(scope))
            fault = self.state.take_fault(method, path)
        extra_headers = dict(fault.headers) if fault else {}
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                for name, value in extra_headers.items():
                    _set_header(headers, name, value)
                _set_header(headers, "X-Request-ID", request_id)
                message = {**message, "headers": headers}
            await send(message)

        tracked = _TrackedReceive(receive)
        try:
            if fault is not None and fault.latency:
                await asyncio.sleep(fault.latency)
            if fault is not None and fault.drop == "before":
                await tracked.drain()
                await _drop(send_with_headers, 200, [(b"content-type", b"application/json")], b"")
            elif fault is not None and fault.replaces_response:
                await tracked.drain()
                await _fault_response(fault)(scope, tracked, send_with_headers)
            elif fault is not None and fault.drop == "after":
                await self._perform_then_drop(scope, tracked, send_with_headers)
            else:
                await self.app(scope, tracked, send_with_headers)
        except ConnectionDropped:
            raise
        except Exception:
            # Answer a bug with a proper JSON:API 500 (with its request id)
            # rather than a bare text page; the traceback goes to the log.
            logger.exception("sandbox error handling %s %s", method, path)
            if started:
                raise
            await JSONResponse(
                {"errors": [jsonapi_error(500, "The sandbox failed to handle this request.")]},
                500,
            )(scope, tracked, send_with_headers)

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


# -------------------------------------------------------------------- app


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if status == 404:
        detail = f"No such endpoint: {request.url.path}."
    elif status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    else:
        detail = str(exc.detail)
    return ApiError(status, detail, headers=exc.headers).response()


def create_app(state: SandboxState) -> Starlette:
    """The sandbox as an ASGI app over ``state`` (see the module docstring)."""
    routes = _api_routes(state) + _admin_routes(state)
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SandboxMiddleware, state=state, routes=routes)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_exception},
    )
    app.state.sandbox = state
    return app
