"""GET /workspaces page by page on a sync httpx client: the happy path of
`onna-tui workspace list`, without asyncio, pydantic or a model per item.

A listing of thousands of workspaces is mostly start-up and plain 200 pages, so
the CLI (``cli.fast_list``) reads those here and stops at the first page that is
anything else: not 200 (a token the server refused, a 429 or 503 to wait out, an
error to explain), not JSON of the documented shape, too large, too slow, a
transport failure, or a cursor that would never end. ``QuickPager.trail`` then
says where it stopped, and the full path (``iter_pages(resume=trail)``) fetches
that page again and does everything else: retries, a new token, the message. So
this module never reports a failure itself; it only decides when to stop.

``workspace_rows`` accepts exactly the bodies ``core.wire.workspaces.Page``
accepts (tests hold the two together), giving each item's onna_id and name.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import httpx

from onna_tui.api.errors import PaginationError
from onna_tui.api.paging import DEFAULT_PAGE_LIMIT, WORKSPACES, PageTrail
from onna_tui.api.policy import DEFAULT_DEADLINE, MAX_BODY_BYTES, client_options

#: One row of a workspace page: (onna_id, name).
Row = tuple[str, str]


def workspace_rows(body: object) -> tuple[list[Row], str | None] | None:
    """The (onna_id, name) of each item and the page's cursor, when ``Page.model_validate``
    would accept ``body`` (parsed JSON); None when it would not, or might not."""
    if type(body) is not dict:
        return None
    items, cursor = body.get("items"), body.get("cursor")
    if type(items) is not list or not (cursor is None or type(cursor) is str):
        return None
    rows: list[Row] = []
    for item in items:
        if type(item) is not dict:
            return None
        onna_id, name = item.get("onna_id"), item.get("name", "")
        if type(onna_id) is not str or type(name) is not str:
            return None
        rows.append((onna_id, name))
    return rows, cursor


def quick_client() -> httpx.Client:
    """A sync Client with the process's rules (api.policy)."""
    return httpx.Client(**client_options())


class QuickPager:
    """The pages of GET /workspaces that need nothing but reading, in order.

    Iterate ``pages()``; afterwards ``finished`` says whether the listing ended
    (the last page came) or stopped early, and ``trail`` where, for
    ``iter_pages(resume=...)``. The access token is sent as given: it must be one
    the caller has checked is fresh (a refused one just stops the pager).
    """

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        access_token: str,
        *,
        page_limit: int = DEFAULT_PAGE_LIMIT,
        deadline: float = DEFAULT_DEADLINE,
        max_body: int = MAX_BODY_BYTES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._url = f"{base_url}/workspaces"
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._page_limit = page_limit
        self._deadline = deadline
        self._max_body = max_body
        self._monotonic = monotonic
        self.trail = PageTrail()
        self.finished = False

    def __repr__(self) -> str:  # never the token
        return f"QuickPager(pages={self.trail.pages}, finished={self.finished})"

    def pages(self) -> Iterator[list[Row]]:
        """Each page's rows, until the last page or the first one this path leaves alone."""
        trail = self.trail
        while True:
            page = self._fetch(trail.cursor)
            if page is None:
                return  # the full path fetches trail.cursor again
            rows, cursor = page
            trail.arrived(cursor)
            yield rows
            try:
                if not trail.follow(WORKSPACES, self._page_limit):
                    self.finished = True
                    return
            except PaginationError:  # the full path raises it again from the same trail
                return

    def _fetch(self, cursor: str | None) -> tuple[list[Row], str | None] | None:
        body = self._read(cursor)
        if body is None:
            return None
        try:
            return workspace_rows(json.loads(body))
        except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is a ValueError)
            return None

    def _read(self, cursor: str | None) -> bytes | None:
        """The body of a 200 answer read whole within the deadline and the size cap (as
        api.sending reads it), else None."""
        started = self._monotonic()
        params = {"cursor": cursor} if cursor else None
        try:
            with self._http.stream(
                "GET", self._url, params=params, headers=self._headers
            ) as response:
                if response.status_code != 200:
                    return None
                chunks: list[bytes] = []
                total = 0
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    if total > self._max_body or self._late(started):
                        return None
                    chunks.append(chunk)
                if self._late(started):  # an empty body, late
                    return None
        except Exception:  # httpx.HTTPError, InvalidURL, anything: the full path explains
            return None
        return b"".join(chunks)

    def _late(self, started: float) -> bool:
        return self._monotonic() - started > self._deadline
