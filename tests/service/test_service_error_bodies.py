"""Every error-body shape the document and real servers allow, injected through the sandbox:
the exit code stays the status's own, and the server's words are always shown, cleaned
of control characters and bounded in length."""

from __future__ import annotations

from typing import Any

import pytest

from onna_tui.api.client import OnnaClient
from onna_tui.api.errors import (
    FieldError,
    Forbidden,
    NotFound,
    OnnaError,
    RateLimited,
    ServerError,
    ValidationFailed,
)
from onna_tui.core.wire.workspaces import WorkspaceDraft

WORDS = "No workspace called ws-1 here"
FLAT_404 = {"status": "404", "code": "XX404_not_found", "title": "Not Found", "detail": WORDS}


def _fault_kwargs(shape: str, status: int) -> dict[str, Any]:
    if shape == "envelope":
        return {"status": status, "body": {"errors": [{**FLAT_404, "status": str(status)}]}}
    if shape == "flat":
        return {"status": status, "body": {**FLAT_404, "status": str(status)}}
    if shape == "fastapi":
        return {"status": status, "body": {"detail": WORDS}}
    if shape == "oauth":
        return {"status": status, "body": {"error": "not_found", "error_description": WORDS}}
    if shape == "text":
        return {"status": status, "malformed": True, "body": WORDS,
                "headers": {"Content-Type": "text/plain; charset=utf-8"}}  # fmt: skip
    if shape == "html":
        page = (f"<html><head><title>{WORDS}</title></head><body><pre>Traceback at "
                "/srv/app.py line 12</pre></body></html>")  # fmt: skip
        return {"status": status, "malformed": True, "body": page}
    raise AssertionError(shape)


SHAPES = ["envelope", "flat", "fastapi", "oauth", "text", "html"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    ("status", "kind", "exit_code"),
    [(404, NotFound, 1), (403, Forbidden, 3), (500, ServerError, 1), (429, RateLimited, 1)],
)
async def test_the_servers_words_are_shown_in_every_shape(
    client: OnnaClient,
    admin: Any,
    shape: str,
    status: int,
    kind: type[OnnaError],
    exit_code: int,
) -> None:
    await client.current_user()  # a token first: the fault is for the call itself
    admin.fault(path="/v1/workspaces/ws-1", method="GET", count=3, **_fault_kwargs(shape, status))
    with pytest.raises(kind) as info:
        await client.get_workspace("ws-1")
    message = str(info.value)
    assert f"The server said: {WORDS}" in message or f"The server said: Not Found: {WORDS}" in (
        message
    )
    assert info.value.exit_code == exit_code
    assert info.value.status == status
    assert "Traceback" not in message  # from HTML, only the title


@pytest.mark.parametrize("shape", ["envelope", "flat"])
async def test_the_code_and_request_id_reach_verbose_in_both_jsonapi_shapes(
    client: OnnaClient, admin: Any, shape: str
) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces/ws-1", method="GET", **_fault_kwargs(shape, 404))
    with pytest.raises(NotFound) as info:
        await client.get_workspace("ws-1")
    assert info.value.code == "XX404_not_found"
    assert "code XX404_not_found" in info.value.verbose()
    assert info.value.request_id  # the sandbox's X-Request-ID header


@pytest.mark.parametrize(
    "body",
    [
        {"errors": [{"status": "422", "code": "XX422", "detail": "is too long",
                     "source": {"pointer": "/data/attributes/name"}}]},
        {"status": "422", "code": "XX422", "detail": "is too long",
         "source": {"pointer": "/data/attributes/name"}},
        {"detail": [{"loc": ["body", "name"], "msg": "is too long", "type": "too_long"}]},
    ],
    ids=["envelope", "flat", "fastapi"],
)  # fmt: skip
async def test_field_problems_in_every_422_shape(
    client: OnnaClient, admin: Any, body: dict[str, Any]
) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces", method="POST", status=422, body=body)
    with pytest.raises(ValidationFailed) as info:
        await client.create_workspace(WorkspaceDraft(name="n"))
    assert info.value.field_errors == [FieldError("name", "is too long")]
    assert info.value.for_field("name") == ["is too long"]
    assert "name: is too long" in str(info.value)
    assert info.value.exit_code == 1


async def test_a_flat_422_without_a_field_still_says_what_was_wrong(
    client: OnnaClient, admin: Any
) -> None:
    """Before, the flat shape lost the server's words: "the request was not valid"."""
    await client.current_user()
    body = {"status": "422", "code": "XX422", "title": "Unprocessable Entity",
            "detail": "A workspace with this name already exists"}  # fmt: skip
    admin.fault(path="/v1/workspaces", method="POST", status=422, body=body)
    with pytest.raises(ValidationFailed) as info:
        await client.create_workspace(WorkspaceDraft(name="n"))
    assert "A workspace with this name already exists" in str(info.value)
    assert "the request was not valid" not in str(info.value)


@pytest.mark.parametrize("shape", ["envelope", "flat", "fastapi", "text"])
async def test_hostile_server_text_is_cleaned_and_bounded(
    client: OnnaClient, admin: Any, shape: str
) -> None:
    await client.current_user()
    hostile = "\x1b[2J\x1b[31mRED\nonna-tui: forged line\r\x07\u202e" + "x" * 5000
    kwargs = _fault_kwargs(shape, 500)
    if shape == "envelope":
        kwargs["body"]["errors"][0]["detail"] = hostile
    elif shape == "flat":
        kwargs["body"]["detail"] = hostile
    elif shape == "fastapi":
        kwargs["body"]["detail"] = hostile
    else:
        kwargs["body"] = hostile
    admin.fault(path="/v1/workspaces/ws-1", method="GET", count=3, **kwargs)
    with pytest.raises(ServerError) as info:
        await client.get_workspace("ws-1")
    message = str(info.value)
    assert not any(ord(ch) < 32 or ord(ch) == 0x7F or ch == "\u202e" for ch in message)
    assert "RED onna-tui: forged line" in message
    assert "…" in message and len(message) < 600
