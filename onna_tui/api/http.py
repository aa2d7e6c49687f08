"""The HTTP plumbing shared by every call: the one AsyncClient, sending a request within
a total deadline and a body-size cap, and turning responses and transport failures
into ``OnnaError``s with actionable text.

httpx's own timeouts bound each phase (connect, each read, each write), but its read
timeout restarts with every byte, so a server that trickles one byte every few
seconds would hold a request forever; and a response body is buffered whole. Every
request therefore goes through ``send``: a deadline covers connecting, the headers
and the whole body, and the body is read in chunks and abandoned past a cap.
"""

from __future__ import annotations

import asyncio
import json
import math
import ssl
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from onna_tui import __version__
from onna_tui.api.errors import (
    BadResponse,
    Forbidden,
    InvalidCredentials,
    NotFound,
    OnnaError,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TimedOut,
    TokenRefused,
    Unreachable,
    ValidationFailed,
)
from onna_tui.api.problems import MAX_TOKEN_TEXT, ServerProblem, clean_text, read_problem
from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.urls import host_of, host_port

USER_AGENT = f"onna-tui/{__version__}"
#: Connect fast or fail; allow the server a while to answer.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)
#: The most one request may take, from connecting to the last byte of the body.
DEFAULT_DEADLINE = 60.0
#: The largest response body read. Onna's biggest answer (a page of workspaces, each
#: with up to 10000 tags) is a few MiB at most; a bigger one is not the API.
MAX_BODY_BYTES = 32 * 1024 * 1024

#: A Retry-After beyond a day is treated as a day (and never retried automatically).
MAX_RETRY_AFTER = 86400.0

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class RequestLimits:
    """The bounds every request is sent with (tests pass small ones)."""

    #: Seconds for the whole request: connect, send, headers and the whole body.
    deadline: float = DEFAULT_DEADLINE
    #: Bytes of (decoded) response body read before giving up.
    max_body: int = MAX_BODY_BYTES


DEFAULT_LIMITS = RequestLimits()


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


# ------------------------------------------------------------------ sending


def _changes_state(method: str, url: str) -> bool:
    # A token exchange changes nothing that a retry could duplicate.
    return method.upper() in {"POST", "PATCH", "PUT", "DELETE"} and not url.endswith("/oauth/token")


def _size(n: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:g} {unit}"
    return f"{n} bytes"


def _answered_note(method: str, url: str, status: int) -> str:
    if not _changes_state(method, url) or not 200 <= status < 300:
        return ""
    return (
        f" It did answer HTTP {status}, so the request probably took effect: check the "
        "workspace list before trying again."
    )


def _too_large(response: httpx.Response, max_body: int) -> BadResponse:
    request = response.request
    return BadResponse(
        f"The answer was too large: {host_of(request.url)} sent more than "
        f"{_size(max_body)} in answer to {request.method} {request.url.path}, so onna-tui "
        "stopped reading it. Check that the base URL points at the Onna Platform API."
        + _answered_note(request.method, str(request.url), response.status_code),
        status=response.status_code,
        request_id=_header_request_id(response),
    )


def _undecodable(response: httpx.Response) -> BadResponse:
    request = response.request
    encoding = response.headers.get("content-encoding", "").strip() or "its"
    return BadResponse(
        f"The answer could not be decoded: {host_of(request.url)} answered "
        f"{request.method} {request.url.path} (HTTP {response.status_code}) with a body "
        f"whose {encoding} encoding is broken. Try again; if it keeps happening, a proxy "
        "between you and Onna may be damaging answers."
        + _answered_note(request.method, str(request.url), response.status_code),
        status=response.status_code,
        request_id=_header_request_id(response),
    )


