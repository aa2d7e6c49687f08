"""Idle, half-open and trickling connections are dropped after a bounded time.

Raw sockets against real uvicorn started on port 0 with short limits: what a
slow or vanished client does cannot be expressed through an HTTP library.
The waits are for the server's own timers (socket reads with a timeout), not
sleeps; each test takes about one limit.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from onna_tui.sandbox.server import DEFAULT_HEAD_TIMEOUT, SandboxServer
from onna_tui.sandbox.state import SandboxState

LIMIT = 0.4
#: Far above LIMIT: a server that never closes fails the test instead of hanging it.
GIVE_UP = 10.0


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxState(), head_timeout=LIMIT, body_timeout=LIMIT) as running:
        yield running


def _connect(server: SandboxServer) -> socket.socket:
    assert server.port is not None
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.settimeout(GIVE_UP)
    return sock


def _read_until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and how long that took."""
    started = time.monotonic()
    data = b""
    with sock:
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            except TimeoutError:
                pytest.fail(f"the server kept the connection open for {GIVE_UP} s")
            if not chunk:
                break
            data += chunk
    return data, time.monotonic() - started


def test_the_defaults_are_bounded() -> None:
    server = SandboxServer()
    assert 0 < server.head_timeout == DEFAULT_HEAD_TIMEOUT <= 30
    assert 0 < server.body_timeout <= 60
    assert 0 < server.keep_alive_timeout <= 10


def test_a_connection_that_never_sends_is_closed(server: SandboxServer) -> None:
    data, took = _read_until_closed(_connect(server))
    assert data == b""
    assert LIMIT * 0.9 <= took < GIVE_UP


def test_half_a_request_head_is_closed(server: SandboxServer) -> None:
    sock = _connect(server)
    sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
    data, took = _read_until_closed(sock)
    assert data == b"" and took < GIVE_UP


def test_a_head_trickled_byte_by_byte_is_closed_in_time(server: SandboxServer) -> None:
    # Every byte arrives well within the limit of the one before: a per-byte
    # timer (like uvicorn's keep-alive timer) would never fire.
    sock = _connect(server)
    sock.settimeout(LIMIT / 8)  # the client's pace: it waits this long for an answer
    started = time.monotonic()
    head = b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000
    closed = False
    with sock:
        for byte in head:
            try:
                sock.sendall(bytes([byte]))
                closed = sock.recv(1) == b""
            except TimeoutError:
                continue  # still open: send the next byte
            except OSError:  # broken pipe or reset: closed while sending
                closed = True
            break
    assert closed, "the trickling head was accepted for 1000 bytes at LIMIT/8 each"
    assert LIMIT * 0.9 <= time.monotonic() - started < LIMIT * 10


def test_a_trickling_body_gets_a_408_and_is_closed(server: SandboxServer) -> None:
    sock = _connect(server)
    sock.sendall(
        b"POST /v1/oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
        b"client_id=x"
    )
    data, took = _read_until_closed(sock)
    assert data.startswith(b"HTTP/1.1 408 ")
    assert b"connection: close" in data.lower()
    assert b'"XX408_request_timeout"' in data
    assert took < GIVE_UP


def test_a_latency_fault_does_not_count_against_the_body(server: SandboxServer) -> None:
    # The server waits longer than the body limit before reading a body that
    # arrived at once: the client was not slow, so no 408.
    server.state.add_fault({"path": "/oauth/token", "latency": LIMIT * 1.5})
    with httpx.Client(base_url=server.base_url, timeout=GIVE_UP, verify=False) as client:
        response = client.post("/oauth/token", data={"client_id": "x", "client_secret": "y"})
    assert response.status_code == 401


def test_an_unread_body_after_the_answer_is_closed(server: SandboxServer) -> None:
    # GET /health ignores its body; the client then keeps the connection half-used.
    sock = _connect(server)
    sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 50\r\n\r\n{")
    data, took = _read_until_closed(sock)
    assert data.startswith(b"HTTP/1.1 200 ")
    assert took < GIVE_UP


def test_one_stray_byte_after_a_response_does_not_hold_the_connection(
    server: SandboxServer,
) -> None:
    sock = _connect(server)
    sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nG")
    data, took = _read_until_closed(sock)
    assert data.startswith(b"HTTP/1.1 200 ") and data.count(b"HTTP/1.1") == 1
    assert LIMIT * 0.9 <= took < GIVE_UP


def test_prompt_clients_keep_their_connection_alive(server: SandboxServer) -> None:
    # Requests on one kept-alive connection, each within the limit, all answered.
    with httpx.Client(base_url=server.base_url, timeout=5, verify=False) as client:
        for _ in range(5):
            assert client.get("/health").status_code == 200
        assert client.post("/oauth/token", data={"client_id": "a"}).status_code == 422
    # A pipelined second request in the same packet is served too.
    sock = _connect(server)
    request = b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    sock.sendall(request + request[:-2] + b"Connection: close\r\n\r\n")
    data, _ = _read_until_closed(sock)
    assert data.count(b"HTTP/1.1 200 ") == 2
