"""Loopback HTTP servers that misbehave on purpose, run in the test's own event loop.

``RawServer`` reads each request's head and body, then hands the socket to a
script that writes whatever bytes it likes: a trickle, an endless body, a lie
about the length. Nothing here is a real HTTP implementation; it only has to be
wrong in exactly the way a test asks.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable
from types import TracebackType

Script = Callable[["RawServer", asyncio.StreamWriter], Awaitable[None]]


class RawServer:
    """``async with RawServer(script) as server:`` serves ``server.base_url`` on 127.0.0.1."""

    def __init__(self, script: Script, *, tls: ssl.SSLContext | None = None) -> None:
        self.script = script
        self.tls = tls
        #: (method, path) of every request received.
        self.requests: list[tuple[str, str]] = []
        #: Body bytes the scripts wrote (what a client was offered).
        self.sent = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None
        self.base_url = ""

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        port = self._server.sockets[0].getsockname()[1]
        scheme = "https" if self.tls else "http"
        self.base_url = f"{scheme}://127.0.0.1:{port}/v1"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            self.requests.append((method, path))
            await self.script(self, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass  # the client went away, which is what most tests expect of it
        except asyncio.CancelledError:
            # Stopped by __aexit__. Returning (not re-raising) keeps asyncio's stream
            # callback from logging the cancellation as an error on Python 3.11.
            pass
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()

    async def write(self, writer: asyncio.StreamWriter, data: bytes, *, body: bool = True) -> None:
        """Write and flush; counts body bytes in ``sent``."""
        writer.write(data)
        await writer.drain()
        if body:
            self.sent += len(data)


def head(status: str = "200 OK", *headers: str) -> bytes:
    """A status line and headers, ending the head."""
    return ("\r\n".join([f"HTTP/1.1 {status}", *headers]) + "\r\n\r\n").encode("latin-1")