async def _read_body(response: httpx.Response, max_body: int) -> bytes:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    declared = response.headers.get("content-length", "").strip()
    if encoding in ("", "identity") and declared.isdigit() and int(declared) > max_body:
        raise _too_large(response, max_body)
    chunks: list[bytes] = []
    total = 0
    # Decoded bytes are counted, so a small gzip bomb is stopped too.
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > max_body:
            raise _too_large(response, max_body)
        chunks.append(chunk)
    return b"".join(chunks)


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
) -> httpx.Response:
    """One request within ``limits``: the answer, read whole, or an OnnaError saying why
    there is none (transport failure, deadline, too large, undecodable)."""
    try:
        request = http.build_request(
            method, url, headers=headers, params=params, json=json, data=data
        )
    except httpx.InvalidURL:
        raise BadResponse(
            f"The URL to {action} is not valid (too long, or with characters a URL cannot "
            "hold); check the base URL and any id you gave."
        ) from None
    try:
        async with asyncio.timeout(limits.deadline):
            response = await http.send(request, stream=True)
            try:
                content = await _read_body(response, limits.max_body)
            except httpx.DecodingError:
                raise _undecodable(response) from None
            finally:
                await response.aclose()
    except TimeoutError:
        raise _timed_out(method, url, action, deadline=limits.deadline) from None
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


# ------------------------------------------------------------ transport errors


