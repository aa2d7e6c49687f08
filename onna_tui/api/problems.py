"""What a server said when it refused a request: every error-body shape, read in one place.

Onna's document describes its errors two ways at once: the JsonApiErrorsNNN
schemas are one flat error object (``status``, ``code``, ``title``, ``detail``
at the top level) while every example is the JSON:API envelope
``{"errors": [...]}``. Proxies and other servers add FastAPI's ``{"detail": ...}``,
RFC 6749's ``{"error", "error_description"}``, plain text and HTML pages.
``read_problem`` accepts all of them and never raises.

Whatever the server wrote is untrusted text: ``clean_text`` turns control and
format characters into spaces (no terminal escape, no forged line), collapses
whitespace and bounds the length, so a message built from it stays one short,
harmless line. From HTML only the ``<title>`` is taken. No httpx here.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from onna_tui.api.errors import FieldError

#: The longest server text quoted in a message (longer text ends in an ellipsis).
MAX_SERVER_TEXT = 300
#: The longest error code or request id kept.
MAX_TOKEN_TEXT = 100
#: How many field problems of a 422 are kept.
MAX_FIELD_ERRORS = 20

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_LOOKS_HTML = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml)", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def clean_text(value: object, limit: int = MAX_SERVER_TEXT) -> str | None:
    """``value`` as one safe line of at most ``limit`` characters, or None when it holds
    nothing printable. Numbers are accepted (some servers send ``"status": 404``)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value)
    chars: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc" or category in ("Zl", "Zp"):
            chars.append(" ")  # newlines, tabs, ESC, DEL, C1 controls
        elif category == "Cf":
            continue  # bidi overrides, zero-width characters: they disguise text
        elif category == "Cs":
            chars.append("\ufffd")
        else:
            chars.append(ch)
    line = " ".join("".join(chars).split())
    if not line:
        return None
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


@dataclass(frozen=True)
class ServerProblem:
    """The parts of an error answer a message can use; all of it cleaned and bounded."""

    #: The server's own words (title and detail, or their equivalent), if any.
    text: str | None = None
    #: An error code: JSON:API ``code`` or RFC 6749 ``error``.
    code: str | None = None
    #: A request id from the body (headers are read by the caller).
    request_id: str | None = None
    #: RFC 6749 ``error`` ("invalid_client", ...), when the body is an OAuth error.
    oauth_error: str | None = None
    #: Field-level problems (from a 422).
    field_errors: list[FieldError] = field(default_factory=list)


def _joined(title: str | None, detail: str | None) -> str | None:
    if title and detail:
        if detail.lower().startswith(title.lower().rstrip(".")):
            return detail
        return f"{title.rstrip('.')}: {detail}"
    return detail or title


def _field_from_source(source: Any) -> str | None:
    if not isinstance(source, dict):
        return None
    pointer = source.get("pointer")
    if isinstance(pointer, str) and pointer.strip("/"):
        parts = [p for p in pointer.split("/") if p and p not in ("data", "attributes")]
        return clean_text(parts[0], MAX_TOKEN_TEXT) if parts else None
    return clean_text(source.get("parameter"), MAX_TOKEN_TEXT)


def _field_from_loc(loc: Any) -> str | None:
    if not isinstance(loc, list):
        return None
    names = [p for p in loc if isinstance(p, str) and p not in ("body", "query", "path", "header")]
    return clean_text(names[0], MAX_TOKEN_TEXT) if names else None


def _error_object(obj: dict[str, Any]) -> tuple[str | None, FieldError | None]:
    """(text, field problem) of one JSON:API-like error object."""
    title = clean_text(obj.get("title"))
    detail = clean_text(obj.get("detail")) or clean_text(obj.get("message"))
    text = _joined(title, detail)
    name = _field_from_source(obj.get("source"))
    message = detail or title or clean_text(obj.get("code"), MAX_TOKEN_TEXT)
    problem = FieldError(name, message) if name and message else None
    return text, problem


def _from_error_list(items: Iterable[Any], extra: dict[str, Any]) -> ServerProblem:
    objects = [item for item in items if isinstance(item, dict)]
    texts: list[str] = []
    fields: list[FieldError] = []
    for obj in objects:
        text, problem = _error_object(obj)
        if text and text not in texts:
            texts.append(text)
        if problem is not None and len(fields) < MAX_FIELD_ERRORS:
            fields.append(problem)
    first = objects[0] if objects else {}
    return ServerProblem(
        text=clean_text("; ".join(texts)) if texts else None,
        code=clean_text(first.get("code"), MAX_TOKEN_TEXT),
        request_id=clean_text(first.get("id") or extra.get("id"), MAX_TOKEN_TEXT),
        field_errors=fields,
    )


def _from_fastapi(detail: Any) -> ServerProblem:
    if isinstance(detail, list):
        fields: list[FieldError] = []
        texts: list[str] = []
        for item in detail:
            if not isinstance(item, dict):
                continue
            msg = clean_text(item.get("msg")) or clean_text(item.get("message"))
            if msg is None:
                continue
            name = _field_from_loc(item.get("loc"))
            texts.append(f"{name}: {msg}" if name else msg)
            if len(fields) < MAX_FIELD_ERRORS:
                fields.append(FieldError(name, msg))
        return ServerProblem(
            text=clean_text("; ".join(texts)) if texts else None, field_errors=fields
        )
    if isinstance(detail, dict):
        text, problem = _error_object(detail)
        return ServerProblem(
            text=text,
            code=clean_text(detail.get("code"), MAX_TOKEN_TEXT),
            field_errors=[problem] if problem else [],
        )
    return ServerProblem(text=clean_text(detail))


def _from_json(body: Any) -> ServerProblem:
    if isinstance(body, list):
        return _from_error_list(body, {})
    if not isinstance(body, dict):
        return ServerProblem(text=clean_text(body))
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        return _from_error_list(errors, body)  # the JSON:API envelope (the examples)
    if isinstance(errors, dict):
        return _from_error_list([errors], body)
    error = body.get("error")
    if isinstance(error, str):  # RFC 6749 section 5.2
        code = clean_text(error, MAX_TOKEN_TEXT)
        description = clean_text(body.get("error_description"))
        return ServerProblem(text=description, code=code, oauth_error=code)
    if isinstance(error, dict):  # {"error": {"code", "message"}} as some gateways send
        return _from_error_list([error], body)
    if isinstance(body.get("detail"), list):
        return _from_fastapi(body["detail"])
    if any(key in body for key in ("title", "code", "status")) or isinstance(
        body.get("message"), str
    ):
        # The flat error object the JsonApiErrorsNNN schemas describe.
        return _from_error_list([body], body)
    if "detail" in body:
        return _from_fastapi(body["detail"])
    return ServerProblem()


def _html_title(body: bytes) -> str | None:
    match = _TITLE.search(body[:65536])
    if match is None:
        return None
    inner = match.group(1).decode("utf-8", errors="replace")
    return clean_text(html.unescape(_TAG.sub(" ", inner)))


def read_problem(body: bytes, content_type: str | None = None) -> ServerProblem:
    """What the server said in an error answer of any shape; an empty ServerProblem
    when it said nothing usable. Never raises."""
    if not body.strip():
        return ServerProblem()
    ctype = (content_type or "").lower()
    if "html" in ctype or _LOOKS_HTML.match(body):
        return ServerProblem(text=_html_title(body))
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        pass  # not JSON (or JSON nested beyond reason): read it as text
    else:
        return _from_json(parsed)
    return ServerProblem(text=clean_text(body[: MAX_SERVER_TEXT * 8].decode("utf-8", "replace")))
