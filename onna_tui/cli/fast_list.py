"""`onna-tui workspace list` on a cached token, without the command tree, asyncio or
pydantic, for as long as the pages are plain.

A long listing costs mostly start-up and plain 200 pages. ``quick_list`` answers
``workspace list`` with any of ``--json``, ``--limit N`` and ``--profile NAME``
(nothing else, each once) when no environment variable changes resolution and
the profile's cached token needs no renewal (``profiles.quick``, as for
``onna-tui token``). It reads the pages with ``api.quick_pages`` and prints them
through the same ``cli.listing.WorkspaceListing`` as the full command.

At the first page that is not plain (a refused token, a 429, an error, a
transport failure, a body of another shape…) the quick pager stops, and the full
command runs with the listing handed over: it fetches that page again and does
everything else (retries, a new token, the message, the exit code), carrying on
the same table or JSON array. None means nothing was printed and the full
command must run from the start.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.profile_rules import PROFILE_NAME
from onna_tui.core.token_rules import is_fresh

if TYPE_CHECKING:
    from onna_tui.cli.listing import WorkspaceListing

_PROFILE = "--profile"
_LIMIT = "--limit"
#: What ``positive_int`` takes and ``int`` reads the same way (no sign, space or "_").
_COUNT = re.compile(r"[1-9][0-9]{0,17}")


class ListRequest:
    """A plain ``workspace list`` command line."""

    __slots__ = ("as_json", "limit", "profile")

    def __init__(self, profile: str | None, as_json: bool, limit: int | None) -> None:
        self.profile = profile
        self.as_json = as_json
        self.limit = limit

    def __repr__(self) -> str:
        return f"ListRequest({self.profile!r}, as_json={self.as_json}, limit={self.limit})"


def list_request(args: Sequence[str]) -> ListRequest | None:
    """The request when ``args`` is ``workspace list`` plus only options read here."""
    if list(args[:2]) != ["workspace", "list"]:
        return None
    profile: str | None = None
    limit: int | None = None
    as_json = False
    rest = iter(args[2:])
    for arg in rest:
        if arg == "--json" and not as_json:
            as_json = True
        elif (arg == _PROFILE or arg.startswith(_PROFILE + "=")) and profile is None:
            profile = arg.partition("=")[2] if "=" in arg else next(rest, "")
            if not PROFILE_NAME.fullmatch(profile) or profile.startswith("-"):
                return None
        elif (arg == _LIMIT or arg.startswith(_LIMIT + "=")) and limit is None:
            text = arg.partition("=")[2] if "=" in arg else next(rest, "")
            if not _COUNT.fullmatch(text):
                return None
            limit = int(text)
        else:
            return None
    return ListRequest(profile, as_json, limit)


def quick_list(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    clock: Clock = system_clock,
    config_path: Path | None = None,
) -> int | None:
    """The exit code of ``onna-tui <args>`` when it is a plain ``workspace list`` on a fresh
    cached token (the full command finishing it if a page was not plain); None, with
    nothing printed, when the full command must run instead."""
    request = list_request(args)
    if request is None:
        return None
    try:
        from onna_tui.profiles.quick import quick_cached_token

        found = quick_cached_token(
            request.profile,
            os.environ if env is None else env,
            lambda token: is_fresh(token.expires_at, token.expires_in, clock()),
            config_path,
        )
    except Exception:  # never an error from here: the full path reports it properly
        return None
    if found is None:
        return None
    profile, token = found

    from onna_tui.cli.listing import WorkspaceListing

    listing = WorkspaceListing(request.as_json, request.limit)
    try:
        if _list(listing, profile.base_url, token.access_token):
            listing.close()
            return 0
    except (KeyboardInterrupt, BrokenPipeError):
        raise  # what the full command does with them, main does too
    except Exception as error:
        if not listing.printed:
            return None  # the full command meets the same trouble and reports it
        from onna_tui.cli.runner import report_unexpected

        listing.failed(error)
        return report_unexpected(error)
    return _hand_over(args, listing)


def _list(listing: WorkspaceListing, base_url: str, access_token: str) -> bool:
    """Print the plain pages; True when the listing is complete (or ``--limit`` reached),
    False when the full command must carry on from ``listing.trail``."""
    from onna_tui.api.quick_pages import QuickPager, quick_client

    with quick_client() as http:
        pager = QuickPager(http, base_url, access_token)
        for rows in pager.pages():
            if not listing.page(rows):
                return True
        listing.trail = pager.trail
        return pager.finished


def _hand_over(args: Sequence[str], listing: WorkspaceListing) -> int:
    """The full command, carrying on ``listing`` from where the quick pager stopped."""
    import argparse

    from onna_tui.cli.context import Context
    from onna_tui.cli.runner import run

    def make_context(parsed: argparse.Namespace) -> Context:
        return Context(parsed, resumed_listing=listing)

    return run(list(args), make_context=make_context)