def _host_and_port(url: str) -> str:
    """host:port with the scheme's default port spelled out (for "does not speak https")."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return host_port(parts.hostname, port)
    except ValueError:
        return "the server"


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


#: What OpenSSL says when the other end answers a TLS hello in plain text (an http
#: server on an https URL): 1.1/3.0, 3.2+, and the variants seen in between.
_NOT_TLS = (
    "wrong version number",
    "wrong_version_number",
    "record layer failure",
    "record_layer_failure",
    "http request",
    "http_request",
    "packet length too long",
    "packet_length_too_long",
    "unknown protocol",
    "unknown_protocol",
)


def _timed_out(
    method: str, url: str, action: str, *, connecting: bool = False, deadline: float | None = None
) -> OnnaError:
    host = host_of(url)
    if connecting:
        return TimedOut(
            f"Could not connect to {host} in time to {action}; nothing was sent. "
            "Check your network or VPN and try again."
        )
    within = f" (no complete answer within {deadline:g} s)" if deadline is not None else ""
    if _changes_state(method, url):
        return OutcomeUnknown(
            f"The request to {action} was sent but {host} did not answer in time{within}, so "
            "it may or may not have taken effect. Check the workspace list before trying "
            "again; onna-tui does not retry it for you."
        )
    return TimedOut(
        f"{host} did not answer in time{within} while trying to {action}. "
        "Try again; if it keeps happening, check the API health."
    )


def transport_error(exc: httpx.HTTPError, method: str, url: str, *, action: str) -> OnnaError:
    """Turn an httpx transport failure into a sentence. ``action`` names what was being
    done ("create the workspace"); it matters for requests that change things."""
    host = host_of(url)
    changes_state = _changes_state(method, url)
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return _timed_out(method, url, action, connecting=True)
    if isinstance(exc, httpx.TimeoutException):
        return _timed_out(method, url, action)
    if isinstance(exc, httpx.DecodingError):
        return BadResponse(
            f"The answer could not be decoded: {host} sent a body whose encoding is broken "
            f"while trying to {action}. Try again; if it keeps happening, a proxy between "
            "you and Onna may be damaging answers."
        )
    if isinstance(exc, httpx.ConnectError):
        text = _root_cause_text(exc)
        if _has_ssl_cause(exc):
            if url.lower().startswith("https:") and any(words in text for words in _NOT_TLS):
                return Unreachable(
                    f"The server at {_host_and_port(url)} does not speak https; is the base "
                    "URL's scheme right? (The sandbox and other servers on this machine "
                    "speak plain http://.) Nothing was sent."
                )
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


def _header_request_id(response: httpx.Response) -> str | None:
    for header in ("x-request-id", "x-correlation-id", "request-id"):
        if header in response.headers:
            return clean_text(response.headers[header], MAX_TOKEN_TEXT)
    return None


def problem_of(response: httpx.Response) -> ServerProblem:
    """What the server said in ``response`` (any error shape; see api.problems)."""
    return read_problem(response.content, response.headers.get("content-type"))


def request_id_of(response: httpx.Response, problem: ServerProblem | None = None) -> str | None:
    """The request id from the headers, else from the error body."""
    rid = _header_request_id(response)
    if rid is not None:
        return rid
    if problem is None and response.status_code >= 400:
        problem = problem_of(response)
    return problem.request_id if problem is not None else None


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
            request_id=_header_request_id(response),
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
            request_id=_header_request_id(response),
        ) from None


def server_said(problem: ServerProblem) -> str:
    """`` The server said: ….`` or nothing."""
    if not problem.text:
        return ""
    text = problem.text
    return f" The server said: {text if text.endswith(('.', '!', '?', '…')) else text + '.'}"


def token_endpoint_error(response: httpx.Response) -> OnnaError:
    """A failed POST /oauth/token as a sentence."""
    problem = problem_of(response)
    rid = request_id_of(response, problem)
    status = response.status_code
    oauth = problem.oauth_error
    said = server_said(problem)
    kw: dict[str, Any] = {"status": status, "request_id": rid, "code": problem.code}
    if status == 401 or (status == 400 and oauth == "invalid_client"):
        return InvalidCredentials(
            f"Onna rejected the client id or client secret.{said} Check both against the "
            "Platform API app (API credentials); a lost secret cannot be shown again, so "
            "create new credentials there and update the profile.",
            **kw,
        )
    if status == 422:
        fields = sorted({e.field for e in problem.field_errors if e.field})
        missing = f" (missing or invalid: {', '.join(fields)})" if fields else ""
        return InvalidCredentials(
            f"Onna could not read the credentials{missing}.{'' if fields else said} Make sure "
            "the profile has both a client id and a client secret.",
            **kw,
        )
    if status == 400:
        # A refused exchange whatever the body: RFC 6749 says 400, with or without
        # the standard {"error": ...} (a proxy or another server may send anything).
        why = oauth or f"HTTP {status}"
        return InvalidCredentials(
            f"Onna refused the token request ({why}).{said} Check the client id and "
            "secret, and that the base URL is the Onna Platform API (it ends in /v1).",
            **kw,
        )
    if status in (404, 405):
        path = response.request.url.path
        return NotFound(
            f"{host_of(response.request.url)} has no token endpoint at {path} "
            f"(HTTP {status}): the base URL probably lacks the API's path or has a wrong "
            f"one. It should end in /v1, like https://api.onna.com/v1.{said}",
            **kw,
        )
    return response_error(response, action="get a token")


def response_error(
    response: httpx.Response, *, action: str, clock: Clock = system_clock
) -> OnnaError:
    """Any non-2xx response (other than the token endpoint's) as a sentence."""
    problem = problem_of(response)
    rid = request_id_of(response, problem)
    status = response.status_code
    said_part = server_said(problem)
    kw: dict[str, Any] = {"status": status, "request_id": rid, "code": problem.code}
    if status == 401:
        # Reached only when the caller does not handle 401 itself.
        return TokenRefused(
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
        fields = problem.field_errors
        if fields:
            parts = [f"{e.field}: {e.message}" if e.field else e.message for e in fields]
            detail = "; ".join(parts)
        else:
            detail = (problem.text or "the request was not valid").rstrip(".")
        return ValidationFailed(
            f"Onna rejected the request to {action}: {detail}. Correct it and try again.",
            field_errors=fields,
            **kw,
        )
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"), clock)
        wait = f" in {int(retry_after + 0.999)} s" if retry_after is not None else " in a minute"
        return RateLimited(
            f"Onna is rate limiting requests (HTTP 429) while trying to {action}.{said_part} "
            f"Try again{wait}.",
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
        location = clean_text(response.headers.get("location"), 200) or "somewhere else"
        return BadResponse(
            f"The server redirected the request to {location} instead of answering. "
            "Check the base URL (it should end in /v1).",
            **kw,
        )
    return OnnaError(f"Onna refused the request to {action} (HTTP {status}).{said_part}", **kw)
