"""The rules every HTTP client of the process is built with, async or sync: TLS
verification always on, no proxy for plain http, no redirects followed, our User-Agent.

``api.http.make_http_client`` builds the process's AsyncClient with them, and the
CLI's quick listing (``api.quick_pages``) its sync Client, so the two cannot drift.
"""

from __future__ import annotations

from typing import Any

import httpx

from onna_tui.version import __version__

USER_AGENT = f"onna-tui/{__version__}"
#: The most one request may take, from connecting to the last byte of the body.
DEFAULT_DEADLINE = 60.0
#: The largest response body read. Onna's biggest answer (a page of workspaces, each
#: with up to 10000 tags) is a few MiB at most; a bigger one is not the API.
MAX_BODY_BYTES = 32 * 1024 * 1024
#: Connect fast or fail; allow the server a while to answer.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)


def client_options(timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """Keyword arguments for ``httpx.AsyncClient`` or ``httpx.Client``."""
    return {
        # Plain http is only ever loopback (see normalize_base_url): never send it
        # through an HTTP_PROXY from the environment, where a client secret would
        # cross the network in clear text. https still honours proxy settings.
        "mounts": {"http://": None},
        "timeout": timeout,
        "verify": True,
        "follow_redirects": False,
        "headers": {"User-Agent": USER_AGENT, "Accept": "application/json"},
    }
