"""A refusal as a sentence: any non-2xx answer becomes the OnnaError that says what
happened and what to do next. The token endpoint has its own reading of 400/401/422."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from onna_tui.api.errors import (
    BadResponse,
    Forbidden,
    InvalidCredentials,
    NotFound,
    OnnaError,
    RateLimited,
    ServerError,
    TokenRefused,
    ValidationFailed,
)
from onna_tui.api.problems import ServerProblem, clean_text
from onna_tui.api.responses import parse_retry_after, problem_of, request_id_of, server_said
from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.urls import host_of


@dataclass(frozen=True)
class Refusal:
    """One refused answer, read once: what each status's sentence is built from."""

    response: httpx.Response
    problem: ServerProblem
    action: str
    clock: Clock

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def said(self) -> str:
        return server_said(self.problem)

    @property
    def kw(self) -> dict[str, Any]:
        """The status, request id and code every error carries."""
        return {
            "status": self.status,
            "request_id": request_id_of(self.response, self.problem),
            "code": self.problem.code,
        }


def _unauthorized(r: Refusal) -> OnnaError:
    # Reached only when the caller does not handle 401 itself.
    return TokenRefused(
        f"Onna refused the access token while trying to {r.action}.{r.said} "
        "Get a new token and try again.",
        **r.kw,
    )


def _forbidden(r: Refusal) -> OnnaError:
    return Forbidden(
        f"Onna does not allow these credentials to {r.action}.{r.said} If they should, "
        "ask an Onna admin to check that your user has the developer role in the "
        "Platform API app.",
        **r.kw,
    )


def _not_found(r: Refusal) -> OnnaError:
    return NotFound(
        f"Onna found nothing to {r.action} at {r.response.request.url.path}.{r.said} "
        "Check the id (the workspace list shows them) and the base URL.",
        **r.kw,
    )


def _invalid(r: Refusal) -> OnnaError:
    fields = r.problem.field_errors
    if fields:
        parts = [f"{e.field}: {e.message}" if e.field else e.message for e in fields]
        detail = "; ".join(parts)
    else:
        detail = (r.problem.text or "the request was not valid").rstrip(".")
    return ValidationFailed(
        f"Onna rejected the request to {r.action}: {detail}. Correct it and try again.",
        field_errors=fields,
        **r.kw,
    )


def _rate_limited(r: Refusal) -> OnnaError:
    retry_after = parse_retry_after(r.response.headers.get("retry-after"), r.clock)
    wait = f" in {int(retry_after + 0.999)} s" if retry_after is not None else " in a minute"
    return RateLimited(
        f"Onna is rate limiting requests (HTTP 429) while trying to {r.action}.{r.said} "
        f"Try again{wait}.",
        retry_after=retry_after,
        **r.kw,
    )


def _server_error(r: Refusal) -> OnnaError:
    return ServerError(
        f"Onna had a problem (HTTP {r.status}) while trying to {r.action}.{r.said} "
        "Try again in a minute; if it persists, check the API health and quote the "
        "request id when reporting it.",
        **r.kw,
    )


def _redirected(r: Refusal) -> OnnaError:
    location = clean_text(r.response.headers.get("location"), 200) or "somewhere else"
    return BadResponse(
        f"The server redirected the request to {location} instead of answering. "
        "Check the base URL (it should end in /v1).",
        **r.kw,
    )


def _other(r: Refusal) -> OnnaError:
    return OnnaError(f"Onna refused the request to {r.action} (HTTP {r.status}).{r.said}", **r.kw)


_BY_STATUS: dict[int, Callable[[Refusal], OnnaError]] = {
    401: _unauthorized,
    403: _forbidden,
    404: _not_found,
    422: _invalid,
    429: _rate_limited,
}


def _sentence_for(status: int) -> Callable[[Refusal], OnnaError]:
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return _server_error
    if 300 <= status < 400:
        return _redirected
    return _other


def response_error(
    response: httpx.Response, *, action: str, clock: Clock = system_clock
) -> OnnaError:
    """Any non-2xx response (other than the token endpoint's) as a sentence."""
    refusal = Refusal(response, problem_of(response), action, clock)
    return _sentence_for(refusal.status)(refusal)


def token_endpoint_error(response: httpx.Response) -> OnnaError:
    """A failed POST /oauth/token as a sentence."""
    r = Refusal(response, problem_of(response), "get a token", system_clock)
    status, oauth, said = r.status, r.problem.oauth_error, r.said
    if status == 401 or (status == 400 and oauth == "invalid_client"):
        return InvalidCredentials(
            f"Onna rejected the client id or client secret.{said} Check both against the "
            "Platform API app (API credentials); a lost secret cannot be shown again, so "
            "create new credentials there and update the profile.",
            **r.kw,
        )
    if status == 422:
        fields = sorted({e.field for e in r.problem.field_errors if e.field})
        missing = f" (missing or invalid: {', '.join(fields)})" if fields else ""
        return InvalidCredentials(
            f"Onna could not read the credentials{missing}.{'' if fields else said} Make sure "
            "the profile has both a client id and a client secret.",
            **r.kw,
        )
    if status == 400:
        # A refused exchange whatever the body: RFC 6749 says 400, with or without
        # the standard {"error": ...} (a proxy or another server may send anything).
        return InvalidCredentials(
            f"Onna refused the token request ({oauth or f'HTTP {status}'}).{said} Check the "
            "client id and secret, and that the base URL is the Onna Platform API (it ends "
            "in /v1).",
            **r.kw,
        )
    if status in (404, 405):
        return NotFound(
            f"{host_of(response.request.url)} has no token endpoint at "
            f"{response.request.url.path} (HTTP {status}): the base URL probably lacks the "
            f"API's path or has a wrong one. It should end in /v1, like "
            f"https://api.onna.com/v1.{said}",
            **r.kw,
        )
    return response_error(response, action="get a token")
