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
from onna_tui.core.wire.custom_fields import CustomFieldDraft
from onna_tui.core.wire.workspaces import WorkspaceDraft

PAGE = 2


def other_server(*, flat_errors: bool = False) -> tuple[Starlette, dict[str, Any]]:
    """``flat_errors``: answer errors as the one flat object the document's
    JsonApiErrorsNNN schemas describe, not in the ``{"errors": [...]}`` envelope."""
    state: dict[str, Any] = {
        "tokens": set(),
        "workspaces": [],
        "exchanges": 0,
        "fields": [],
        "values": {},
    }

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

    def page_of(items: list[dict[str, Any]], request: Request) -> JSONResponse:
        start = int(request.query_params.get("cursor", "2022-02-22T00:00:00.0").split(".")[-1])
        body: dict[str, Any] = {"items": items[start : start + PAGE], "total": len(items)}
        if start + PAGE < len(items):
            body["cursor"] = f"2022-02-22T00:00:00.{start + PAGE}"
        return JSONResponse(body)

    def workspace_known(onna_id: str) -> bool:
        return any(ws["onna_id"] == onna_id for ws in state["workspaces"])

    async def custom_fields(request: Request) -> Response:
        if not authed(request):
            return unauthorized()
        if request.method == "GET":
            return page_of(state["fields"], request)
        body = await request.json()
        if not body["name"].strip():
            return error(
                422,
                "XX422",
                title="Unprocessable Entity",
                detail="a field needs a name",
                source={"pointer": "/data/attributes/name"},
            )
        field = {**body, "onna_id": f"cf:{len(state['fields'])}", "usage_count": 0, "y": 1}
        state["fields"].append(field)
        return JSONResponse({"onna_id": field["onna_id"]}, status_code=201)

    async def workspace_fields(request: Request) -> Response:
        if not authed(request):
            return unauthorized()
        onna_id = request.path_params["onna_id"]
        if not workspace_known(onna_id):
            return error(404, "XX404", title="Not Found", detail=f"no workspace {onna_id!r}")
        enabled = state["values"].setdefault(onna_id, {})
        if request.method == "GET":
            names = {f["onna_id"]: f["name"] for f in state["fields"]}
            return page_of([{"onna_id": f, "name": names[f]} for f in enabled], request)
        field_id = (await request.json())["onna_id"]
        if field_id not in {f["onna_id"] for f in state["fields"]}:
            return error(404, "XX404", title="Not Found", detail=f"no field {field_id!r}")
        enabled.setdefault(field_id, "")
        return Response(status_code=204)

    async def workspace_value(request: Request) -> Response:
        if not authed(request):
            return unauthorized()
        onna_id, field_id = request.path_params["onna_id"], request.path_params["field_id"]
        enabled = state["values"].get(onna_id, {})
        if field_id not in enabled:
            return error(404, "XX404", title="Not Found", detail=f"{field_id!r} is not enabled")
        if request.method == "GET":
            return JSONResponse({"onna_id": field_id, "value": enabled[field_id], "z": 0})
        enabled[field_id] = (await request.json())["value"]
        return Response(status_code=204)

    app = Starlette(
        routes=[
            Route("/api/v1/customFields", custom_fields, methods=["GET", "POST"]),
            Route(
                "/api/v1/workspaces/{onna_id:path}/customFields/{field_id}",
                workspace_value,
                methods=["GET", "PATCH"],
            ),
            Route(
                "/api/v1/workspaces/{onna_id:path}/customFields",
                workspace_fields,
                methods=["GET", "PATCH"],
            ),
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


async def test_custom_fields_on_another_server_in_both_error_shapes() -> None:
    for flat in (False, True):
        app, state = other_server(flat_errors=flat)
        creds = Credentials(client_id="other", client_secret=SecretStr("other-secret"))
        transport = httpx.ASGITransport(app=app)
        async with OnnaClient("http://127.0.0.1/api/v1", creds, transport=transport) as client:
            ws = (await client.create_workspace(WorkspaceDraft(name="n"))).onna_id
            made = [
                (
                    await client.create_custom_field(
                        CustomFieldDraft(name=f"F{i}", type="text", description="")
                    )
                ).onna_id
                for i in range(3)
            ]
            assert [f.onna_id async for f in client.iter_custom_fields()] == made
            for field_id in made:
                await client.enable_custom_field(ws, field_id)
            enabled = [f.onna_id async for f in client.iter_workspace_custom_fields(ws)]
            assert enabled == made  # three items over two pages, ids with a colon
            await client.set_custom_value(ws, made[1], "v/1")
            assert (await client.get_custom_value(ws, made[1])).value == "v/1"
            with pytest.raises(NotFound) as missing:
                await client.enable_custom_field(ws, "cf:404")
            assert "no field 'cf:404'" in str(missing.value)
            blank = CustomFieldDraft.model_construct(
                name=" ", type="text", description="", required=False
            )
            with pytest.raises(ValidationFailed) as refused:
                await client.create_custom_field(blank)
            assert refused.value.for_field("name") == ["a field needs a name"]
        assert state["exchanges"] == 1
