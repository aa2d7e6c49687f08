"""Injected faults: what the sandbox does wrong on purpose, so clients can be tested against it.

A `Fault` matches requests by method and path prefix and is used up after
``count`` matching requests. The kinds (which can be combined where it makes
sense) are:

- ``latency``: the server waits that many seconds (a real ``asyncio.sleep``)
  before answering. Alone, the request is then served normally.
- ``status`` / ``body`` / ``headers``: answer with that status instead of serving
  the request; the body defaults to a proper JSON:API error for the status.
  ``headers`` alone (for example ``Retry-After``) are added to the normal answer.
  Names must be tokens and values printable text on one line (no CR, LF or
  other control characters); the framing headers (Content-Length,
  Transfer-Encoding, Connection) cannot be injected.
- ``malformed``: answer (200 unless ``status`` says otherwise) with a body that
  is not JSON at all.
- ``wrong_shape``: answer (200 unless ``status`` says otherwise) with JSON that
  is not the documented shape of any operation.
- ``drop``: close the connection without a complete response. ``"before"``
  does not perform the request; ``"after"`` performs it (for example creates the
  workspace) and then drops, so the client cannot know whether it happened.
  ``"during"`` lets the app read only the first ``drop_after_bytes`` bytes of the
  request body (default: half its Content-Length) and then drops: a PATCH cut
  half way, whose first part a TUS server keeps.

This module describes faults and keeps the queue of them (`FaultQueue`, owned and
locked by `SandboxState`); `onna_tui.sandbox.app` applies them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from onna_tui.errors import OnnaTuiError

#: The body sent by a ``malformed`` fault: what a misconfigured proxy might answer.
MALFORMED_BODY = b"<html><body>oops: upstream returned garbage</body></html>"
#: The body sent by a ``wrong_shape`` fault: valid JSON, but no operation documents it.
WRONG_SHAPE_BODY: dict[str, Any] = {"unexpected": "this is not the documented shape"}

_KNOWN_KEYS = frozenset(
    {
        "path",
        "method",
        "count",
        "status",
        "body",
        "headers",
        "latency",
        "malformed",
        "wrong_shape",
        "drop",
        "drop_after_bytes",
    }
)


#: RFC 9110 field-name: a token.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
#: RFC 9110 field-value, without obs-text's C1 controls: visible characters
#: (Latin-1, the encoding headers go out in) with single spaces or tabs between
#: them, none at either end. No CR or LF, so a fault cannot forge a header line.
_HEADER_VALUE = re.compile(r"(?:[\x21-\x7e\xa0-\xff]+(?:[ \t]+[\x21-\x7e\xa0-\xff]+)*)?")
#: Headers that frame the message: overriding them breaks the HTTP stream
#: itself instead of telling the client something (``drop`` does that on purpose).
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})


class FaultSpecError(OnnaTuiError, ValueError):
    """A fault description that cannot be used; the message names the field.

    Still a ValueError too, for callers that catch one."""

    title = "Fault refused"

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


def _pointer_token(name: str) -> str:
    """``name`` as one JSON pointer segment (RFC 6901)."""
    return name.replace("~", "~0").replace("/", "~1")


def check_headers(headers: Mapping[str, str]) -> None:
    """Raise FaultSpecError unless every header name and value can go on the wire as it is."""
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name):
            raise FaultSpecError(
                "headers",
                f"{name!r} is not a header name: use letters, digits and -, with no spaces "
                "or control characters.",
            )
        if name.lower() in _FRAMING_HEADERS:
            raise FaultSpecError(
                f"headers/{_pointer_token(name)}",
                f"{name} frames the HTTP message and cannot be injected; use drop to cut a "
                "response short.",
            )
        if not _HEADER_VALUE.fullmatch(value):
            raise FaultSpecError(
                f"headers/{_pointer_token(name)}",
                f"The value of {name} must be printable text on one line: no line breaks "
                "or other control characters, and no space at either end.",
            )


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised by the app to abort a response half-way (a ``drop`` fault).

    Over real uvicorn the exception closes the socket, so the client sees a
    truncated response. It subclasses httpx's RemoteProtocolError on purpose:
    with ``httpx.ASGITransport`` the app's exception reaches the client as it
    is, so in-process tests see the same exception type as networked ones.
    """


def _normalise_path(path: str) -> str:
    # Faults only ever apply to the Onna API, so "/workspaces" means "/v1/workspaces".
    if not path.startswith("/"):
        path = "/" + path
    if path == "/v1" or path.startswith("/v1/"):
        return path
    return "/v1" + path


