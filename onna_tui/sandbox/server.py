"""Run the sandbox on real uvicorn in a background thread, for tests and `onna-tui --sandbox`.

    with SandboxServer() as server:            # or: async with SandboxServer() as server
        httpx.get(server.base_url + "/health")

The socket is bound before the thread starts (port 0 picks a free one), so
``base_url`` is known at once and a bind failure is raised in the caller's
thread. Start-up polls uvicorn's ``started`` flag instead of sleeping.
Logging goes through the host process's logging set-up (no dictConfig), so an
in-process TUI is not disturbed, and connection drops injected on purpose are
not reported as errors.

No client holds a connection for long without sending a whole request: the
request head (request line and headers) must arrive within
``head_timeout`` seconds of the connection opening or of the previous
response, however the bytes trickle in; the body within ``body_timeout``
seconds of the app starting to read it (then 408 and close); an idle
keep-alive connection is closed after ``keep_alive_timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from onna_tui.sandbox.app import DEFAULT_BODY_TIMEOUT, create_app
from onna_tui.sandbox.faults import ConnectionDropped
from onna_tui.sandbox.state import SandboxState

#: How long stop() lets in-flight requests (say, a latency fault) finish.
GRACEFUL_SHUTDOWN_SECONDS = 1
#: Seconds an idle keep-alive connection stays open (uvicorn's default).
DEFAULT_KEEP_ALIVE_TIMEOUT = 5
#: Seconds a request head may take to arrive, from connecting or from the previous response.
DEFAULT_HEAD_TIMEOUT = 10.0
#: Request heads larger than this are refused (400), as uvicorn does by default.
MAX_HEAD_BYTES = 16 * 1024


class _BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head.

    uvicorn arms no timer on a new connection, and its keep-alive timer is
    cancelled by any byte that arrives, so a client that sends nothing, or
    half a header line, or one byte now and then, would hold its connection
    forever. Here a timer armed when the connection opens and again after
    each response is cancelled only when a whole request head has arrived
    (a new request cycle begins); when it fires, the connection is closed.
    The request body is bounded by the app (``create_app(body_timeout=...)``).
    """

    head_timeout: float = DEFAULT_HEAD_TIMEOUT
    #: Seconds since the epoch, for the Date header (a test moves it by hand).
    wall_clock: Callable[[], float] = time.time

    _head_timer: asyncio.TimerHandle | None = None
    _waiting_cycle: object = None

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._waiting_cycle = self.cycle
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def _check_head_arrived(self) -> None:
        if self._head_timer is not None and self.cycle is not self._waiting_cycle:
            self._cancel_head_timer()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm_head_timer()

    def _refresh_date(self) -> None:
        """Keep the Date header of the responses to come to the second, on demand.

        uvicorn refreshes it from a loop that wakes ten times a second, idle or not;
        `_QuietServer` sleeps instead, so the date is brought up to date here, when
        a request comes in (at most once a second).
        """
        state = self.server_state
        second = int(self.wall_clock())
        if getattr(state, "date_second", None) == second:
            return
        state.date_second = second  # type: ignore[attr-defined]
        date = [(b"date", formatdate(second, usegmt=True).encode())]
        state.default_headers = (date if self.config.date_header else []) + list(
            self.config.encoded_headers
        )

    def data_received(self, data: bytes) -> None:
        self._refresh_date()
        super().data_received(data)
        self._check_head_arrived()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_head_timer()
            self._check_head_arrived()  # a pipelined request may have started already

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)


def bounded_protocol(
    head_timeout: float, wall_clock: Callable[[], float] = time.time
) -> type[asyncio.Protocol]:
    """The HTTP protocol class for uvicorn, with this deadline for request heads."""
    return type(
        "SandboxHTTPProtocol",
        (_BoundedH11Protocol,),
        {"head_timeout": head_timeout, "wall_clock": staticmethod(wall_clock)},
    )


class _QuietServer(uvicorn.Server):
    """uvicorn's server without its 10 Hz loop: idle, the sandbox's thread sleeps.

    uvicorn's ``main_loop`` wakes every 0.1 s to refresh the Date header and to
    see whether it should exit. Here the Date header is refreshed per request
    (`_BoundedH11Protocol._refresh_date`), and ``request_exit`` wakes the loop
    from any thread; a running ``onna-tui --sandbox`` then costs nothing while
    nobody calls it.
    """

    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        await self.on_tick(0)  # the first Date header, and an exit asked for already
        while not self.should_exit:
            await self._wake.wait()
            self._wake.clear()

    def request_exit(self) -> None:
        """Ask the server to stop (from any thread); its loop wakes at once."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:
                pass  # the loop has closed: it stopped already


class _DropFilter(logging.Filter):
    """Hide uvicorn's "Exception in ASGI application" for drops we injected on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


_DROP_FILTER = _DropFilter()


def install_log_filter() -> None:
    """Idempotent: addFilter ignores a filter that is already installed."""
    logging.getLogger("uvicorn.error").addFilter(_DROP_FILTER)


