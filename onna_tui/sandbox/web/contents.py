"""The routes of what goes into a workspace: folders, file resources and ticket resources."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from onna_tui.core.wire.contents import FileDraft, FolderDraft, FolderRename, TicketDraft
from onna_tui.sandbox.contents import Kind
from onna_tui.sandbox.refusals import InvalidValue
from onna_tui.sandbox.web.auth import bearer_user
from onna_tui.sandbox.web.bodies import json_body
from onna_tui.sandbox.web.common import API_PREFIX, ApiError, JSONResponse, field_error, found
from onna_tui.sandbox.web.common import state_of as _state_of
from onna_tui.sandbox.web.model_bodies import model_body, validation_detail

T = TypeVar("T")


def _store(request: Request) -> Any:
    state = _state_of(request)
    bearer_user(request, state)
    return state.contents


def _parent_known(call: Callable[[], T]) -> T:
    """A create whose parent may be unknown: 422 at /onna_parent_id (404 is raised as is)."""
    try:
        return found(call)
    except InvalidValue as exc:
        raise ApiError(422, [field_error("/onna_parent_id", str(exc))]) from None


async def create_folder(request: Request) -> Response:
    store = _store(request)
    try:
        draft = model_body(FolderDraft, await json_body(request))
    except ApiError as exc:
        if exc.status != 422:
            raise
        return JSONResponse(validation_detail(exc), 422)
    node = found(lambda: store.create("folder", draft.onna_parent_id, {"name": draft.name}))
    return JSONResponse({"onna_id": node.onna_id}, 201)


async def rename_folder(request: Request) -> Response:
    store = _store(request)
    rename = model_body(FolderRename, await json_body(request))
    found(lambda: store.rename_folder(request.path_params["onna_id"], rename.name))
    return Response(status_code=204)


def _creator(kind: Kind, model: type[FileDraft] | type[TicketDraft]) -> Any:
    async def create(request: Request) -> Response:
        store = _store(request)
        draft = model_body(model, await json_body(request))
        fields = draft.to_wire()
        parent = fields.pop("onna_parent_id")
        node = _parent_known(lambda: store.create(kind, parent, fields))
        return JSONResponse({"onna_id": node.onna_id}, 201)

    return create


def _reader(kind: Kind) -> Any:
    async def read(request: Request) -> Response:
        store = _store(request)
        return JSONResponse(found(lambda: store.get(kind, request.path_params["onna_id"])))

    return read


def _deleter(kind: Kind) -> Any:
    async def delete(request: Request) -> Response:
        store = _store(request)
        found(lambda: store.delete(kind, request.path_params["onna_id"]))
        return Response(status_code=204)

    return delete


def routes(p: str = API_PREFIX) -> list[BaseRoute]:
    """The routes of this resource under the API prefix ``p``."""
    folder = f"{p}/folders/{{onna_id}}"
    file = f"{p}/resources/files/{{onna_id}}"
    ticket = f"{p}/resources/tickets/{{onna_id}}"
    return [
        Route(f"{p}/folders", create_folder, methods=["POST"]),
        Route(folder, _reader("folder"), methods=["GET"]),
        Route(folder, rename_folder, methods=["PATCH"]),
        Route(folder, _deleter("folder"), methods=["DELETE"]),
        Route(f"{p}/resources/files", _creator("file", FileDraft), methods=["POST"]),
        Route(file, _reader("file"), methods=["GET"]),
        Route(file, _deleter("file"), methods=["DELETE"]),
        Route(f"{p}/resources/tickets", _creator("ticket", TicketDraft), methods=["POST"]),
        Route(ticket, _reader("ticket"), methods=["GET"]),
        Route(ticket, _deleter("ticket"), methods=["DELETE"]),
    ]