@dataclass
class Fault:
    """One injected fault; see the module docstring for what each field does."""

    path: str = "/v1"
    method: str | None = None
    count: int = 1
    status: int | None = None
    body: Any = None
    has_body: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    latency: float = 0.0
    malformed: bool = False
    wrong_shape: bool = False
    drop: Literal["before", "after", "during"] | None = None
    drop_after_bytes: int | None = None

    def __post_init__(self) -> None:
        self.path = _normalise_path(self.path)
        if self.method is not None:
            self.method = self.method.upper()
        check_headers(self.headers)

    def matches(self, method: str, path: str) -> bool:
        """True when this fault applies to a request (prefix match on the path)."""
        if self.method is not None and method.upper() != self.method:
            return False
        return path.startswith(self.path)

    @property
    def replaces_response(self) -> bool:
        """True when the request is answered by the fault instead of the app."""
        return self.status is not None or self.has_body or self.malformed or self.wrong_shape

    def to_json(self) -> dict[str, Any]:
        """The fault as the admin API shows it."""
        out: dict[str, Any] = {"path": self.path, "method": self.method, "count": self.count}
        if self.status is not None:
            out["status"] = self.status
        if self.has_body:
            out["body"] = self.body
        if self.headers:
            out["headers"] = dict(self.headers)
        if self.latency:
            out["latency"] = self.latency
        if self.malformed:
            out["malformed"] = True
        if self.wrong_shape:
            out["wrong_shape"] = True
        if self.drop:
            out["drop"] = self.drop
        if self.drop_after_bytes is not None:
            out["drop_after_bytes"] = self.drop_after_bytes
        return out

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        """Build a fault from the admin API's JSON, or raise FaultSpecError naming the field."""
        if not isinstance(data, Mapping):
            raise FaultSpecError("", "The fault must be a JSON object.")
        unknown = sorted(set(data) - _KNOWN_KEYS)
        if unknown:
            raise FaultSpecError(unknown[0], f"Unknown fault field {unknown[0]!r}.")
        path, method, count = _target(data)
        status, headers, latency = _answer(data)
        drop, after_bytes = _breakage(data)
        return cls(
            path=path,
            method=method,
            count=count,
            status=status,
            body=data.get("body"),
            has_body="body" in data,
            headers=headers,
            latency=latency,
            malformed=bool(data.get("malformed", False)),
            wrong_shape=bool(data.get("wrong_shape", False)),
            drop=drop,
            drop_after_bytes=after_bytes,
        )


def _target(data: Mapping[str, Any]) -> tuple[str, str | None, int]:
    """Which requests the fault hits (path, method) and how many times (count)."""
    path = data.get("path", "/v1")
    if not isinstance(path, str) or not path.strip():
        raise FaultSpecError("path", "path must be a non-empty string such as /v1/workspaces.")
    method = data.get("method")
    if method is not None and (not isinstance(method, str) or not method.isalpha()):
        raise FaultSpecError("method", "method must be an HTTP method such as POST.")
    count = data.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise FaultSpecError("count", "count must be a positive integer.")
    return path, method, count


def _answer(data: Mapping[str, Any]) -> tuple[int | None, dict[str, str], float]:
    """What the faulty answer says (status, headers) and how late it comes (latency)."""
    status = data.get("status")
    if status is not None and (
        isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599
    ):
        raise FaultSpecError("status", "status must be an HTTP status code from 200 to 599.")
    headers = data.get("headers") or {}
    if not isinstance(headers, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str | int | float) and not isinstance(v, bool)
        for k, v in headers.items()
    ):
        raise FaultSpecError("headers", "headers must map header names to string values.")
    latency = data.get("latency", 0)
    if (
        isinstance(latency, bool)
        or not isinstance(latency, int | float)
        or not math.isfinite(latency)
        or not 0 <= latency <= 300
    ):
        raise FaultSpecError("latency", "latency must be a number of seconds from 0 to 300.")
    return status, {k: str(v) for k, v in headers.items()}, float(latency)


def _breakage(
    data: Mapping[str, Any],
) -> tuple[Literal["before", "after", "during"] | None, int | None]:
    """How the answer is broken: malformed, the wrong shape, or the connection dropped."""
    for flag in ("malformed", "wrong_shape"):
        if not isinstance(data.get(flag, False), bool):
            raise FaultSpecError(flag, f"{flag} must be true or false.")
    drop: Any = data.get("drop")
    if drop not in (None, "before", "after", "during"):
        raise FaultSpecError("drop", 'drop must be "before", "after" or "during".')
    after_bytes = data.get("drop_after_bytes")
    if after_bytes is not None and (
        isinstance(after_bytes, bool) or not isinstance(after_bytes, int) or after_bytes < 0
    ):
        raise FaultSpecError("drop_after_bytes", "drop_after_bytes must be 0 or more bytes.")
    return drop, after_bytes


class FaultQueue:
    """The faults waiting for requests, in the order they were added. No locking here."""

    def __init__(self) -> None:
        self.items: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self.items.append(fault)

    def clear(self) -> None:
        self.items.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, used up by one; None if none applies."""
        for fault in self.items:
            if fault.matches(method, path):
                fault.count -= 1
                if fault.count <= 0:
                    self.items.remove(fault)
                return fault
        return None
