"""Every failure of the API layer as one exception with a sentence a person can act on.

The screens and the CLI show ``str(error)`` as it is: it says what happened and
what to do next, and never contains a secret. ``status`` and ``request_id`` are
there for ``--verbose`` and bug reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from onna_tui.errors import ExitCode, OnnaTuiError


class OnnaError(OnnaTuiError):
    """Base of every error the API layer raises."""

    title = "Onna API error"
    exit_code = ExitCode.API

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.request_id = request_id
        self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"

    def verbose(self) -> str:
        """The message plus the status code and request id, for --verbose."""
        extra = []
        if self.status is not None:
            extra.append(f"HTTP {self.status}")
        if self.code:
            extra.append(f"code {self.code}")
        if self.request_id:
            extra.append(f"request id {self.request_id}")
        return f"{self.message} [{', '.join(extra)}]" if extra else self.message


class InvalidCredentials(OnnaError):
    """The token endpoint refused the client id and secret."""

    title = "Invalid credentials"
    exit_code = ExitCode.AUTH


class TokenRefused(InvalidCredentials):
    """401 for a token that has not run out by our clock: revoked, or expired at the server.

    Whoever meets it drops that token from the shared cache, so no process hands it
    out again; the next call mints a new one."""

    title = "Token refused"


class HealthNeedsToken(OnnaError):
    """401 from /health: this server wants a (valid) token there. Not an outage."""

    title = "Health needs a token"
    exit_code = ExitCode.AUTH


class Unauthorized(OnnaError):
    """A freshly minted token was refused: the credentials work but may not make this call."""

    title = "Not authorized"
    exit_code = ExitCode.AUTH


class Forbidden(OnnaError):
    """403: the account may not do this (for example it lacks the developer role)."""

    title = "Forbidden"
    exit_code = ExitCode.AUTH


class NotFound(OnnaError):
    title = "Not found"


@dataclass(frozen=True)
class FieldError:
    """One server-side validation problem, tied to a request field when the server names one."""

    field: str | None
    message: str


class ValidationFailed(OnnaError):
    """422: the server rejected the request body or parameters."""

    title = "Rejected by the server"

    def __init__(self, message: str, *, field_errors: list[FieldError], **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.field_errors = field_errors

    def for_field(self, name: str) -> list[str]:
        return [e.message for e in self.field_errors if e.field == name]


class RateLimited(OnnaError):
    title = "Rate limited"

    def __init__(self, message: str, *, retry_after: float | None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(OnnaError):
    title = "Server error"


class BadResponse(OnnaError):
    """The server answered with something that is not JSON or not the documented shape."""

    title = "Unexpected response"


class PaginationError(BadResponse):
    """The server's cursors loop or never end."""

    title = "Paging stopped"


class NetworkError(OnnaError):
    """The server could not be reached, or did not answer in time."""

    title = "Network problem"
    exit_code = ExitCode.NETWORK


class Unreachable(NetworkError):
    title = "Cannot reach the server"


class TimedOut(NetworkError):
    title = "Timed out"


class OutcomeUnknown(NetworkError):
    """A request that changes something got no answer: it may or may not have taken effect."""

    title = "Outcome unknown"
