"""`workspace list` prints pages as they arrive and keeps them when paging fails part way.

A server that repeats a cursor after some pages (pages made by queued sandbox faults),
drops the connection on a later page, or is slow to send the next page: what was
fetched is on stdout (a closed JSON array with --json), the error on stderr.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import time

import pytest
from clihelpers import Admin, Cli

from onna_tui.core.clock import ManualClock
from onna_tui.sandbox.server import SandboxServer
from onna_tui.sandbox.state import SandboxState

PAGES = [
    ({"items": [{"onna_id": "a-1", "name": "first"}, {"onna_id": "b-22", "name": "second"}],
      "cursor": "cursor-1"}),
    ({"items": [{"onna_id": "c-333333333", "name": "third"}, {"onna_id": "d-4", "name": "fourth"}],
      "cursor": "cursor-2"}),
    # The third page sends the first page's cursor again: the list would never end.
    ({"items": [{"onna_id": "e-5", "name": "fifth"}], "cursor": "cursor-1"}),
]  # fmt: skip
ALL_ITEMS = [item for page in PAGES for item in page["items"]]


@pytest.fixture
def env(cli: Cli) -> dict[str, str | None]:
    return cli.env_credentials()


@pytest.fixture
def repeating_server(admin: Admin) -> Admin:
    for page in PAGES:
        admin.fault(path="/workspaces", method="GET", status=200, body=page)
    return admin


def test_a_repeated_cursor_keeps_the_rows_fetched_then_exits_1(
    cli: Cli, repeating_server: Admin, env: dict[str, str | None]
) -> None:
    result = cli.run("workspace", "list", env=env)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line.split() for line in lines] == [
        ["ONNA_ID", "NAME"], *[[item["onna_id"], item["name"]] for item in ALL_ITEMS]
    ]  # fmt: skip
    # Each page is aligned in itself; a later page can only move NAME to the right.
    header, page1, page2, page3 = lines[0], lines[1:3], lines[3:5], lines[5:]
    column = header.index("NAME")
    assert {line.index(line.split()[1]) for line in page1} == {column}
    wider = {line.index(line.split()[1]) for line in page2}
    assert wider == {len("c-333333333") + 2}
    assert {line.index(line.split()[1]) for line in page3} == wider
    assert result.stderr.startswith("onna-tui: The server sent a page cursor it had already sent")
    assert "stopped after 3 pages" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert repeating_server.stats()["by_route"]["GET /v1/workspaces"] == 3


def test_a_repeated_cursor_with_json_prints_a_complete_array(
    cli: Cli, repeating_server: Admin, env: dict[str, str | None]
) -> None:
    result = cli.run("workspace", "list", "--json", env=env)
    assert result.returncode == 1
    assert json.loads(result.stdout) == ALL_ITEMS
    # The same text a complete list gives.
    assert result.stdout == json.dumps(ALL_ITEMS, indent=2) + "\n"
    assert "already sent" in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.fixture
def two_pages(cli: Cli, sandbox_server: SandboxServer) -> SandboxState:
    """A sandbox with page size 2 and three workspaces: two pages."""
    state = SandboxState(clock=ManualClock(), page_size=2)
    state.add_client(client_id=cli.client_id, client_secret=cli.secret)
    sandbox_server.replace_state(state)
    for number in range(3):
        state.create_workspace(f"ws {number}")
    return state


def test_a_dropped_connection_on_a_later_page_keeps_the_first_page(
    cli: Cli, two_pages: SandboxState, admin: Admin, env: dict[str, str | None]
) -> None:
    # A headers-only fault leaves the first page as it is; the second is dropped.
    admin.fault(path="/workspaces", method="GET", headers={"X-Page": "1"})
    admin.fault(path="/workspaces", method="GET", drop="before")
    result = cli.run("workspace", "list", "--json", env=env)
    assert result.returncode == 5
    assert [item["name"] for item in json.loads(result.stdout)] == ["ws 0", "ws 1"]
    assert len(result.stderr.splitlines()) == 1


def test_a_failure_on_the_first_page_prints_nothing(
    cli: Cli, admin: Admin, env: dict[str, str | None]
) -> None:
    for as_json in ([], ["--json"]):
        admin.fault(path="/workspaces", method="GET", status=500)
        result = cli.run("workspace", "list", *as_json, env=env)
        assert result.returncode == 1
        assert result.stdout == ""


def test_rows_are_printed_while_the_next_page_is_on_its_way(
    cli: Cli, two_pages: SandboxState, admin: Admin, env: dict[str, str | None]
) -> None:
    admin.fault(path="/workspaces", method="GET", headers={"X-Page": "1"})
    admin.fault(path="/workspaces", method="GET", latency=20)  # the second page is slow
    process = subprocess.Popen(
        cli.command("workspace", "list"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=cli.full_env(env),
    )
    assert process.stdout is not None
    received = b""
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            deadline = time.monotonic() + 15
            while received.count(b"\n") < 3:
                left = deadline - time.monotonic()
                assert left > 0, f"the first page was not printed in time: {received!r}"
                if selector.select(timeout=left):
                    chunk = os.read(process.stdout.fileno(), 4096)
                    assert chunk, f"output ended early: {received!r}"
                    received += chunk
        assert process.poll() is None, "the command should still wait for the second page"
    finally:
        process.kill()
        process.communicate()
    lines = received.decode().splitlines()
    assert [line.split()[-2:] for line in lines] == [["ONNA_ID", "NAME"], ["ws", "0"], ["ws", "1"]]
