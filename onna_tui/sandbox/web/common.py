"""What every sandbox route shares: prefixes, Onna's error documents, ApiError, paging helpers."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from functools import cache
from http import HTTPStatus
from importlib import resources
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse as StarletteJSONResponse

from onna_tui.sandbox.state import (
    InvalidCursor,
    NotFoundError,
    SandboxState,
)

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

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
#: Methods counted under their own name in the stats; any other is "OTHER".
STANDARD_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
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


def field_error(pointer: str, detail: str) -> dict[str, Any]:
    return jsonapi_error(422, detail, source={"pointer": pointer})


def error_shape(state: SandboxState, path: str) -> str:
    """The state's error shape for the Onna API; the admin surface always uses the envelope."""
    return state.error_shape if is_api_path(path) else "envelope"


def is_api_path(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def is_admin_path(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


@cache
def spec_text() -> bytes:
    return resources.files("onna_tui").joinpath("spec", "openapi.yaml").read_bytes()


T = TypeVar("T")


def paged(page: Callable[[], T]) -> T:
    """A list call whose cursor may be refused: 422 pointing at the parameter."""
    try:
        return page()
    except InvalidCursor as exc:
        raise ApiError(
            exc.status, [jsonapi_error(exc.status, str(exc), source={"parameter": "cursor"})]
        ) from None
    except NotFoundError as exc:
        raise ApiError(404, str(exc)) from None


def found(call: Callable[[], T]) -> T:
    """A call on a workspace or field that may not exist: 404 with the state's sentence."""
    try:
        return call()
    except NotFoundError as exc:
        raise ApiError(404, str(exc)) from None


def page_body(items: list[dict[str, Any]], cursor: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"items": items}
    if cursor is not None:
        body["cursor"] = cursor
    return body


def state_of(request: Request) -> SandboxState:
    """The state the app serves (``create_app`` puts it on ``app.state``)."""
    state: SandboxState = request.app.state.sandbox
    return state
