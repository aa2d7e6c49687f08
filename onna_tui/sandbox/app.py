"""The sandbox's Starlette app: the Onna API subset under /v1, plus an admin surface.

The routes live in ``onna_tui.sandbox.web``, one module per resource (``auth``,
``workspaces``, ``custom_fields``), with the admin surface (``admin``), the
middleware (``middleware``), body reading and validation (``bodies``) and what
they share (``common``); this module puts them together.

Onna API (``onna_tui/spec/openapi.yaml``), behaving like the real service:

- ``GET /v1/health`` (no auth), ``POST /v1/oauth/token`` (form-encoded client
  credentials grant, no auth), ``GET /v1/oauth/user``, ``GET|POST /v1/workspaces``
  and ``GET|PATCH|DELETE /v1/workspaces/{onna_id}`` (bearer token required).
- Errors are JSON:API documents (status, code, id, title, detail; ``source``
  for validation errors), except the token endpoint: FastAPI-shaped 422 for
  missing form fields, and RFC 6749 ``{"error": ...}`` for 400/401. With the
  state's ``error_shape`` "flat" each is one flat error object instead of
  ``{"errors": [...]}`` (see `error_document`).
- Bad input is a 4xx, never a 500: JSON nested more than MAX_JSON_DEPTH,
  oversized or non-finite numbers, lone surrogates in stored text, a
  non-ASCII cursor. Requests whose Host is not localhost, an IP address or an
  allowed host name get 400 (DNS rebinding); a body slower than
  ``body_timeout`` gets 408 and the connection is closed.
- Every response carries an ``X-Request-ID`` header (the client's own, if it
  sent a sane one).
- ``GET /v1/openapi.yaml`` serves the bundled spec without auth (a sandbox
  convenience, not part of the Onna API).

Admin surface (NOT part of the Onna API; no auth; answers loopback clients with a
loopback Host and no foreign Origin only, 403 otherwise; a POST needs
Content-Type: application/json, even without a body, 415 otherwise: so that no
web page can use it). Bodies are JSON; errors are JSON:API envelopes:

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
  ``by_route`` count every /v1 request with an accepted Host (keys like
  ``"GET /v1/workspaces/{onna_id}"``; a method outside the usual ones counts
  as OTHER, an unknown path as ``"* (unknown path)"``, so clients cannot grow
  it); ``token_exchanges`` counts successful exchanges only.
- ``GET /_sandbox/settings`` -> ``{"error_shape"}``; ``POST /_sandbox/settings``
  ``{"error_shape"?: "envelope"|"flat"}`` -> 200 with the settings.

The same operations are methods of `SandboxState` for in-process tests.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from onna_tui.sandbox.state import SandboxState
from onna_tui.sandbox.web import auth, contents, custom_fields, uploads, workspaces
from onna_tui.sandbox.web.admin import admin_routes, host_name
from onna_tui.sandbox.web.bodies import parse_json, validate_workspace_body
from onna_tui.sandbox.web.common import (
    ADMIN_PREFIX,
    API_PREFIX,
    DEFAULT_BODY_TIMEOUT,
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    UNKNOWN_ROUTE_KEY,
    ApiError,
    JSONResponse,
    default_error_body,
    error_document,
    error_names,
    error_shape,
    jsonapi_error,
    state_of,
)
from onna_tui.sandbox.web.middleware import SandboxMiddleware, allowed_methods

__all__ = [
    "ADMIN_PREFIX",
    "API_PREFIX",
    "DEFAULT_BODY_TIMEOUT",
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "UNKNOWN_ROUTE_KEY",
    "ApiError",
    "JSONResponse",
    "create_app",
    "default_error_body",
    "error_document",
    "error_names",
    "host_name",
    "jsonapi_error",
    "parse_json",
    "validate_workspace_body",
]


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response(error_shape(state_of(request), request.url.path))


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 404:
        detail = f"No such endpoint: {request.url.path}."
    elif status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
        # Starlette names only the methods of the first route at this path.
        headers["Allow"] = ", ".join(allowed_methods(request.app.routes, request.scope))
    else:
        detail = str(exc.detail)
    error = ApiError(status, detail, headers=headers)
    return error.response(error_shape(state_of(request), request.url.path))


def create_app(
    state: SandboxState,
    *,
    body_timeout: float | None = DEFAULT_BODY_TIMEOUT,
    allowed_hosts: Iterable[str] = (),
) -> Starlette:
    """The sandbox as an ASGI app over ``state`` (see the module docstring).

    ``body_timeout`` bounds the time a request body may take (None: no bound);
    ``allowed_hosts`` are host names, beyond loopback names and IP addresses,
    that the API answers to in the Host header (the name it serves on).
    """
    routes = (
        auth.routes()
        + workspaces.routes()
        + custom_fields.routes()
        + contents.routes()
        + uploads.routes()
        + admin_routes()
    )
    hosts = frozenset(h.lower().removesuffix(".") for h in allowed_hosts)
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                SandboxMiddleware,
                state=state,
                routes=routes,
                body_timeout=body_timeout,
                allowed_hosts=hosts,
            )
        ],
        exception_handlers={ApiError: _api_error, HTTPException: _http_exception},
    )
    app.state.sandbox = state
    return app
