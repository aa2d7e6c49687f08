"""The quick `workspace list` (cli.fast_list) prints what the full command prints.

As people run it: `python -m onna_tui` against the loopback sandbox, with a
verified profile whose token is cached. Each quick run is compared byte for byte
(stdout, stderr, exit code) with the full command on the same sandbox, forced by
ONNA_PROFILE (a resolution variable, so the quick path stands aside). A page
that is not plain hands the listing over to the full command part way; the
result must be what the full command alone gives, with nothing printed twice.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from clihelpers import REPO, Admin, Cli

from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import Credentials
from onna_tui.sandbox.state import SandboxState

#: Names that test alignment (wide characters) and escaping (controls, bidi).
NAMES = ["alpha", "名前のある", "\x1b[31mred\x1b[0m", "right\u202eleft", "b", "ωmega", "last"]
PAGES = 4  # seven workspaces, two a page
WHICH_PATH = (
    "import sys\n"
    "from onna_tui.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "heavy = [m for m in ('pydantic', 'asyncio', 'textual') if m in sys.modules]\n"
    "sys.stderr.write('|full' if heavy else '|fast')\n"
    "sys.exit(code)\n"
)
FULL = {"ONNA_PROFILE": "sb"}


@pytest.fixture
def sandbox_state(sandbox_clock: ManualClock, sandbox_credentials: Credentials) -> SandboxState:
    state = SandboxState(clock=sandbox_clock, page_size=2)
    state.add_client(
        client_id=sandbox_credentials.client_id,
        client_secret=sandbox_credentials.client_secret.get_secret_value(),
    )
    for name in NAMES:
        state.create_workspace(name)
    return state


@pytest.fixture
def profile(cli: Cli, admin: Admin) -> Cli:
    """The default profile `sb`, verified (its token cached)."""
    assert cli.add_profile("sb").returncode == 0
    return cli


def _run(cli: Cli, *args: str, env: dict[str, str | None] | None = None) -> tuple[Any, str]:
    """One `onna-tui` process: (returncode, stdout, stderr), and which path finished it:
    "fast" when it loaded none of pydantic, asyncio and textual."""
    completed = subprocess.run(
        [sys.executable, "-c", WHICH_PATH, *args],
        capture_output=True,
        text=True,
        env=cli.full_env(env),
        cwd=str(REPO),
        timeout=60,
        check=False,
    )
    stderr, _, path = completed.stderr.rpartition("|")
    assert cli.secret not in completed.stdout + stderr
    assert "Traceback" not in stderr, stderr
    return (completed.returncode, completed.stdout, stderr), path


def _gets(admin: Admin) -> int:
    return int(admin.stats()["by_route"].get("GET /v1/workspaces", 0))


ARGVS = [
    ["workspace", "list"],
    ["workspace", "list", "--json"],
    ["workspace", "list", "--limit", "3"],
    ["workspace", "list", "--limit=1", "--json"],
    ["workspace", "list", "--limit", "4", "--json"],
    ["workspace", "list", "--limit", "100", "--profile", "sb"],
    ["workspace", "list", "--json", "--profile=sb"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_plain_pages_print_what_the_full_command_prints(
    profile: Cli, admin: Admin, argv: list[str]
) -> None:
    exchanges = admin.exchanges
    quick, path = _run(profile, *argv)
    assert path == "fast"
    gets = _gets(admin)
    full, full_path = _run(profile, *argv, env=FULL)
    assert full_path == "full"
    assert quick == full
    assert quick[0] == 0 and quick[2] == ""
    assert _gets(admin) == 2 * gets  # --limit: no more pages fetched than the full path
    assert admin.exchanges == exchanges  # the cached token served both


def test_an_empty_list_says_how_to_create_one(
    profile: Cli, sandbox_state: SandboxState, admin: Admin
) -> None:
    for workspace in sandbox_state.workspaces():
        sandbox_state.delete_workspace(workspace.onna_id)
    for as_json in ([], ["--json"]):
        quick, path = _run(profile, "workspace", "list", *as_json)
        assert path == "fast"
        assert quick == _run(profile, "workspace", "list", *as_json, env=FULL)[0]
    assert quick[1] == "[]\n"


TRANSIENT = {
    "unavailable": {"status": 503, "headers": {"Retry-After": "0"}},
    "rate limited": {"status": 429, "headers": {"Retry-After": "0"}},
    "a refused token": {"status": 401},
    "a server error": {"status": 500},
    "a dropped connection": {"drop": "before"},
    "not JSON": {"malformed": True},
}


@pytest.mark.parametrize("fault", TRANSIENT.values(), ids=TRANSIENT.keys())
@pytest.mark.parametrize("as_json", [[], ["--json"]], ids=["table", "json"])
def test_a_page_the_quick_path_leaves_is_fetched_again_by_the_full_command(
    profile: Cli, admin: Admin, fault: dict[str, Any], as_json: list[str]
) -> None:
    clean, _ = _run(profile, "workspace", "list", *as_json, env=FULL)
    before = _gets(admin)
    admin.fault(path="/workspaces", method="GET", headers={"X-Plain": "1"})  # page 1
    admin.fault(path="/workspaces", method="GET", **fault)  # page 2, once
    handed, path = _run(profile, "workspace", "list", *as_json)
    assert path == "full"  # the full command finished it
    assert handed == clean  # every workspace once, one table or one array
    assert _gets(admin) - before == PAGES + 1  # only page 2 was fetched twice


PERSISTENT = {
    "a server error": {"status": 500},
    "a dropped connection": {"drop": "before"},
    "not JSON": {"malformed": True},
    "another shape": {"wrong_shape": True},
    "forbidden": {"status": 403},
}


@pytest.mark.parametrize("fault", PERSISTENT.values(), ids=PERSISTENT.keys())
@pytest.mark.parametrize("as_json", [[], ["--json"]], ids=["table", "json"])
def test_a_failing_page_is_reported_as_the_full_command_reports_it(
    profile: Cli, admin: Admin, fault: dict[str, Any], as_json: list[str]
) -> None:
    def fail_page_two(count: int) -> None:
        admin.fault(path="/workspaces", method="GET", headers={"X-Plain": "1"})
        admin.fault(path="/workspaces", method="GET", count=count, **fault)

    fail_page_two(1)
    alone, _ = _run(profile, "workspace", "list", *as_json, env=FULL)
    assert alone[0] != 0 and alone[1] and alone[2]  # page 1 printed, then the error
    fail_page_two(2)  # the quick path meets it, then the full command
    handed, path = _run(profile, "workspace", "list", *as_json)
    assert path == "full"
    assert handed == alone


@pytest.mark.parametrize("as_json", [[], ["--json"]], ids=["table", "json"])
def test_a_repeated_cursor_is_reported_without_fetching_again(
    profile: Cli, admin: Admin, as_json: list[str]
) -> None:
    pages = [
        {"items": [{"onna_id": "a-1", "name": "first"}], "cursor": "cursor-1"},
        {"items": [{"onna_id": "b-22", "name": "second"}], "cursor": "cursor-2"},
        {"items": [{"onna_id": "c-333", "name": "third"}], "cursor": "cursor-1"},
    ]

    def repeat() -> None:
        for page in pages:
            admin.fault(path="/workspaces", method="GET", status=200, body=page)

    repeat()
    alone, _ = _run(profile, "workspace", "list", *as_json, env=FULL)
    assert alone[0] == 1 and "already sent" in alone[2]
    repeat()
    before = _gets(admin)
    handed, path = _run(profile, "workspace", "list", *as_json)
    assert path == "full"
    assert handed == alone
    assert _gets(admin) - before == 3


def test_a_token_the_server_revoked_is_replaced_once(profile: Cli, admin: Admin) -> None:
    clean, _ = _run(profile, "workspace", "list", "--json", env=FULL)
    admin.expire_tokens()  # the cached token still looks fresh here
    exchanges = admin.exchanges
    handed, path = _run(profile, "workspace", "list", "--json")
    assert (handed, path) == (clean, "full")
    assert admin.exchanges == exchanges + 1
    again, path = _run(profile, "workspace", "list", "--json")
    assert (again, path) == (clean, "fast")  # the new token is cached and used


def test_env_credentials_and_a_stale_token_take_the_full_command(
    profile: Cli, admin: Admin
) -> None:
    _, path = _run(profile, "workspace", "list", env=profile.env_credentials())
    assert path == "full"
    _, path = _run(profile, "workspace", "list", "--verbose")
    assert path == "full"
    _, path = _run(profile, "workspace", "list", env={"ONNA_TUI_CONFIG_DIR": "/nonexistent"})
    assert path == "full"


def test_a_closed_pipe_is_quiet(profile: Cli, sandbox_state: SandboxState) -> None:
    for number in range(3000):  # more output than a pipe holds
        sandbox_state.create_workspace(f"workspace number {number}")
    command = " ".join(profile.command("workspace", "list"))
    closed = subprocess.run(
        ["sh", "-c", f"{command} | head -n 1"],
        capture_output=True, text=True, env=profile.full_env(), timeout=120, check=False,
    )  # fmt: skip
    assert closed.stdout.split() == ["ONNA_ID", "NAME"]
    assert closed.stderr == ""


def test_ctrl_c_while_waiting_for_a_page_exits_130_quietly(profile: Cli, admin: Admin) -> None:
    admin.fault(path="/workspaces", method="GET", latency=20)
    before = _gets(admin)
    process = subprocess.Popen(
        profile.command("workspace", "list"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=profile.full_env(),
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 30
        while _gets(admin) == before:
            assert time.monotonic() < deadline, "the request never arrived"
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 130
    assert out == "" and err == ""


def test_a_handed_over_array_is_closed_when_the_profile_cannot_open(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The quick path printed a page, then the full command cannot open the profile (it was
    removed meanwhile): the array printed so far is still closed before the error."""
    import asyncio
    import json

    from onna_tui.cli.context import Context
    from onna_tui.cli.listing import WorkspaceListing
    from onna_tui.cli.parser import build_parser
    from onna_tui.errors import OnnaTuiError
    from onna_tui.storage.config_file import ConfigStore
    from onna_tui.storage.keyring.backends import MemoryKeyring
    from onna_tui.storage.keyring.vault import Vault

    listing = WorkspaceListing(as_json=True, limit=None)
    listing.page([("a-1", "first")])
    args = build_parser().parse_args(["workspace", "list", "--json"])
    ctx = Context(
        args,
        store=ConfigStore(tmp_path / "config.toml"),
        vault=Vault(MemoryKeyring()),
        resumed_listing=listing,
    )
    with pytest.raises(OnnaTuiError):
        asyncio.run(args.handler(ctx))
    assert json.loads(capsys.readouterr().out) == [{"onna_id": "a-1", "name": "first"}]
