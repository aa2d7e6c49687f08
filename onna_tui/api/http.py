"""The process's one AsyncClient, built with the shared rules of api.policy: TLS
verification always on, no proxy for plain http, no redirects followed, our User-Agent.

Sending (api.sending), reading answers (api.responses) and turning failures into
sentences (api.transport_errors, api.response_errors) live beside it; their names
stay importable from here.
"""

from __future__ import annotations

import httpx

from onna_tui.api.policy import DEFAULT_TIMEOUT, USER_AGENT, client_options
from onna_tui.api.response_errors import response_error, token_endpoint_error
from onna_tui.api.responses import (
    MAX_RETRY_AFTER,
    ModelT,
    json_body,
    parse_model,
    parse_retry_after,
    problem_of,
    request_id_of,
    server_said,
)
from onna_tui.api.sending import (
    DEFAULT_DEADLINE,
    DEFAULT_LIMITS,
    MAX_BODY_BYTES,
    RequestLimits,
    send,
)
from onna_tui.api.transport_errors import transport_error

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "MAX_BODY_BYTES",
    "MAX_RETRY_AFTER",
    "USER_AGENT",
    "ModelT",
    "RequestLimits",
    "json_body",
    "make_http_client",
    "parse_model",
    "parse_retry_after",
    "problem_of",
    "request_id_of",
    "response_error",
    "send",
    "server_said",
    "token_endpoint_error",
    "transport_error",
]


def make_http_client(
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
) -> httpx.AsyncClient:
    """The process's AsyncClient: keep-alive, TLS verification always on, our User-Agent
    (the rules in api.policy)."""
    return httpx.AsyncClient(transport=transport, **client_options(timeout))
