"""Reading what a server said in an error answer, whatever its shape, as safe bounded text."""

from __future__ import annotations

import json

import pytest

from onna_tui.api.errors import FieldError
from onna_tui.api.problems import MAX_SERVER_TEXT, clean_text, read_problem


def body(value: object) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.parametrize(
    ("raw", "ctype", "text", "code"),
    [
        # The JSON:API envelope of the document's examples (and of the sandbox).
        (body({"errors": [{"status": "404", "code": "XX404", "title": "Not Found",
                           "detail": "No such workspace"}]}), None,
         "Not Found: No such workspace", "XX404"),
        # The flat object the JsonApiErrorsNNN schemas describe.
        (body({"status": "404", "code": "XX404", "title": "Not Found",
               "detail": "No such workspace"}), None, "Not Found: No such workspace", "XX404"),
        (body({"status": 403, "code": "XX403", "title": "Forbidden"}), None, "Forbidden", "XX403"),
        # FastAPI.
        (body({"detail": "Workspace not found"}), None, "Workspace not found", None),
        (body({"detail": [{"loc": ["body", "name"], "msg": "field required", "type": "x"}]}),
         None, "name: field required", None),
        # RFC 6749.
        (body({"error": "invalid_request", "error_description": "grant_type is missing"}),
         None, "grant_type is missing", "invalid_request"),
        (body({"error": "invalid_client"}), None, None, "invalid_client"),
        # Plain text and HTML (only the title).
        (b"upstream connect error or disconnect/reset", "text/plain",
         "upstream connect error or disconnect/reset", None),
        (b"<!DOCTYPE html><html><head><title>502 Bad Gateway &amp; co</title></head>"
         b"<body><p>internal host db-7.corp</p></body></html>", "text/html",
         "502 Bad Gateway & co", None),
        (b"<html><body>no title here</body></html>", None, None, None),
        (body("just a JSON string"), None, "just a JSON string", None),
        (b"", None, None, None),
        (body({"unrelated": True}), None, None, None),
        (b"[" * 100000, None, "[" * (MAX_SERVER_TEXT - 1) + "…", None),
    ],
    ids=[
        "envelope", "flat", "flat-int-status", "fastapi-text", "fastapi-list", "oauth",
        "oauth-bare", "plain", "html", "html-untitled", "json-string", "empty", "unknown",
        "deep-json",
    ],
)  # fmt: skip
def test_every_shape(raw: bytes, ctype: str | None, text: str | None, code: str | None) -> None:
    problem = read_problem(raw, ctype)
    assert problem.text == text
    assert problem.code == code


def test_the_detail_is_not_repeated_when_it_starts_with_the_title() -> None:
    problem = read_problem(body({"errors": [{"title": "Not Found", "detail": "Not found: x"}]}))
    assert problem.text == "Not found: x"


def test_field_problems_from_the_envelope_the_flat_object_and_fastapi() -> None:
    pointer = {"pointer": "/data/attributes/name"}
    envelope = {"errors": [{"status": "422", "code": "c", "detail": "too long", "source": pointer},
                           {"status": "422", "code": "c", "title": "bad tag",
                            "source": {"parameter": "tags"}}]}  # fmt: skip
    assert read_problem(body(envelope)).field_errors == [
        FieldError("name", "too long"),
        FieldError("tags", "bad tag"),
    ]
    flat = {"status": "422", "code": "c", "detail": "too long", "source": pointer}
    assert read_problem(body(flat)).field_errors == [FieldError("name", "too long")]
    fastapi = {"detail": [{"loc": ["body", "tags", 0], "msg": "blank", "type": "x"}]}
    assert read_problem(body(fastapi)).field_errors == [FieldError("tags", "blank")]


def test_request_id_from_the_body() -> None:
    assert read_problem(body({"errors": [{"id": "r-1", "code": "x"}]})).request_id == "r-1"
    assert read_problem(body({"status": "500", "code": "x", "id": "r-2"})).request_id == "r-2"


@pytest.mark.parametrize(
    "hostile",
    [
        "\x1b[2J\x1b[31mRED",
        "row\nforged  row",
        "bell\x07",
        "del\x7f",
        "c1\x9b31m",
        "\u202eevil",
        "zero\u200bwidth",
        "line\u2028sep",
        "surrogate\ud800",
    ],
)
def test_control_and_format_characters_never_survive(hostile: str) -> None:
    problem = read_problem(body({"errors": [{"detail": hostile}]}))
    assert problem.text is not None
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in problem.text)
    assert not any(ch in problem.text for ch in "\u202e\u200b\u2028\ud800")


def test_long_text_is_bounded_with_an_ellipsis() -> None:
    problem = read_problem(body({"detail": "x" * 10000}))
    assert problem.text is not None and len(problem.text) == MAX_SERVER_TEXT
    assert problem.text.endswith("…")


def test_clean_text_refuses_what_is_not_text() -> None:
    assert clean_text(None) is None
    assert clean_text(True) is None
    assert clean_text({"a": 1}) is None
    assert clean_text(" \n\t ") is None
    assert clean_text(404) == "404"
