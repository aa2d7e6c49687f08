"""The HTTP plumbing shared by every call: base-URL policy, the one AsyncClient, and
turning responses and transport failures into ``OnnaError``s with actionable text.
"""

from __future__ import annotations

import json
import math
import ssl
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from onna_tui import __version__
from onna_tui.clock import Clock, system_clock
from onna_tui.models import FastApiValidationError, JsonApiErrors, OAuthError
from onna_tui.service.errors import (
    BadResponse,
    FieldError,
    Forbidden,
    InvalidCredentials,
    NotFound,
    OnnaError,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TimedOut,
    Unreachable,
    ValidationFailed,
)

USER_AGENT = f"onna-tui/{__version__}"
#: Connect fast or fail; allow the server a while to answer.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)

#: A Retry-After beyond a day is treated as a day (and never retried automatically).
MAX_RETRY_AFTER = 86400.0

ModelT = TypeVar("ModelT", bound=BaseModel)


def make_http_client(
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
) -> httpx.AsyncClient:
    """The process's AsyncClient: keep-alive, TLS verification always on, our User-Agent."""
    return httpx.AsyncClient(
        transport=transport,
        # Plain http is only ever loopback (see normalize_base_url): never send it
        # through an HTTP_PROXY from the environment, where a client secret would
        # cross the network in clear text. https still honours proxy settings.
        mounts={"http://": None},
        timeout=timeout,
        verify=True,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
    )


# ------------------------------------------------------------ transport errors


def _host_of(url: str) -> str:
    """host[:port] of a URL, never any user info."""
    parts = urlsplit(url)
    host = parts.hostname or "the server"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def _root_cause_text(exc: BaseException) -> str:
    seen: list[str] = []
    cur: BaseException | None = exc
    while cur is not None and len(seen) < 6:
        seen.append(f"{type(cur).__name__}: {cur}")
        cur = cur.__cause__ or cur.__context__
    return " | ".join(seen).lower()


def _has_ssl_cause(exc: BaseException) -> bool:
    cur: BaseException | None = exc
    while cur is not None:
        if isinstance(cur, ssl.SSLError):
            return True
        cur = cur.__cause__ or cur.__context__
    return "certificate" in _root_cause_text(exc) or "ssl" in _root_cause_text(exc)


def transport_error(exc: httpx.HTTPError, method: str, url: str, *, action: str) -> OnnaError:
    """Turn an httpx transport failure into a sentence. ``action`` names what was being
    done ("create the workspace"); it matters for requests that change things."""
    host = _host_of(url)
    changes_state = method.upper() in {"POST", "PATCH", "PUT", "DELETE"} and not url.endswith(
        "/oauth/token"
    )
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return TimedOut(
            f"Could not connect to {host} in time to {action}; nothing was sent. "
            "Check your network or VPN and try again."
        )
    if isinstance(exc, httpx.TimeoutException):
        if changes_state:
            return OutcomeUnknown(
                f"The request to {action} was sent but {host} did not answer in time, so it "
                "may or may not have taken effect. Check the workspace list before trying "
                "again; onna-tui does not retry it for you."
            )
        return TimedOut(
            f"{host} did not answer in time while trying to {action}. "
            "Try again; if it keeps happening, check the API health."
        )
    if isinstance(exc, httpx.ConnectError):
        text = _root_cause_text(exc)
        if _has_ssl_cause(exc):
            return Unreachable(
                f"The TLS certificate of {host} could not be verified, so onna-tui did not "
                "send anything. Check the base URL; if you are behind a company proxy, "
                "make its CA trusted (SSL_CERT_FILE)."
            )
        if (
            "name or service not known" in text
            or "nodename nor servname" in text
            or ("getaddrinfo" in text)
            or "name resolution" in text
            or "no address associated" in text
        ):
            return Unreachable(
                f"The host {host} could not be found (DNS). Check the base URL for typos "
                "and your network connection."
            )
        if "refused" in text:
            return Unreachable(
                f"{host} refused the connection: nothing is listening there. Check the "
                "base URL (is the sandbox running?) and try again."
            )
        return Unreachable(
            f"Could not connect to {host} to {action}. Check the base URL and your network."
        )
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        if changes_state:
            return OutcomeUnknown(
                f"The connection to {host} dropped while trying to {action}, so it may or "
                "may not have taken effect. Check the workspace list before trying again; "
                "onna-tui does not retry it for you."
            )
        return Unreachable(f"The connection to {host} dropped while trying to {action}. Try again.")
    return Unreachable(f"Could not talk to {host} to {action} ({type(exc).__name__}).")


# ------------------------------------------------------------ response errors


def request_id_of(response: httpx.Response, body: Any = None) -> str | None:
    for header in ("x-request-id", "x-correlation-id", "request-id"):
        if header in response.headers:
            return response.headers[header]
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            value = errors[0].get("id")
            return str(value) if value is not None else None
    return None


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


