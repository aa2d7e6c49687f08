"""The sandbox's Starlette app: the Onna API subset under /v1, plus an admin surface.

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

import asyncio
import ipaddress
import json
import logging
import math
import re
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from functools import cache
from http import HTTPStatus
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse as StarletteJSONResponse
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onna_tui import __version__
from onna_tui.core.wire.workspaces import MAX_TAGS
from onna_tui.sandbox.faults import (
    MALFORMED_BODY,
    WRONG_SHAPE_BODY,
    ConnectionDropped,
    Fault,
    FaultSpecError,
)
from onna_tui.sandbox.state import (
    ERROR_SHAPES,
    InvalidClient,
    InvalidCursor,
    NotFoundError,
    SandboxError,
    SandboxState,
    SandboxUser,
    TokenRejected,
    lone_surrogate,
)

logger = logging.getLogger("onna_tui.sandbox")

API_PREFIX = "/v1"
ADMIN_PREFIX = "/_sandbox"
#: Generous for 10000 tags, small enough that a runaway client cannot eat memory.
MAX_BODY_BYTES = 8 * 1024 * 1024
#: Deeper JSON is refused (422): no sandbox body needs it, and rendering a
#: fault body nested near Python's recursion limit would fail.
MAX_JSON_DEPTH = 100
#: How long a request body may take to arrive, from its first read (408 after).
DEFAULT_BODY_TIMEOUT = 30.0

# Codes and titles as Onna spells them (the spec's examples); Python's own
# phrases drift between versions (422 is "Unprocessable Content" in 3.13).
_ERROR_NAMES: dict[int, tuple[str, str]] = {
    400: ("XX400_bad_request", "Bad Request"),
    401: ("XX401_unauthorized", "Unauthorized"),
    403: ("XX403_forbidden", "Forbidden"),
    404: ("XX404_not_found", "Not Found"),
    405: ("XX405_method_not_allowed", "Method Not Allowed"),
    408: ("XX408_request_timeout", "Request Timeout"),
    413: ("XX413_payload_too_large", "Payload Too Large"),
    415: ("XX415_unsupported_media_type", "Unsupported Media Type"),
    422: ("XX422_unprocessable_entity", "Unprocessable Entity"),
    429: ("XX429_too_many_requests", "Too Many Requests"),
    500: ("XX500_internal_server_error", "Internal Server Error"),
    502: ("XX502_bad_gateway", "Bad Gateway"),
    503: ("XX503_service_unavailable", "Service Unavailable"),
    504: ("XX504_gateway_timeout", "Gateway Timeout"),
}

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
#: Methods counted under their own name in the stats; any other is "OTHER".
_STANDARD_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
#: The stats key of every request to a path the sandbox does not serve.
UNKNOWN_ROUTE_KEY = "* (unknown path)"


class JSONResponse(StarletteJSONResponse):
    """Starlette's JSONResponse, except that a lone surrogate becomes U+FFFD instead of a 500.

    A lone surrogate cannot be encoded as UTF-8. The API refuses them in what
    it stores, but a state file or a Python-level caller can still hold one,
    and one bad name must not break every list that shows it.
    """

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            text = json.dumps(
                content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
            )
            # UTF-16 keeps a valid pair together and marks a lone half as U+FFFD.
            repaired = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            return repaired.encode("utf-8")


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


def error_document(errors: list[dict[str, Any]], shape: str = "envelope") -> dict[str, Any]:
    """An error body in ``shape``: the JSON:API envelope, or one flat error object.

    The document's examples show ``{"errors": [...]}``; its JsonApiErrorsNNN
    schemas describe a single error object with status, code, title and detail
    at the top level. The flat shape can hold one error: it is the first one,
    with the details of any others appended to its detail.
    """
    if shape != "flat":
        return {"errors": errors}
    flat = dict(errors[0])
    if len(errors) > 1:
        flat["detail"] = " ".join(str(e.get("detail", "")) for e in errors).strip()
    return flat


def default_error_body(status: int, shape: str = "envelope") -> dict[str, Any]:
    """The document a fault sends when it names only a status."""
    _, title = error_names(status)
    return error_document([jsonapi_error(status, f"{title} (injected by the sandbox).")], shape)


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

    def response(self, shape: str = "envelope") -> JSONResponse:
        return JSONResponse(error_document(self.errors, shape), self.status, headers=self.headers)


class RequestTimeout(ApiError):
    """The request body did not arrive in time; the connection is closed after the answer."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            408,
            f"The request body did not arrive within {seconds:g} seconds.",
            headers={"Connection": "close"},
        )


def _field_error(pointer: str, detail: str) -> dict[str, Any]:
    return jsonapi_error(422, detail, source={"pointer": pointer})


