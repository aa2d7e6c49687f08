"""The quick pager of GET /workspaces (api.quick_pages) over real loopback HTTP.

It reads plain 200 pages and stops at the first page that is anything else,
with a trail from which ``iter_workspace_pages(resume=...)`` carries on: every
workspace exactly once, in order, whatever page the quick pager stopped at.
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator

import httpx
import pytest
from sandbox_admin import Admin

from onna_tui.api.client import OnnaClient
from onna_tui.api.errors import PaginationError
from onna_tui.api.paging import PageTrail
from onna_tui.api.policy import USER_AGENT
from onna_tui.api.quick_pages import QuickPager, quick_client
from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import Credentials
from onna_tui.sandbox.server import SandboxServer
from onna_tui.sandbox.state import SandboxState

WORKSPACES = 7  # four pages of two


@pytest.fixture
def sandbox_state(sandbox_clock: ManualClock, sandbox_credentials: Credentials) -> SandboxState:
    state = SandboxState(clock=sandbox_clock, page_size=2)
    state.add_client(
        client_id=sandbox_credentials.client_id,
        client_secret=sandbox_credentials.client_secret.get_secret_value(),
    )
    for number in range(WORKSPACES):
        state.create_workspace(f"ws {number} \x1b[31m")
    return state


@pytest.fixture
def token(sandbox_server: SandboxServer, sandbox_credentials: Credentials) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": sandbox_credentials.client_id,
        "client_secret": sandbox_credentials.client_secret.get_secret_value(),
    }
    response = httpx.post(f"{sandbox_server.base_url}/oauth/token", data=form, timeout=10)
    value: str = response.raise_for_status().json()["access_token"]
    return value


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with quick_client() as client:
        yield client


def _all(state: SandboxState) -> list[tuple[str, str]]:
    return [(w.onna_id, w.name) for w in state.workspaces()]


def _requests(admin: Admin) -> int:
    return int(admin.stats()["by_route"].get("GET /v1/workspaces", 0))


async def _rest(client: OnnaClient, trail: PageTrail) -> list[tuple[str, str]]:
    rows = []
    async for page in client.iter_workspace_pages(resume=trail):
        rows.extend((item.onna_id, item.name) for item in page.items)
    return rows


def test_plain_pages_are_read_to_the_end(
    sandbox_server: SandboxServer, sandbox_state: SandboxState, http: httpx.Client, token: str
) -> None:
    pager = QuickPager(http, sandbox_server.base_url, token)
    pages = list(pager.pages())
    assert [len(rows) for rows in pages] == [2, 2, 2, 1]
    assert [row for rows in pages for row in rows] == _all(sandbox_state)
    assert pager.finished and pager.trail.pages == 4 and pager.trail.pending is None
    assert token not in repr(pager)


def test_the_client_rules_are_those_of_the_async_client(http: httpx.Client) -> None:
    assert http.headers["User-Agent"] == USER_AGENT
    assert http.follow_redirects is False
    assert http.timeout == httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)


STOPS = {
    "refused token": {"status": 401},
    "rate limited": {"status": 429, "headers": {"Retry-After": "0"}},
    "unavailable": {"status": 503},
    "server error": {"status": 500},
    "not JSON": {"malformed": True},
    "another shape": {"wrong_shape": True},
    "dropped": {"drop": "before"},
    "redirect": {"status": 302, "headers": {"Location": "http://127.0.0.1:9/v1/workspaces"}},
    "items not a list": {"status": 200, "body": {"items": {"onna_id": "x"}}},
    "an id that is a number": {"status": 200, "body": {"items": [{"onna_id": 7, "name": "n"}]}},
    "a cursor that is a number": {"status": 200, "body": {"items": [], "cursor": 3}},
}


@pytest.mark.parametrize("fault", STOPS.values(), ids=STOPS.keys())
@pytest.mark.parametrize("at_page", [1, 3])
async def test_a_page_that_is_not_plain_stops_it_and_the_full_pager_carries_on(
    sandbox_server: SandboxServer,
    sandbox_state: SandboxState,
    admin: Admin,
    client: OnnaClient,
    http: httpx.Client,
    token: str,
    fault: dict[str, object],
    at_page: int,
) -> None:
    for _ in range(at_page - 1):  # the pages before pass untouched
        admin.fault(path="/workspaces", method="GET", headers={"X-Plain": "1"})
    admin.fault(path="/workspaces", method="GET", **fault)
    pager = QuickPager(http, sandbox_server.base_url, token)
    quick = [row for rows in pager.pages() for row in rows]
    assert not pager.finished
    assert len(quick) == 2 * (at_page - 1)
    assert pager.trail.pages == at_page - 1
    # The fault is used up; the full pager fetches that page again and goes on.
    rest = await _rest(client, pager.trail)
    assert quick + rest == _all(sandbox_state)
    assert _requests(admin) == at_page + (4 - at_page + 1)


def test_too_large_or_too_slow_stops_it(
    sandbox_server: SandboxServer, http: httpx.Client, token: str
) -> None:
    small = QuickPager(http, sandbox_server.base_url, token, max_body=50)
    assert list(small.pages()) == [] and not small.finished
    assert small.trail.cursor is None and small.trail.pages == 0
    ticks = itertools.count(0.0, 61.0)  # each look at the clock: past the 60 s deadline
    slow = QuickPager(http, sandbox_server.base_url, token, monotonic=lambda: next(ticks))
    assert list(slow.pages()) == [] and not slow.finished


def test_nothing_listens_stops_it(http: httpx.Client, token: str) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pager = QuickPager(http, f"http://127.0.0.1:{port}/v1", token)
    assert list(pager.pages()) == [] and not pager.finished


async def test_a_repeated_cursor_is_raised_by_the_full_pager_from_the_trail(
    sandbox_server: SandboxServer, admin: Admin, client: OnnaClient, http: httpx.Client, token: str
) -> None:
    pages = [
        {"items": [{"onna_id": "a", "name": "1"}], "cursor": "c1"},
        {"items": [{"onna_id": "b", "name": "2"}], "cursor": "c2"},
        {"items": [{"onna_id": "c", "name": "3"}], "cursor": "c1"},
    ]
    for page in pages:
        admin.fault(path="/workspaces", method="GET", status=200, body=page)
    pager = QuickPager(http, sandbox_server.base_url, token)
    assert [row for rows in pager.pages() for row in rows] == [("a", "1"), ("b", "2"), ("c", "3")]
    assert not pager.finished and pager.trail.pending == "c1"
    with pytest.raises(PaginationError, match=r"already sent.*stopped after 3 pages"):
        await _rest(client, pager.trail)
    assert _requests(admin) == 3  # nothing fetched again


async def test_the_page_limit_is_kept_across_the_hand_over(
    sandbox_server: SandboxServer, client: OnnaClient, http: httpx.Client, token: str
) -> None:
    pager = QuickPager(http, sandbox_server.base_url, token, page_limit=2)
    assert len(list(pager.pages())) == 2 and not pager.finished
    with pytest.raises(PaginationError, match="after 2 pages"):
        async for _ in client.iter_workspace_pages(page_limit=2, resume=pager.trail):
            pass
