"""Refusals of the sandbox state: each carries the HTTP status the app answers with."""

from __future__ import annotations

from onna_tui.errors import OnnaTuiError


def lone_surrogate(text: str) -> str | None:
    """The first lone surrogate in ``text`` (which UTF-8 cannot encode), or None.

    JSON can spell one ("\\ud800"), Python keeps it, and any response that
    contains it then fails to encode; so the sandbox refuses such values.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return text[exc.start]
    return None


class SandboxError(OnnaTuiError):
    """Base of the state's refusals; ``status`` is the HTTP status the app answers with."""

    title = "Sandbox refused"
    status = 400


class NotFoundError(SandboxError):
    status = 404


class DeveloperRoleRevoked(SandboxError):
    """The user may not create new credentials (the guide's "revoke developer role")."""

    status = 403


class InvalidClient(SandboxError):
    """Unknown client id or wrong secret at the token endpoint."""

    status = 401


class TokenRejected(SandboxError):
    """A bearer token that is missing, unknown or expired; the message says which."""

    status = 401


class InvalidCursor(SandboxError):
    status = 422


class InvalidValue(SandboxError):
    """A value given to the admin surface or to a Python method that cannot be used."""

    status = 422


class StateFileError(SandboxError):
    """The --state file exists but cannot be read as sandbox state."""

    status = 500
