"""No usable answer, as a sentence: the connection failed, the deadline passed, or the
body was too large or undecodable. For requests that change something, the sentence
says whether it may have taken effect."""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

import httpx

from onna_tui.api.errors import BadResponse, OnnaError, OutcomeUnknown, TimedOut, Unreachable
from onna_tui.api.responses import header_request_id
from onna_tui.core.urls import host_of, host_port


def changes_state(method: str, url: str) -> bool:
    """Whether a retry of this request could do something twice."""
    # A token exchange changes nothing that a retry could duplicate.
    return method.upper() in {"POST", "PATCH", "PUT", "DELETE"} and not url.endswith("/oauth/token")


def _size(n: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:g} {unit}"
    return f"{n} bytes"


def _answered_note(method: str, url: str, status: int) -> str:
    if not changes_state(method, url) or not 200 <= status < 300:
        return ""
    return (
        f" It did answer HTTP {status}, so the request probably took effect: check the "
        "workspace list before trying again."
    )


def too_large(response: httpx.Response, max_body: int) -> BadResponse:
    """The body passed the size cap."""
    request = response.request
    return BadResponse(
        f"The answer was too large: {host_of(request.url)} sent more than "
        f"{_size(max_body)} in answer to {request.method} {request.url.path}, so onna-tui "
        "stopped reading it. Check that the base URL points at the Onna Platform API."
        + _answered_note(request.method, str(request.url), response.status_code),
        status=response.status_code,
        request_id=header_request_id(response),
    )


def undecodable(response: httpx.Response) -> BadResponse:
    """The body's content encoding is broken."""
    request = response.request
    encoding = response.headers.get("content-encoding", "").strip() or "its"
    return BadResponse(
        f"The answer could not be decoded: {host_of(request.url)} answered "
        f"{request.method} {request.url.path} (HTTP {response.status_code}) with a body "
        f"whose {encoding} encoding is broken. Try again; if it keeps happening, a proxy "
        "between you and Onna may be damaging answers."
        + _answered_note(request.method, str(request.url), response.status_code),
        status=response.status_code,
        request_id=header_request_id(response),
    )


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

_DNS_FAILURES = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo",
    "name resolution",
    "no address associated",
)


def timed_out(
    method: str, url: str, action: str, *, connecting: bool = False, deadline: float | None = None
) -> OnnaError:
    """No (complete) answer in time; for a request that changes state, an unknown outcome."""
    host = host_of(url)
    if connecting:
        return TimedOut(
            f"Could not connect to {host} in time to {action}; nothing was sent. "
            "Check your network or VPN and try again."
        )
    within = f" (no complete answer within {deadline:g} s)" if deadline is not None else ""
    if changes_state(method, url):
        return OutcomeUnknown(
            f"The request to {action} was sent but {host} did not answer in time{within}, so "
            "it may or may not have taken effect. Check the workspace list before trying "
            "again; onna-tui does not retry it for you."
        )
    return TimedOut(
        f"{host} did not answer in time{within} while trying to {action}. "
        "Try again; if it keeps happening, check the API health."
    )


def _connect_error(exc: httpx.ConnectError, url: str, action: str) -> OnnaError:
    host = host_of(url)
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
    if any(words in text for words in _DNS_FAILURES):
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


def transport_error(exc: httpx.HTTPError, method: str, url: str, *, action: str) -> OnnaError:
    """Turn an httpx transport failure into a sentence. ``action`` names what was being
    done ("create the workspace"); it matters for requests that change things."""
    host = host_of(url)
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return timed_out(method, url, action, connecting=True)
    if isinstance(exc, httpx.TimeoutException):
        return timed_out(method, url, action)
    if isinstance(exc, httpx.DecodingError):
        return BadResponse(
            f"The answer could not be decoded: {host} sent a body whose encoding is broken "
            f"while trying to {action}. Try again; if it keeps happening, a proxy between "
            "you and Onna may be damaging answers."
        )
    if isinstance(exc, httpx.ConnectError):
        return _connect_error(exc, url, action)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        if changes_state(method, url):
            return OutcomeUnknown(
                f"The connection to {host} dropped while trying to {action}, so it may or "
                "may not have taken effect. Check the workspace list before trying again; "
                "onna-tui does not retry it for you."
            )
        return Unreachable(f"The connection to {host} dropped while trying to {action}. Try again.")
    return Unreachable(f"Could not talk to {host} to {action} ({type(exc).__name__}).")