def _error_shape(state: SandboxState, path: str) -> str:
    """The state's error shape for the Onna API; the admin surface always uses the envelope."""
    return state.error_shape if _is_api_path(path) else "envelope"


def _is_api_path(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def _is_admin_path(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


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
    media_type = _media_type(request)
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ApiError(
            422,
            [_field_error("", "Send the body as JSON with Content-Type: application/json.")],
        )
    return parse_json(raw)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


class _NotPlainJson(ValueError):
    """Raised by the parser's hooks; the message is the sentence the client gets."""


def _parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # past sys.get_int_max_str_digits()
        raise _NotPlainJson(
            f"The request body has a number of {len(text)} digits; numbers may have at "
            f"most {sys.get_int_max_str_digits()}."
        ) from None


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotPlainJson(f"The request body has a number too large to use: {text[:40]}.")
    return value


def _parse_constant(name: str) -> Any:
    raise _NotPlainJson(f"The request body is not valid JSON: {name} is not a JSON value.")


def _too_deep(value: Any, limit: int) -> bool:
    """True when containers nest more than ``limit`` levels (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_json(raw: bytes) -> Any:
    """The JSON value of a request body, or ApiError(422) with a sentence saying what is wrong.

    Beyond syntax, refused are: nesting deeper than MAX_JSON_DEPTH, integers
    longer than Python converts, non-finite numbers (NaN, Infinity, 1e999),
    which could not be sent back in a response.
    """
    too_deep = f"The request body is nested more than {MAX_JSON_DEPTH} levels deep."
    try:
        value = json.loads(
            raw, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
        )
    except RecursionError:
        raise ApiError(422, [_field_error("", too_deep)]) from None
    except _NotPlainJson as exc:
        raise ApiError(422, [_field_error("", str(exc))]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(
            422, [_field_error("", f"The request body is not valid JSON ({exc}).")]
        ) from None
    if _too_deep(value, MAX_JSON_DEPTH):
        raise ApiError(422, [_field_error("", too_deep)])
    return value


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
    elif problem := _not_unicode("name", name):
        errors.append(_field_error("/name", problem))
    else:
        out["name"] = name

    description = body.get("description")
    if description is not None:
        if not isinstance(description, str):
            errors.append(_field_error("/description", "description must be a string."))
        elif problem := _not_unicode("description", description):
            errors.append(_field_error("/description", problem))
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
            for i, tag in enumerate(tags):
                if isinstance(tag, str) and (problem := _not_unicode(f"tags[{i}]", tag)):
                    bad.append(i)
                    errors.append(_field_error(f"/tags/{i}", problem))
            if not bad:
                out["tags"] = tags

    if errors:
        raise ApiError(422, errors)
    return out


def validate_custom_field_body(body: Any) -> dict[str, Any]:
    """The POST /customFields fields (CreateCustomFieldRequestBody: all four required)."""
    if not isinstance(body, dict):
        raise ApiError(422, [_field_error("", "The request body must be a JSON object.")])
    errors: list[dict[str, Any]] = []
    out: dict[str, Any] = {}
    for name, blank_ok in (("name", False), ("type", False), ("description", True)):
        value = body.get(name)
        if value is None:
            errors.append(_field_error(f"/{name}", f"{name} is required."))
        elif not isinstance(value, str):
            errors.append(_field_error(f"/{name}", f"{name} must be a string."))
        elif not blank_ok and not value.strip():
            errors.append(_field_error(f"/{name}", f"{name} must not be blank."))
        elif problem := _not_unicode(name, value):
            errors.append(_field_error(f"/{name}", problem))
        else:
            out[name] = value
    required = body.get("required")
    if required is None:
        errors.append(_field_error("/required", "required is required: send true or false."))
    elif not isinstance(required, bool):
        errors.append(_field_error("/required", "required must be true or false."))
    else:
        out["required"] = required
    if errors:
        raise ApiError(422, errors)
    return out


def _string_member(body: Any, name: str, *, blank_ok: bool) -> str:
    """``body[name]`` as a required string, or ApiError(422) pointing at it."""
    if not isinstance(body, dict):
        raise ApiError(422, [_field_error("", "The request body must be a JSON object.")])
    value = body.get(name)
    if value is None:
        problem: str | None = f"{name} is required."
    elif not isinstance(value, str):
        problem = f"{name} must be a string."
    elif not blank_ok and not value.strip():
        problem = f"{name} must not be blank."
    else:
        problem = _not_unicode(name, value)
    if problem:
        raise ApiError(422, [_field_error(f"/{name}", problem)])
    return str(value)


def _not_unicode(field_name: str, text: str) -> str | None:
    """Why ``text`` cannot be stored (it holds a lone surrogate), or None if it can."""
    ch = lone_surrogate(text)
    if ch is None:
        return None
    return (
        f"{field_name} contains a lone surrogate (\\u{ord(ch):04x}), which is not a "
        "character: send valid Unicode text."
    )


# --------------------------------------------------------------- API routes


@cache
def _spec_text() -> bytes:
    return resources.files("onna_tui").joinpath("spec", "openapi.yaml").read_bytes()


T = TypeVar("T")


def _paged(page: Callable[[], T]) -> T:
    """A list call whose cursor may be refused: 422 pointing at the parameter."""
    try:
        return page()
    except InvalidCursor as exc:
        raise ApiError(
            exc.status, [jsonapi_error(exc.status, str(exc), source={"parameter": "cursor"})]
        ) from None
    except NotFoundError as exc:
        raise ApiError(404, str(exc)) from None


def _found(call: Callable[[], T]) -> T:
    """A call on a workspace or field that may not exist: 404 with the state's sentence."""
    try:
        return call()
    except NotFoundError as exc:
        raise ApiError(404, str(exc)) from None


def _page_body(items: list[dict[str, Any]], cursor: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"items": items}
    if cursor is not None:
        body["cursor"] = cursor
    return body


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

    async def list_custom_fields(request: Request) -> Response:
        _bearer_user(request, state)
        cursor = request.query_params.get("cursor") or None
        items, next_cursor = _paged(lambda: state.list_custom_fields(cursor))
        return JSONResponse(_page_body(items, next_cursor))

    async def create_custom_field(request: Request) -> Response:
        _bearer_user(request, state)
        fields = validate_custom_field_body(await _json_body(request))
        record = state.create_custom_field(**fields)
        return JSONResponse({"onna_id": record.onna_id}, 201)

    async def list_workspace_fields(request: Request) -> Response:
        _bearer_user(request, state)
        onna_id = request.path_params["onna_id"]
        cursor = request.query_params.get("cursor") or None
        items, next_cursor = _paged(lambda: state.list_workspace_custom_fields(onna_id, cursor))
        return JSONResponse(_page_body(items, next_cursor))

    async def enable_workspace_field(request: Request) -> Response:
        _bearer_user(request, state)
        onna_id = request.path_params["onna_id"]
        field_id = _string_member(await _json_body(request), "onna_id", blank_ok=False)
        _found(lambda: state.enable_custom_field(onna_id, field_id))
        return Response(status_code=204)

    async def read_workspace_value(request: Request) -> Response:
        _bearer_user(request, state)
        onna_id, field_id = request.path_params["onna_id"], request.path_params["field_id"]
        value = _found(lambda: state.custom_value(onna_id, field_id))
        body: dict[str, Any] = {"onna_id": field_id}
        if value is not None:
            body["value"] = value
        return JSONResponse(body)

    async def update_workspace_value(request: Request) -> Response:
        _bearer_user(request, state)
        onna_id, field_id = request.path_params["onna_id"], request.path_params["field_id"]
        value = _string_member(await _json_body(request), "value", blank_ok=True)
        _found(lambda: state.set_custom_value(onna_id, field_id, value))
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
        Route(f"{p}/customFields", list_custom_fields, methods=["GET"]),
        Route(f"{p}/customFields", create_custom_field, methods=["POST"]),
        Route(f"{p}/workspaces/{{onna_id}}/customFields", list_workspace_fields, methods=["GET"]),
        Route(
            f"{p}/workspaces/{{onna_id}}/customFields",
            enable_workspace_field,
            methods=["PATCH"],
        ),
        Route(
            f"{p}/workspaces/{{onna_id}}/customFields/{{field_id}}",
            read_workspace_value,
            methods=["GET"],
        ),
        Route(
            f"{p}/workspaces/{{onna_id}}/customFields/{{field_id}}",
            update_workspace_value,
            methods=["PATCH"],
        ),
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


def _is_loopback_name(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1 (as they appear in a Host header, without brackets)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def host_name(header: str) -> str | None:
    """The host in a Host header: lower case, no port, brackets or final dot; None if malformed."""
    value = header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        host, rest = value[1:end], value[end + 1 :]
        if end < 0 or not _is_ip_literal(host):
            return None
    else:
        host, colon, port = value.partition(":")
        rest = colon + port
    if rest and not re.fullmatch(r":[0-9]{0,5}", rest):
        return None
    host = host.removesuffix(".")
    return host or None


def _is_loopback_origin(origin: str) -> bool:
    """True for an Origin header naming a page served from this machine."""
    try:
        parts = urlsplit(origin.strip())
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and parts.hostname is not None
        and _is_loopback_name(parts.hostname)
    )


def _admin(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """The admin surface's guard: loopback peer and Host, no foreign web page, JSON POSTs only.

    The peer check keeps other machines out. The rest keeps out web pages open
    in a browser on this machine: the Host check defeats DNS rebinding (a page
    whose own name resolves to 127.0.0.1), and a page can send a cross-site
    form or a no-cors fetch to loopback, but never with a loopback Origin, nor
    with Content-Type: application/json without a CORS preflight the sandbox
    never grants.
    """

    async def guarded(request: Request) -> Response:
        if not _is_loopback(request):
            raise ApiError(403, "The sandbox admin surface answers loopback clients only.")
        host = host_name(request.headers.get("host", ""))
        if host is None or not _is_loopback_name(host):
            raise ApiError(
                403,
                "The sandbox admin surface answers requests for localhost, 127.0.0.1 or [::1] "
                "only: use one of those in the URL.",
            )
        origin = request.headers.get("origin")
        if origin is not None and not _is_loopback_origin(origin):
            raise ApiError(
                403,
                "The sandbox admin surface refuses requests from web pages: send them "
                "without an Origin header, from a program on this machine.",
            )
        if request.method == "POST" and _media_type(request) != "application/json":
            raise ApiError(
                415,
                "Send sandbox admin requests with Content-Type: application/json "
                "(the body may be empty).",
            )
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

    async def get_settings(request: Request) -> Response:
        return JSONResponse(state.settings())

    async def change_settings(request: Request) -> Response:
        body = await _json_body(request)
        if not isinstance(body, dict):
            example = '{"error_shape": "flat"}'
            raise ApiError(
                422, [_field_error("", f"The body must be a JSON object such as {example}.")]
            )
        errors = [
            _field_error(f"/{key}", f"Unknown setting {key!r}: the settings are error_shape.")
            for key in sorted(set(body) - {"error_shape"})
        ]
        shape = body.get("error_shape", state.error_shape)
        if not isinstance(shape, str) or shape not in ERROR_SHAPES:
            errors.append(
                _field_error(
                    "/error_shape", f"error_shape must be one of: {', '.join(ERROR_SHAPES)}."
                )
            )
        if errors:
            raise ApiError(422, errors)
        state.set_error_shape(shape)
        return JSONResponse(state.settings())

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
        Route(f"{a}/settings", _admin(get_settings), methods=["GET"]),
        Route(f"{a}/settings", _admin(change_settings), methods=["POST"]),
    ]


# --------------------------------------------------------------- middleware


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
    return method if method in _STANDARD_METHODS else "OTHER"


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route serves at the scope's path, in a fixed order (for Allow)."""
    methods: set[str] = set()
    for route in routes:
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                methods |= route.methods
    order = {name: i for i, name in enumerate(_STANDARD_METHODS)}
    return sorted(methods, key=lambda m: (order.get(m, len(order)), m))


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
        if _is_admin_path(scope["path"]):
            return None  # stricter, in the admin guard (loopback names only, 403)
        raw = headers.get(b"host")
        host = host_name(raw.decode("latin-1")) if raw is not None else None
        if host is not None and (
            _is_loopback_name(host) or _is_ip_literal(host) or host in self.allowed_hosts
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
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else str(uuid.uuid4())
        path: str = scope["path"]
        method: str = scope["method"]
        shape = _error_shape(self.state, path)
        fault: Fault | None = None
        host_problem = self._host_problem(scope, headers)
        if host_problem is None and _is_api_path(path):
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

        tracked = _TrackedReceive(receive, self.body_timeout)
        try:
            if host_problem is not None:
                raise ApiError(400, host_problem)
            if fault is not None and fault.latency:
                await asyncio.sleep(fault.latency)
            if fault is not None and fault.drop == "before":
                await tracked.drain()
                await _drop(send_with_headers, 200, [(b"content-type", b"application/json")], b"")
            elif fault is not None and fault.replaces_response:
                await tracked.drain()
                await _fault_response(fault, shape)(scope, tracked, send_with_headers)
            elif fault is not None and fault.drop == "after":
                await self._perform_then_drop(scope, tracked, send_with_headers)
            else:
                await self.app(scope, tracked, send_with_headers)
        except ConnectionDropped:
            raise
        except ApiError as exc:  # raised here (Host, a body timeout while draining), not by a route
            if started:
                raise
            await exc.response(shape)(scope, tracked, send_with_headers)
        except Exception:
            # Answer a bug with a proper JSON:API 500 (with its request id)
            # rather than a bare text page; the traceback goes to the log.
            logger.exception("sandbox error handling %s %s", method, path)
            if started:
                raise
            await JSONResponse(
                error_document(
                    [jsonapi_error(500, "The sandbox failed to handle this request.")], shape
                ),
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


def _state_of(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response(_error_shape(_state_of(request), request.url.path))


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
    return error.response(_error_shape(_state_of(request), request.url.path))


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
    routes = _api_routes(state) + _admin_routes(state)
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
