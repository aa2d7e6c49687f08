"""The custom-field routes: the account's fields and each workspace's fields and values."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from onna_tui.sandbox.web.auth import bearer_user
from onna_tui.sandbox.web.bodies import json_body, string_member, validate_custom_field_body
from onna_tui.sandbox.web.common import API_PREFIX, JSONResponse, found, page_body, paged, state_of


async def list_custom_fields(request: Request) -> Response:
    state = state_of(request)
    bearer_user(request, state)
    cursor = request.query_params.get("cursor") or None
    items, next_cursor = paged(lambda: state.list_custom_fields(cursor))
    return JSONResponse(page_body(items, next_cursor))


async def create_custom_field(request: Request) -> Response:
    state = state_of(request)
    bearer_user(request, state)
    fields = validate_custom_field_body(await json_body(request))
    record = state.create_custom_field(**fields)
    return JSONResponse({"onna_id": record.onna_id}, 201)


async def list_workspace_fields(request: Request) -> Response:
    state = state_of(request)
    bearer_user(request, state)
    onna_id = request.path_params["onna_id"]
    cursor = request.query_params.get("cursor") or None
    items, next_cursor = paged(lambda: state.list_workspace_custom_fields(onna_id, cursor))
    return JSONResponse(page_body(items, next_cursor))


async def enable_workspace_field(request: Request) -> Response:
    state = state_of(request)
    bearer_user(request, state)
    onna_id = request.path_params["onna_id"]
    field_id = string_member(await json_body(request), "onna_id", blank_ok=False)
    found(lambda: state.enable_custom_field(onna_id, field_id))
    return Response(status_code=204)


async def read_workspace_value(request: Request) -> Response:
    state = state_of(request)
    bearer_user(request, state)
    onna_id, field_id = request.path_params["onna_id"], request.path_params["field_id"]
    value = found(lambda: state.custom_value(onna_id, field_id))
    body: dict[str, Any] = {"onna_id": field_id}
    if value is not None:
        body["value"] = value
    return JSONResponse(body)


async def update_workspace_value(request: Request) -> Response:
    state = state_of(request)
    bearer_user(request, state)
    onna_id, field_id = request.path_params["onna_id"], request.path_params["field_id"]
    value = string_member(await json_body(request), "value", blank_ok=True)
    found(lambda: state.set_custom_value(onna_id, field_id, value))
    return Response(status_code=204)


def routes(p: str = API_PREFIX) -> list[BaseRoute]:
    """The routes of this resource under the API prefix ``p``."""
    return [
        Route(f"{p}/customFields", list_custom_fields, methods=["GET"]),
        Route(f"{p}/customFields", create_custom_field, methods=["POST"]),
        Route(f"{p}/workspaces/{{onna_id}}/customFields", list_workspace_fields, methods=["GET"]),
        Route(
            f"{p}/workspaces/{{onna_id}}/customFields",
            enable_workspace_field,
            methods=["PATCH"],
        ),
        Route(
            f"{p}/workspaces/{{onna_id}}/customFields/{{field_id}}",
            read_workspace_value,
            methods=["GET"],
        ),
        Route(
            f"{p}/workspaces/{{onna_id}}/customFields/{{field_id}}",
            update_workspace_value,
            methods=["PATCH"],
        ),
    ]
