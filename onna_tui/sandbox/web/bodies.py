"""Reading request bodies: size and time limits, strict JSON, and the validation of each body."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from starlette.requests import Request

from onna_tui.core.wire.workspaces import MAX_TAGS
from onna_tui.sandbox.state import (
    lone_surrogate,
)
from onna_tui.sandbox.web.common import MAX_BODY_BYTES, MAX_JSON_DEPTH, ApiError, field_error

# ------------------------------------------------------------- request helpers


async def read_body(request: Request) -> bytes:
    """The whole request body, or ApiError(413) past MAX_BODY_BYTES.

    An oversized body is still read to its end (and thrown away) so the client
    gets the 413 instead of a connection reset.
    """
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= MAX_BODY_BYTES:
            chunks.append(chunk)
    if size > MAX_BODY_BYTES:
        raise ApiError(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    return b"".join(chunks)


async def json_body(request: Request, *, required: bool = True) -> Any:
    """The parsed JSON body, or ApiError(422) saying what is wrong with it."""
    raw = await read_body(request)
    if not raw.strip():
        if required:
            raise ApiError(422, [field_error("", "A JSON request body is required.")])
        return None
    media_type = media_type_of(request)
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ApiError(
            422,
            [field_error("", "Send the body as JSON with Content-Type: application/json.")],
        )
    return parse_json(raw)


def media_type_of(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


class _NotPlainJson(ValueError):
    """Raised by the parser's hooks; the message is the sentence the client gets."""


def _parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # past sys.get_int_max_str_digits()
        raise _NotPlainJson(
            f"The request body has a number of {len(text)} digits; numbers may have at "
            f"most {sys.get_int_max_str_digits()}."
        ) from None


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotPlainJson(f"The request body has a number too large to use: {text[:40]}.")
    return value


def _parse_constant(name: str) -> Any:
    raise _NotPlainJson(f"The request body is not valid JSON: {name} is not a JSON value.")


def _too_deep(value: Any, limit: int) -> bool:
    """True when containers nest more than ``limit`` levels (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_json(raw: bytes) -> Any:
    """The JSON value of a request body, or ApiError(422) with a sentence saying what is wrong.

    Beyond syntax, refused are: nesting deeper than MAX_JSON_DEPTH, integers
    longer than Python converts, non-finite numbers (NaN, Infinity, 1e999),
    which could not be sent back in a response.
    """
    too_deep = f"The request body is nested more than {MAX_JSON_DEPTH} levels deep."
    try:
        value = json.loads(
            raw, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
        )
    except RecursionError:
        raise ApiError(422, [field_error("", too_deep)]) from None
    except _NotPlainJson as exc:
        raise ApiError(422, [field_error("", str(exc))]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(
            422, [field_error("", f"The request body is not valid JSON ({exc}).")]
        ) from None
    if _too_deep(value, MAX_JSON_DEPTH):
        raise ApiError(422, [field_error("", too_deep)])
    return value


def validate_workspace_body(body: Any, *, partial: bool) -> dict[str, Any]:
    """The create (partial=False) or update (partial=True) fields, or ApiError(422).

    Every problem is reported at once, each with a JSON pointer to its field,
    so a form can show them next to the right inputs. Unknown fields are
    ignored, as FastAPI does. ``null`` counts as "not given".
    """
    if not isinstance(body, dict):
        raise ApiError(422, [field_error("", "The request body must be a JSON object.")])
    errors: list[dict[str, Any]] = []
    out: dict[str, Any] = {}

    name = body.get("name")
    if name is None:
        if not partial:
            errors.append(field_error("/name", "name is required."))
    elif not isinstance(name, str):
        errors.append(field_error("/name", "name must be a string."))
    elif not name.strip():
        errors.append(field_error("/name", "name must not be blank."))
    elif problem := _not_unicode("name", name):
        errors.append(field_error("/name", problem))
    else:
        out["name"] = name

    description = body.get("description")
    if description is not None:
        if not isinstance(description, str):
            errors.append(field_error("/description", "description must be a string."))
        elif problem := _not_unicode("description", description):
            errors.append(field_error("/description", problem))
        else:
            out["description"] = description

    tags = body.get("tags")
    if tags is not None:
        if not isinstance(tags, list):
            errors.append(field_error("/tags", "tags must be a list of strings."))
        elif len(tags) > MAX_TAGS:
            errors.append(
                field_error("/tags", f"tags can have at most {MAX_TAGS} items, not {len(tags)}.")
            )
        else:
            bad = [i for i, tag in enumerate(tags) if not isinstance(tag, str)]
            errors.extend(field_error(f"/tags/{i}", f"tags[{i}] must be a string.") for i in bad)
            for i, tag in enumerate(tags):
                if isinstance(tag, str) and (problem := _not_unicode(f"tags[{i}]", tag)):
                    bad.append(i)
                    errors.append(field_error(f"/tags/{i}", problem))
            if not bad:
                out["tags"] = tags

    if errors:
        raise ApiError(422, errors)
    return out


def validate_custom_field_body(body: Any) -> dict[str, Any]:
    """The POST /customFields fields (CreateCustomFieldRequestBody: all four required)."""
    if not isinstance(body, dict):
        raise ApiError(422, [field_error("", "The request body must be a JSON object.")])
    errors: list[dict[str, Any]] = []
    out: dict[str, Any] = {}
    for name, blank_ok in (("name", False), ("type", False), ("description", True)):
        value = body.get(name)
        if value is None:
            errors.append(field_error(f"/{name}", f"{name} is required."))
        elif not isinstance(value, str):
            errors.append(field_error(f"/{name}", f"{name} must be a string."))
        elif not blank_ok and not value.strip():
            errors.append(field_error(f"/{name}", f"{name} must not be blank."))
        elif problem := _not_unicode(name, value):
            errors.append(field_error(f"/{name}", problem))
        else:
            out[name] = value
    required = body.get("required")
    if required is None:
        errors.append(field_error("/required", "required is required: send true or false."))
    elif not isinstance(required, bool):
        errors.append(field_error("/required", "required must be true or false."))
    else:
        out["required"] = required
    if errors:
        raise ApiError(422, errors)
    return out


def string_member(body: Any, name: str, *, blank_ok: bool) -> str:
    """``body[name]`` as a required string, or ApiError(422) pointing at it."""
    if not isinstance(body, dict):
        raise ApiError(422, [field_error("", "The request body must be a JSON object.")])
    value = body.get(name)
    if value is None:
        problem: str | None = f"{name} is required."
    elif not isinstance(value, str):
        problem = f"{name} must be a string."
    elif not blank_ok and not value.strip():
        problem = f"{name} must not be blank."
    else:
        problem = _not_unicode(name, value)
    if problem:
        raise ApiError(422, [field_error(f"/{name}", problem)])
    return str(value)


def _not_unicode(field_name: str, text: str) -> str | None:
    """Why ``text`` cannot be stored (it holds a lone surrogate), or None if it can."""
    ch = lone_surrogate(text)
    if ch is None:
        return None
    return (
        f"{field_name} contains a lone surrogate (\\u{ord(ch):04x}), which is not a "
        "character: send valid Unicode text."
    )