def url_host(host: str) -> str:
    """The host as it goes in a URL: wildcards become loopback, IPv6 gets brackets."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]"
    except ValueError:
        pass
    return host


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host in ("", "localhost")
    return True


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: any free port). Raises OSError."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
    )[0]
    # proto must be IPPROTO_TCP, not 0: asyncio only sets TCP_NODELAY on accepted
    # sockets whose proto says TCP, and without it every keep-alive request
    # waits 40 ms for a delayed ACK.
    sock = socket.socket(family, kind, proto)
    try:
        # SO_REUSEADDR lets a restarted sandbox take its port back from TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class SandboxServer:
    """The sandbox app on uvicorn in a daemon thread; a sync and async context manager."""

    def __init__(
        self,
        state: SandboxState | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        startup_timeout: float = 10.0,
        keep_alive_timeout: int = DEFAULT_KEEP_ALIVE_TIMEOUT,
        head_timeout: float = DEFAULT_HEAD_TIMEOUT,
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = state if state is not None else SandboxState()
        self.wall_clock = wall_clock
        self.keep_alive_timeout = keep_alive_timeout
        self.head_timeout = head_timeout
        self.body_timeout = body_timeout
        self._app = self._make_app(self.state, host)
        self.host = host
        self.requested_port = port
        self.startup_timeout = startup_timeout
        self.port: int | None = None
        self._socket: socket.socket | None = None
        self._server: _QuietServer | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        #: Set when the server thread has returned (an Event, not Thread.join: a
        #: KeyboardInterrupt inside join can leave the thread looking stopped early).
        self._finished = threading.Event()

    def _make_app(self, state: SandboxState, host: str) -> ASGIApp:
        # The API also answers to the name it was told to serve on (say, --host myhost.lan).
        named = [] if _is_address(host) else [host]
        return create_app(state, body_timeout=self.body_timeout, allowed_hosts=named)

    # -------------------------------------------------------------- URLs

    @property
    def root_url(self) -> str:
        """``http://HOST:PORT`` (the admin surface lives at root_url + "/_sandbox")."""
        if self.port is None:
            raise RuntimeError("the sandbox server is not running")
        return f"http://{url_host(self.host)}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT/v1``: what a client uses as the API base URL."""
        return self.root_url + "/v1"

    @property
    def error(self) -> BaseException | None:
        """What made the server thread stop on its own, if anything."""
        return self._error

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._finished.is_set()

    # ------------------------------------------------------------- state

    def replace_state(self, state: SandboxState) -> None:
        """Serve a different state from now on, without restarting uvicorn.

        Lets a test suite share one running server and still give every test a
        fresh sandbox (starting and stopping uvicorn costs ~0.15 s each time).
        Requests already in flight finish against the old state.
        """
        self._app = self._make_app(state, self.host)
        self.state = state

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)

    # --------------------------------------------------------- lifecycle

    def start(self) -> SandboxServer:
        if self._thread is not None:
            raise RuntimeError("the sandbox server was already started")
        install_log_filter()
        self._socket = bind_socket(self.host, self.requested_port)
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(
            self._dispatch,
            interface="asgi3",
            log_config=None,  # never dictConfig the host process's logging
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            proxy_headers=False,  # the admin surface trusts the real peer address only
            server_header=False,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            http=bounded_protocol(self.head_timeout, self.wall_clock),
            timeout_keep_alive=self.keep_alive_timeout,
            h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        )
        self._server = _QuietServer(config)
        self._thread = threading.Thread(
            target=self._run, name=f"onna-sandbox-{self.port}", daemon=True
        )
        self._thread.start()

        deadline = time.monotonic() + self.startup_timeout
        while not self._server.started:
            if self._finished.is_set():
                self._cleanup_socket()
                raise RuntimeError(f"the sandbox server failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the sandbox server did not start in time")
            time.sleep(0.002)
        return self

    def _run(self) -> None:
        assert self._server is not None and self._socket is not None
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # SystemExit included: uvicorn exits on start-up failure
            self._error = exc
        finally:
            self._finished.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit and wait for the thread; safe to call twice."""
        if self._server is not None:
            self._server.request_exit()
        if self._thread is not None:
            if not self._finished.wait(timeout):
                # Still busy after the graceful period: stop waiting for connections.
                assert self._server is not None
                self._server.force_exit = True
                self._finished.wait(timeout)
            if self._finished.is_set():
                self._thread.join(timeout)  # it is returning: let it go entirely
        self._cleanup_socket()

    def _cleanup_socket(self) -> None:
        if self._socket is not None:
            self._socket.close()

    def wait(self) -> None:
        """Block until the server stops (used by the foreground CLI)."""
        while self._thread is not None and not self._finished.wait(0.2):
            pass

    # -------------------------------------------------- context managers

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> SandboxServer:
        # start() blocks while polling; keep the caller's event loop free meanwhile.
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)
