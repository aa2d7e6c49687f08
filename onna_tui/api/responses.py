"""Reading an answer: its JSON, its wire model, its request id, its Retry-After, and what
the server said when it refused (the body shapes themselves are read in api.problems)."""

from __future__ import annotations

import json
import math
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from onna_tui.api.errors import BadResponse
from onna_tui.api.problems import MAX_TOKEN_TEXT, ServerProblem, clean_text, read_problem
from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.urls import host_of

#: A Retry-After beyond a day is treated as a day (and never retried automatically).
MAX_RETRY_AFTER = 86400.0

ModelT = TypeVar("ModelT", bound=BaseModel)


def header_request_id(response: httpx.Response) -> str | None:
    """The request id a response's headers carry, if any."""
    for header in ("x-request-id", "x-correlation-id", "request-id"):
        if header in response.headers:
            return clean_text(response.headers[header], MAX_TOKEN_TEXT)
    return None


def problem_of(response: httpx.Response) -> ServerProblem:
    """What the server said in ``response`` (any error shape; see api.problems)."""
    return read_problem(response.content, response.headers.get("content-type"))


def request_id_of(response: httpx.Response, problem: ServerProblem | None = None) -> str | None:
    """The request id from the headers, else from the error body."""
    rid = header_request_id(response)
    if rid is not None:
        return rid
    if problem is None and response.status_code >= 400:
        problem = problem_of(response)
    return problem.request_id if problem is not None else None


def server_said(problem: ServerProblem) -> str:
    """`` The server said: ….`` or nothing."""
    if not problem.text:
        return ""
    text = problem.text
    return f" The server said: {text if text.endswith(('.', '!', '?', '…')) else text + '.'}"


def parse_retry_after(value: str | None, clock: Clock = system_clock) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return min(max(0.0, seconds), MAX_RETRY_AFTER) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(0.0, (when - clock()).total_seconds()), MAX_RETRY_AFTER)


def _what(response: httpx.Response) -> str:
    request = response.request
    return f"{host_of(request.url)} answered {request.method} {request.url.path}"


def json_body(response: httpx.Response) -> Any:
    """The body as JSON, or raise BadResponse saying what came instead."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError, RecursionError):
        ctype = clean_text(response.headers.get("content-type"), MAX_TOKEN_TEXT)
        raise BadResponse(
            f"{_what(response)} with something that is not JSON ({ctype or 'no content type'}). "
            "Check that the base URL points at the Onna Platform API (it ends in /v1).",
            status=response.status_code,
            request_id=header_request_id(response),
        ) from None


def parse_model(model: type[ModelT], response: httpx.Response) -> ModelT:
    """Validate a 2xx body against its wire model, or raise BadResponse."""
    body = json_body(response)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in err["loc"]) or "body" for err in exc.errors()})
        shown = clean_text(", ".join(fields), 200)
        raise BadResponse(
            f"{_what(response)} with JSON that is not the documented shape "
            f"(problem with: {shown}). Check that the base URL points at the "
            "Onna Platform API.",
            status=response.status_code,
            request_id=header_request_id(response),
        ) from None
