"""The service layer against a second, independent server that also follows the spec.

It differs from our sandbox wherever the spec allows: ``token_type`` "Bearer",
no ``expires_in``, extra fields everywhere, timestamp cursors, ids that need
escaping. If the client only worked against our own sandbox, this would fail.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from onna_tui.api.client import OnnaClient
from onna_tui.api.errors import NotFound, ValidationFailed
from onna_tui.core.tokens import Credentials
from onna_tui.core.wire.workspaces import WorkspaceDraft

PAGE = 2


def other_server(*, flat_errors: bool = False) -> tuple[Starlette, dict[str, Any]]:
    """``flat_errors``: answer errors as the one flat object the document's
    JsonApiErrorsNNN schemas describe, not in the ``{"errors": [...]}`` envelope."""
    state: dict[str, Any] = {"tokens": set(), "workspaces": [], "exchanges": 0}

    def error(status: int, code: str, **members: Any) -> JSONResponse:
        obj = {"status": str(status), "code": code, **members}
        return JSONResponse(obj if flat_errors else {"errors": [obj]}, status_code=status)

    def unauthorized() -> JSONResponse:
        return error(401, "XX401_unauthorized", id="r-1")

    def authed(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and header[7:] in state["tokens"]

    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        if form.get("client_id") != "other" or form.get("client_secret") != "other-secret":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        value = secrets.token_hex(24)
        state["tokens"].add(value)
        state["exchanges"] += 1
        return JSONResponse({"access_token": value, "token_type": "Bearer", "scope": ""})

    async def user(request: Request) -> Response:
        if not authed(request):
            return unauthorized()
        return JSONResponse({"id": "a@b.c", "account_id": "acme", "name": "A", "extra": 1})

    async def workspaces(request: Request) -> Response:
        if not authed(request):
            return unauthorized()
        if request.method == "POST":
            body = await request.json()
            if len(body["name"]) > 10:
                return error(
                    422,
                    "XX422_unprocessable_entity",
                    title="Unprocessable Entity",
                    detail="names are at most 10 characters here",
                    source={"pointer": "/data/attributes/name"},
                )
            onna_id = f"ws/{len(state['workspaces'])}"
            state["workspaces"].append({"onna_id": onna_id, "name": body["name"], "x": True})
            return JSONResponse({"onna_id": onna_id, "href": "/x"}, status_code=201)
        start = int(request.query_params.get("cursor", "2022-02-22T00:00:00.0").split(".")[-1])
        items = state["workspaces"][start : start + PAGE]
        body: dict[str, Any] = {"items": items, "total": len(state["workspaces"])}
        if start + PAGE < len(state["workspaces"]):
            body["cursor"] = f"2022-02-22T00:00:00.{start + PAGE}"
        return JSONResponse(body)

    async def one(request: Request) -> Response:
        if not authed(request):
            return unauthorized()
        wanted = request.path_params["onna_id"]
        for ws in state["workspaces"]:
            if ws["onna_id"] == wanted:
                return JSONResponse({**ws, "creation_datetime": "2022-02-22T11:11:11.123456"})
        return error(404, "XX404", title="Not Found", detail=f"no workspace {wanted!r} here")

    app = Starlette(
        routes=[
            Route("/api/v1/oauth/token", token, methods=["POST"]),
            Route("/api/v1/oauth/user", user),
            Route("/api/v1/workspaces", workspaces, methods=["GET", "POST"]),
            Route("/api/v1/workspaces/{onna_id:path}", one),
        ]
    )
    return app, state


async def test_token_create_and_list_to_the_end_on_another_server() -> None:
    app, state = other_server()
    creds = Credentials(client_id="other", client_secret=SecretStr("other-secret"))
    transport = httpx.ASGITransport(app=app)
    async with OnnaClient("http://127.0.0.1/api/v1", creds, transport=transport) as client:
        token = await client.require_tokens().get()
        assert token.lifetime_assumed and token.expires_in == 3599
        ids = [
            (await client.create_workspace(WorkspaceDraft(name=f"n{i}"))).onna_id for i in range(5)
        ]
        listed = [item.onna_id async for item in client.iter_workspaces()]
        assert listed == ids
        detail = await client.get_workspace(ids[3])
        assert detail.name == "n3"
        assert (await client.current_user()).display_name == "A <a@b.c>"
    assert state["exchanges"] == 1


async def test_the_flat_error_shape_of_the_document_is_understood() -> None:
    """The document's JsonApiErrorsNNN schemas describe a flat object; a server that
    answers that way keeps its exit codes and its own words reach the person."""
    app, state = other_server(flat_errors=True)
    creds = Credentials(client_id="other", client_secret=SecretStr("other-secret"))
    transport = httpx.ASGITransport(app=app)
    async with OnnaClient("http://127.0.0.1/api/v1", creds, transport=transport) as client:
        with pytest.raises(NotFound) as missing:
            await client.get_workspace("ws/404")
        assert "The server said: Not Found: no workspace 'ws/404' here." in str(missing.value)
        assert missing.value.code == "XX404" and missing.value.exit_code == 1
        with pytest.raises(ValidationFailed) as refused:
            await client.create_workspace(WorkspaceDraft(name="far too long a name"))
        assert refused.value.for_field("name") == ["names are at most 10 characters here"]
        assert refused.value.exit_code == 1
        # A token the server forgot: the flat 401 re-mints once, like the envelope.
        state["tokens"].clear()
        assert (await client.current_user()).id == "a@b.c"
    assert state["exchanges"] == 2
