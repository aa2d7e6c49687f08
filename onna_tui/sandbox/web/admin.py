"""The /_sandbox admin surface: loopback only, no web page, JSON POSTs only."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from onna_tui.core.urls import is_loopback_host
from onna_tui.sandbox.faults import (
    FaultSpecError,
)
from onna_tui.sandbox.state import (
    ERROR_SHAPES,
    SandboxError,
)
from onna_tui.sandbox.web.bodies import json_body, media_type_of
from onna_tui.sandbox.web.common import (
    ADMIN_PREFIX,
    ApiError,
    JSONResponse,
    field_error,
    state_of,
)


def _is_loopback(request: Request) -> bool:
    if request.client is None:
        return True  # not a socket (e.g. an in-process transport without a client)
    # Starlette's test client names itself "testclient".
    return request.client.host == "testclient" or is_loopback_host(request.client.host)


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def host_name(header: str) -> str | None:
    """The host in a Host header: lower case, no port, brackets or final dot; None if malformed."""
    value = header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        host, rest = value[1:end], value[end + 1 :]
        if end < 0 or not is_ip_literal(host):
            return None
    else:
        host, colon, port = value.partition(":")
        rest = colon + port
    if rest and not re.fullmatch(r":[0-9]{0,5}", rest):
        return None
    host = host.removesuffix(".")
    return host or None


def _is_loopback_origin(origin: str) -> bool:
    """True for an Origin header naming a page served from this machine."""
    try:
        parts = urlsplit(origin.strip())
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and parts.hostname is not None
        and is_loopback_host(parts.hostname)
    )


def _admin(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """The admin surface's guard: loopback peer and Host, no foreign web page, JSON POSTs only.

    The peer check keeps other machines out. The rest keeps out web pages open
    in a browser on this machine: the Host check defeats DNS rebinding (a page
    whose own name resolves to 127.0.0.1), and a page can send a cross-site
    form or a no-cors fetch to loopback, but never with a loopback Origin, nor
    with Content-Type: application/json without a CORS preflight the sandbox
    never grants.
    """

    async def guarded(request: Request) -> Response:
        if not _is_loopback(request):
            raise ApiError(403, "The sandbox admin surface answers loopback clients only.")
        host = host_name(request.headers.get("host", ""))
        if host is None or not is_loopback_host(host):
            raise ApiError(
                403,
                "The sandbox admin surface answers requests for localhost, 127.0.0.1 or [::1] "
                "only: use one of those in the URL.",
            )
        origin = request.headers.get("origin")
        if origin is not None and not _is_loopback_origin(origin):
            raise ApiError(
                403,
                "The sandbox admin surface refuses requests from web pages: send them "
                "without an Origin header, from a program on this machine.",
            )
        if request.method == "POST" and media_type_of(request) != "application/json":
            raise ApiError(
                415,
                "Send sandbox admin requests with Content-Type: application/json "
                "(the body may be empty).",
            )
        try:
            return await handler(request)
        except SandboxError as exc:
            raise ApiError(exc.status, str(exc)) from None

    return guarded


async def add_client(request: Request) -> Response:
    state = state_of(request)
    body = await json_body(request, required=False) or {}
    if not isinstance(body, dict):
        raise ApiError(422, "The body must be a JSON object.")
    creds = state.add_client(
        client_id=body.get("client_id"),
        client_secret=body.get("client_secret"),
        user=body.get("user"),
    )
    owner = state.client_owner(creds.client_id)
    return JSONResponse(
        {
            "client_id": creds.client_id,
            "client_secret": creds.client_secret.get_secret_value(),
            "user_id": owner.id,
        },
        201,
    )


async def remove_client(request: Request) -> Response:
    state = state_of(request)
    state.remove_client(request.path_params["client_id"])
    return Response(status_code=204)


async def revoke_role(request: Request) -> Response:
    state = state_of(request)
    state.revoke_developer_role(request.path_params["user_id"])
    return Response(status_code=204)


async def expire_tokens(request: Request) -> Response:
    state = state_of(request)
    state.expire_all_tokens()
    return Response(status_code=204)


async def add_fault(request: Request) -> Response:
    state = state_of(request)
    try:
        fault = state.add_fault(await json_body(request))
    except FaultSpecError as exc:
        pointer = f"/{exc.field}" if exc.field else ""
        raise ApiError(422, [field_error(pointer, str(exc))]) from None
    return JSONResponse(fault.to_json(), 201)


async def list_faults(request: Request) -> Response:
    state = state_of(request)
    return JSONResponse({"faults": [f.to_json() for f in state.faults()]})


async def clear_faults(request: Request) -> Response:
    state = state_of(request)
    state.clear_faults()
    return Response(status_code=204)


async def stats(request: Request) -> Response:
    state = state_of(request)
    return JSONResponse(state.stats())


async def reset_stats(request: Request) -> Response:
    state = state_of(request)
    state.reset_stats()
    return Response(status_code=204)


async def get_settings(request: Request) -> Response:
    state = state_of(request)
    return JSONResponse(state.settings())


async def change_settings(request: Request) -> Response:
    state = state_of(request)
    body = await json_body(request)
    if not isinstance(body, dict):
        example = '{"error_shape": "flat"}'
        raise ApiError(422, [field_error("", f"The body must be a JSON object such as {example}.")])
    known = {"error_shape", "max_upload_size", "tus_checksum"}
    errors = [
        field_error(
            f"/{key}",
            f"Unknown setting {key!r}: the settings are error_shape, max_upload_size and "
            "tus_checksum.",
        )
        for key in sorted(set(body) - known)
    ]
    shape = body.get("error_shape", state.error_shape)
    if not isinstance(shape, str) or shape not in ERROR_SHAPES:
        errors.append(
            field_error("/error_shape", f"error_shape must be one of: {', '.join(ERROR_SHAPES)}.")
        )
    errors.extend(_upload_setting_errors(body))
    if errors:
        raise ApiError(422, errors)
    state.set_error_shape(shape)
    state.contents.set_upload_settings(
        max_size=body.get("max_upload_size"), checksum=body.get("tus_checksum")
    )
    return JSONResponse(state.settings())


def _upload_setting_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    size = body.get("max_upload_size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        errors.append(field_error("/max_upload_size", "max_upload_size must be bytes, 0 or more."))
    checksum = body.get("tus_checksum")
    if checksum is not None and not isinstance(checksum, bool):
        errors.append(field_error("/tus_checksum", "tus_checksum must be true or false."))
    return errors


async def uploads(request: Request) -> Response:
    """Every upload with its offset, length, bytes received and the SHA-256 it stored."""
    return JSONResponse(state_of(request).contents.uploads_json())


def admin_routes() -> list[BaseRoute]:
    """The admin surface's routes, each behind the guard (see _admin)."""
    a = ADMIN_PREFIX
    return [
        Route(f"{a}/clients", _admin(add_client), methods=["POST"]),
        Route(f"{a}/clients/{{client_id}}", _admin(remove_client), methods=["DELETE"]),
        Route(
            f"{a}/users/{{user_id}}/revoke-developer-role", _admin(revoke_role), methods=["POST"]
        ),
        Route(f"{a}/expire-tokens", _admin(expire_tokens), methods=["POST"]),
        Route(f"{a}/faults", _admin(add_fault), methods=["POST"]),
        Route(f"{a}/faults", _admin(list_faults), methods=["GET"]),
        Route(f"{a}/faults", _admin(clear_faults), methods=["DELETE"]),
        Route(f"{a}/stats", _admin(stats), methods=["GET"]),
        Route(f"{a}/reset-stats", _admin(reset_stats), methods=["POST"]),
        Route(f"{a}/settings", _admin(get_settings), methods=["GET"]),
        Route(f"{a}/settings", _admin(change_settings), methods=["POST"]),
        Route(f"{a}/uploads", _admin(uploads), methods=["GET"]),
    ]
