"""Health, the bundled spec, the token endpoint (client credentials grant) and the current user."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from onna_tui.sandbox.state import (
    InvalidClient,
    SandboxState,
    SandboxUser,
    TokenRejected,
)
from onna_tui.sandbox.web.bodies import read_body
from onna_tui.sandbox.web.common import API_PREFIX, ApiError, JSONResponse, spec_text, state_of
from onna_tui.version import __version__


def bearer_user(request: Request, state: SandboxState) -> SandboxUser:
    header = request.headers.get("authorization")
    challenge = 'Bearer realm="onna-sandbox"'
    if not header:
        raise ApiError(
            401,
            "Missing Authorization header: send 'Authorization: Bearer <access token>'.",
            headers={"WWW-Authenticate": challenge},
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "The Authorization header must be 'Bearer <access token>'.",
            headers={"WWW-Authenticate": challenge},
        )
    try:
        return state.authenticate(token.strip())
    except TokenRejected as exc:
        raise ApiError(
            401, str(exc), headers={"WWW-Authenticate": f'{challenge}, error="invalid_token"'}
        ) from None


async def health(request: Request) -> Response:
    return JSONResponse({"status": "pass", "version": "v1", "release_id": f"sandbox-{__version__}"})


async def openapi_yaml(request: Request) -> Response:
    return Response(spec_text(), media_type="application/yaml")


async def token(request: Request) -> Response:
    state = state_of(request)
    raw = await read_body(request)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    # Like FastAPI's Form(...): any other content type simply has no form
    # fields, and an empty value counts as missing.
    form: dict[str, str] = {}
    if media_type == "application/x-www-form-urlencoded":
        for key, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
            form.setdefault(key, value)
    missing = [f for f in ("client_id", "client_secret") if not form.get(f)]
    if missing:
        return JSONResponse(
            {
                "detail": [
                    {"loc": ["body", f], "msg": "field required", "type": "value_error.missing"}
                    for f in missing
                ]
            },
            422,
        )
    # The spec gives grant_type the default client_credentials.
    grant_type = form.get("grant_type") or "client_credentials"
    no_store = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if grant_type != "client_credentials":
        return JSONResponse(
            {
                "error": "unsupported_grant_type",
                "error_description": "Only grant_type=client_credentials is supported.",
            },
            400,
            headers=no_store,
        )
    try:
        access_token, ttl = state.exchange(form["client_id"], form["client_secret"])
    except InvalidClient as exc:
        return JSONResponse(
            {"error": "invalid_client", "error_description": str(exc)}, 401, headers=no_store
        )
    return JSONResponse(
        {"access_token": access_token, "token_type": "bearer", "expires_in": ttl},
        headers=no_store,
    )


async def current_user(request: Request) -> Response:
    state = state_of(request)
    user = bearer_user(request, state)
    return JSONResponse(user.current_user())


def routes(p: str = API_PREFIX) -> list[BaseRoute]:
    """The routes of this resource under the API prefix ``p``."""
    return [
        Route(f"{p}/health", health, methods=["GET"]),
        Route(f"{p}/openapi.yaml", openapi_yaml, methods=["GET"]),
        Route(f"{p}/oauth/token", token, methods=["POST"]),
        Route(f"{p}/oauth/user", current_user, methods=["GET"]),
    ]
