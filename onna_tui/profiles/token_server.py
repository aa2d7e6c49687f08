"""A token endpoint on loopback, for programs that run longer than a token lives.

`onna-tui exec --server` and `onna-tui serve-token` start one: ``GET /token`` on
127.0.0.1 and a random port answers ``{"access_token", "token_type",
"expires_at"}`` with a token that has at least ``min_left`` seconds to live,
re-minted through the profile's shared token cache (and its cross-process lock)
when the cached one is nearer its end. A job that runs for five hours asks again
whenever it needs to and keeps working.

Who may ask: a caller that sends the per-run random secret as its whole
``Authorization`` header (401 otherwise, compared in constant time), with a
``Host`` of 127.0.0.1 or localhost and this port (403 otherwise: a web page
that rebinds a DNS name to 127.0.0.1 sends its own name). Nothing is logged; the
secret and the tokens never appear in an answer other than the token itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import secrets
import socket
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

import uvicorn

from onna_tui.api.tokens import TokenManager
from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.formatting import iso
from onna_tui.errors import OnnaTuiError

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

ENV_TOKEN_URL = "ONNA_TOKEN_URL"
ENV_TOKEN_AUTH = "ONNA_TOKEN_AUTH"
HOST = "127.0.0.1"


def new_secret() -> str:
    """The per-run secret a caller must present (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


class TokenEndpoint:
    """The ASGI app: one route, its refusals, and fresh tokens from ``tokens``."""

    def __init__(
        self,
        tokens: TokenManager,
        secret: str,
        *,
        min_left: float,
        clock: Clock = system_clock,
    ) -> None:
        self._tokens = tokens
        self._secret = secret.encode()
        self.min_left = min_left
        self.clock = clock
        self.port: int | None = None
        #: Tokens handed out, and requests refused (for tests and the exit summary).
        self.served = 0
        self.refused = 0

    def _allowed_hosts(self) -> set[bytes]:
        return {f"{name}:{self.port}".encode() for name in (HOST, "localhost")}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = dict(scope.get("headers") or [])
        if headers.get(b"host", b"").lower() not in self._allowed_hosts():
            return await self._refuse(
                send, 403, f"This token server answers only to Host {HOST}:{self.port}."
            )
        if scope["path"] != "/token":
            return await self._refuse(send, 404, "The only path here is GET /token.")
        if scope["method"] != "GET":
            return await self._refuse(send, 405, "Use GET /token.", allow=True)
        if not hmac.compare_digest(headers.get(b"authorization", b""), self._secret):
            return await self._refuse(
                send,
                401,
                f"Send the {ENV_TOKEN_AUTH} value from your environment as the whole "
                "Authorization header.",
            )
        try:
            token = await self._tokens.get(min_left=self.min_left)
        except OnnaTuiError as exc:
            # Our errors say what to do and never carry a secret.
            return await self._answer(send, 502, {"error": str(exc)})
        self.served += 1
        await self._answer(
            send,
            200,
            {
                "access_token": token.access_token.get_secret_value(),
                "token_type": "bearer",
                "expires_at": iso(token.expires_at),
            },
        )

    async def _refuse(self, send: Send, status: int, message: str, allow: bool = False) -> None:
        self.refused += 1
        await self._answer(send, status, {"error": message}, allow=allow)

    async def _answer(
        self, send: Send, status: int, body: dict[str, Any], allow: bool = False
    ) -> None:
        data = json.dumps(body).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
            (b"cache-control", b"no-store"),
        ]
        if allow:
            headers.append((b"allow", b"GET"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: the command decides what a signal does."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class TokenServer:
    """Serves a TokenEndpoint on 127.0.0.1 (any free port) inside the running event loop."""

    def __init__(self, endpoint: TokenEndpoint, port: int = 0) -> None:
        self.endpoint = endpoint
        self._socket = socket.create_server((HOST, port))
        self.port: int = self._socket.getsockname()[1]
        endpoint.port = self.port
        config = uvicorn.Config(
            endpoint,
            interface="asgi3",
            log_config=None,
            log_level="critical",
            access_log=False,
            lifespan="off",
            ws="none",
            proxy_headers=False,
            server_header=False,
            date_header=False,
        )
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/token"

    async def start(self) -> TokenServer:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises what stopped it
                raise RuntimeError("the token server stopped while starting")
            await asyncio.sleep(0.005)
        return self

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
        self._socket.close()

    async def __aenter__(self) -> TokenServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
