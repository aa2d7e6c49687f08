"""Request bodies checked by the client's own wire models (core.wire): one set of rules.

Unknown members are ignored, as FastAPI does; every problem is a 422 error with a
JSON pointer to its member; text that UTF-8 cannot hold (a lone surrogate) is refused.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from onna_tui.sandbox.refusals import lone_surrogate
from onna_tui.sandbox.web.common import ApiError, field_error

M = TypeVar("M", bound=BaseModel)


def _pointer(location: tuple[int | str, ...]) -> str:
    return "".join(f"/{str(part).replace('~', '~0').replace('/', '~1')}" for part in location)


def _surrogates(value: Any, location: tuple[int | str, ...]) -> list[dict[str, Any]]:
    """422 errors for every string under ``value`` that holds a lone surrogate."""
    if isinstance(value, str):
        ch = lone_surrogate(value)
        if ch is None:
            return []
        return [
            field_error(
                _pointer(location),
                f"contains a lone surrogate (\\u{ord(ch):04x}), which is not a character: "
                "send valid Unicode text.",
            )
        ]
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in _surrogates(v, (*location, k))]
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in _surrogates(v, (*location, i))]
    return []


def _sentence(error: Any) -> str:
    name = ".".join(str(part) for part in error["loc"]) or "the body"
    if error["type"] == "missing":
        return f"{name} is required."
    return f"{name}: {error['msg']}."


def model_body(model: type[M], body: Any) -> M:
    """``body`` as ``model``, or ApiError(422) listing every problem with its pointer."""
    if not isinstance(body, dict):
        raise ApiError(422, [field_error("", "The request body must be a JSON object.")])
    known = {k: v for k, v in body.items() if k in model.model_fields and v is not None}
    errors = _surrogates(known, ())
    if errors:
        raise ApiError(422, errors)
    try:
        return model.model_validate(known)
    except ValidationError as exc:
        raise ApiError(
            422,
            [field_error(_pointer(tuple(e["loc"])), _sentence(e)) for e in exc.errors()],
        ) from None


def validation_detail(error: ApiError) -> dict[str, Any]:
    """A 422's errors in FastAPI's HTTPValidationError shape, which the document gives
    POST /folders: ``{"detail": [{"loc": ["body", ...], "msg", "type"}]}``."""
    detail = []
    for item in error.errors:
        pointer = str((item.get("source") or {}).get("pointer", ""))
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        detail.append(
            {"loc": ["body", *parts], "msg": str(item.get("detail", "")), "type": "value_error"}
        )
    return {"detail": detail}
