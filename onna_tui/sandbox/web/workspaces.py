"""The workspace routes: list (signed cursors), create, read, update, delete."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from onna_tui.sandbox.state import (
    SandboxError,
)
from onna_tui.sandbox.web.auth import bearer_user
from onna_tui.sandbox.web.bodies import json_body, validate_workspace_body
from onna_tui.sandbox.web.common import API_PREFIX, ApiError, JSONResponse, jsonapi_error, state_of


async def list_workspaces(request: Request) -> Response:
    state = state_of(request)
    bearer_user(request, state)
    cursor = request.query_params.get("cursor") or None
    try:
        items, next_cursor = state.list_workspaces(cursor)
    except SandboxError as exc:
        raise ApiError(
            exc.status, [jsonapi_error(exc.status, str(exc), source={"parameter": "cursor"})]
        ) from None
    body: dict[str, Any] = {"items": [w.page_item() for w in items]}
    if next_cursor is not None:
        body["cursor"] = next_cursor
    return JSONResponse(body)


async def create_workspace(request: Request) -> Response:
    state = state_of(request)
    bearer_user(request, state)
    fields = validate_workspace_body(await json_body(request), partial=False)
    record = state.create_workspace(**fields)
    return JSONResponse(
        {"onna_id": record.onna_id},
        201,
        headers={"Location": f"{API_PREFIX}/workspaces/{record.onna_id}"},
    )


def _not_found(onna_id: str) -> ApiError:
    return ApiError(404, f"Workspace {onna_id!r} does not exist.")


async def get_workspace(request: Request) -> Response:
    state = state_of(request)
    bearer_user(request, state)
    onna_id = request.path_params["onna_id"]
    record = state.get_workspace(onna_id)
    if record is None:
        raise _not_found(onna_id)
    return JSONResponse(record.to_json())


async def update_workspace(request: Request) -> Response:
    state = state_of(request)
    bearer_user(request, state)
    onna_id = request.path_params["onna_id"]
    fields = validate_workspace_body(await json_body(request), partial=True)
    if state.get_workspace(onna_id) is None:
        raise _not_found(onna_id)
    try:
        state.update_workspace(onna_id, **fields)
    except SandboxError as exc:  # deleted in between
        raise ApiError(exc.status, str(exc)) from None
    return Response(status_code=204)


async def delete_workspace(request: Request) -> Response:
    state = state_of(request)
    bearer_user(request, state)
    onna_id = request.path_params["onna_id"]
    try:
        state.delete_workspace(onna_id)
    except SandboxError:
        raise _not_found(onna_id) from None
    return Response(status_code=204)


def routes(p: str = API_PREFIX) -> list[BaseRoute]:
    """The routes of this resource under the API prefix ``p``."""
    return [
        Route(f"{p}/workspaces", list_workspaces, methods=["GET"]),
        Route(f"{p}/workspaces", create_workspace, methods=["POST"]),
        Route(f"{p}/workspaces/{{onna_id}}", get_workspace, methods=["GET"]),
        Route(f"{p}/workspaces/{{onna_id}}", update_workspace, methods=["PATCH"]),
        Route(f"{p}/workspaces/{{onna_id}}", delete_workspace, methods=["DELETE"]),
    ]