def json_body(response: httpx.Response) -> Any:
    """The body as JSON, or raise BadResponse saying what came instead."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        ctype = response.headers.get("content-type", "no content type")
        raise BadResponse(
            f"{response.request.url.host} answered {response.request.method} "
            f"{response.request.url.path} with something that is not JSON ({ctype}). "
            "Check that the base URL points at the Onna Platform API (it ends in /v1).",
            status=response.status_code,
            request_id=request_id_of(response),
        ) from None


def parse_model(model: type[ModelT], response: httpx.Response) -> ModelT:
    """Validate a 2xx body against its wire model, or raise BadResponse."""
    body = json_body(response)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in err["loc"]) or "body" for err in exc.errors()})
        raise BadResponse(
            f"{response.request.url.host} answered {response.request.method} "
            f"{response.request.url.path} with JSON that is not the documented shape "
            f"(problem with: {', '.join(fields)}). Check that the base URL points at the "
            "Onna Platform API.",
            status=response.status_code,
            request_id=request_id_of(response, body),
        ) from None


def _safe_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None


def _field_from_pointer(source: dict[str, Any] | None) -> str | None:
    if not source:
        return None
    pointer = source.get("pointer")
    if isinstance(pointer, str) and pointer.strip("/"):
        parts = [p for p in pointer.split("/") if p and p != "data" and p != "attributes"]
        return parts[0] if parts else None
    parameter = source.get("parameter")
    return str(parameter) if parameter else None


def _field_from_loc(loc: list[str | int]) -> str | None:
    names = [
        str(p) for p in loc if p not in ("body", "query", "path", "header") and isinstance(p, str)
    ]
    return names[0] if names else None


def _jsonapi(body: Any) -> JsonApiErrors | None:
    try:
        doc = JsonApiErrors.model_validate(body)
    except ValidationError:
        return None
    return doc if doc.errors else None


def field_errors_of(body: Any) -> list[FieldError]:
    """Field-level problems from either documented 422 shape."""
    doc = _jsonapi(body)
    if doc is not None:
        return [
            FieldError(
                _field_from_pointer(e.source),
                e.detail or e.title or e.code,
            )
            for e in doc.errors
        ]
    try:
        fastapi = FastApiValidationError.model_validate(body)
    except ValidationError:
        return []
    return [FieldError(_field_from_loc(item.loc), item.msg) for item in fastapi.detail]


def _server_words(body: Any) -> str | None:
    doc = _jsonapi(body)
    if doc is None:
        return None
    first = doc.errors[0]
    return first.detail or first.title


def token_endpoint_error(response: httpx.Response) -> OnnaError:
    """A failed POST /oauth/token as a sentence."""
    body = _safe_json(response)
    rid = request_id_of(response, body)
    status = response.status_code
    oauth: OAuthError | None = None
    if isinstance(body, dict) and "error" in body:
        try:
            oauth = OAuthError.model_validate(body)
        except ValidationError:
            oauth = None
    if status == 401 or (status == 400 and oauth is not None and oauth.error == "invalid_client"):
        return InvalidCredentials(
            "Onna rejected the client id or client secret. Check both against the "
            "Platform API app (API credentials); a lost secret cannot be shown again, so "
            "create new credentials there and update the profile.",
            status=status,
            request_id=rid,
            code=oauth.error if oauth else None,
        )
    if status == 422:
        fields = sorted({e.field for e in field_errors_of(body) if e.field})
        missing = f" (missing or invalid: {', '.join(fields)})" if fields else ""
        return InvalidCredentials(
            f"Onna could not read the credentials{missing}. Make sure the profile has both "
            "a client id and a client secret.",
            status=status,
            request_id=rid,
        )
    if status == 400 and oauth is not None:
        return InvalidCredentials(
            f"Onna refused the token request ({oauth.error}). Check the client id and "
            "secret, and that the base URL is the Onna Platform API.",
            status=status,
            request_id=rid,
            code=oauth.error,
        )
    return response_error(response, action="get a token")


def response_error(
    response: httpx.Response, *, action: str, clock: Clock = system_clock
) -> OnnaError:
    """Any non-2xx response (other than the token endpoint's) as a sentence."""
    body = _safe_json(response)
    rid = request_id_of(response, body)
    status = response.status_code
    doc = _jsonapi(body)
    code = doc.errors[0].code if doc else None
    said = _server_words(body)
    said_part = f" The server said: {said.rstrip('.')}." if said else ""
    kw: dict[str, Any] = {"status": status, "request_id": rid, "code": code}
    if status == 401:
        # Reached only when the caller does not handle 401 itself.
        return InvalidCredentials(
            f"Onna refused the access token while trying to {action}.{said_part} "
            "Get a new token and try again.",
            **kw,
        )
    if status == 403:
        return Forbidden(
            f"Onna does not allow these credentials to {action}.{said_part} If they should, "
            "ask an Onna admin to check that your user has the developer role in the "
            "Platform API app.",
            **kw,
        )
    if status == 404:
        return NotFound(
            f"Onna found nothing to {action} at {response.request.url.path}.{said_part} "
            "Check the id (the workspace list shows them) and the base URL.",
            **kw,
        )
    if status == 422:
        fields = field_errors_of(body)
        if fields:
            parts = [f"{e.field}: {e.message}" if e.field else e.message for e in fields]
            detail = "; ".join(parts)
        else:
            detail = said or "the request was not valid"
        return ValidationFailed(
            f"Onna rejected the request to {action}: {detail}. Correct it and try again.",
            field_errors=fields,
            **kw,
        )
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"), clock)
        wait = f" in {int(retry_after + 0.999)} s" if retry_after is not None else " in a minute"
        return RateLimited(
            f"Onna is rate limiting requests (HTTP 429) while trying to {action}. Try again{wait}.",
            retry_after=retry_after,
            **kw,
        )
    if status >= 500:
        return ServerError(
            f"Onna had a problem (HTTP {status}) while trying to {action}.{said_part} "
            "Try again in a minute; if it persists, check the API health and quote the "
            "request id when reporting it.",
            **kw,
        )
    if 300 <= status < 400:
        location = response.headers.get("location", "somewhere else")
        return BadResponse(
            f"The server redirected the request to {location} instead of answering. "
            "Check the base URL (it should end in /v1).",
            **kw,
        )
    return OnnaError(f"Onna refused the request to {action} (HTTP {status}).{said_part}", **kw)
