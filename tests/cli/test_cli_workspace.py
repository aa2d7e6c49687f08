"""`onna-tui workspace create | list | show` against the sandbox, including injected faults."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from clihelpers import Admin, Cli

from onna_tui.core.clock import ManualClock
from onna_tui.sandbox.server import SandboxServer
from onna_tui.sandbox.state import SandboxState

WORKSPACE_KEYS = {
    "onna_id", "name", "description", "tags", "creation_datetime", "modification_datetime",
}  # fmt: skip


@pytest.fixture
def env(cli: Cli) -> dict[str, str | None]:
    return cli.env_credentials()


def test_create_prints_only_the_onna_id_then_show_and_list(
    cli: Cli, env: dict[str, str | None]
) -> None:
    result = cli.run(
        "workspace", "create", "--name", "Case 42", "--description", "Discovery",
        "--tag", "legal", "--tag", "2026", env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    onna_id = result.stdout.removesuffix("\n")
    assert result.stdout == onna_id + "\n" and onna_id and " " not in onna_id
    assert result.stderr == ""

    shown = cli.run("workspace", "show", onna_id, "--json", env=env).json()
    assert WORKSPACE_KEYS <= set(shown)
    assert shown["onna_id"] == onna_id and shown["name"] == "Case 42"
    assert shown["description"] == "Discovery" and shown["tags"] == ["legal", "2026"]
    assert shown["creation_datetime"].endswith("Z")

    text = cli.run("workspace", "show", onna_id, env=env).stdout.splitlines()
    assert text[0].split() == ["onna_id:", onna_id]
    assert text[1].split(maxsplit=1) == ["name:", "Case 42"]
    assert "legal, 2026" in text[3]

    listed = cli.run("workspace", "list", "--json", env=env).json()
    assert listed == [{"onna_id": onna_id, "name": "Case 42"}]
    table = cli.run("workspace", "list", env=env).stdout.splitlines()
    assert table[0].split() == ["ONNA_ID", "NAME"]
    assert table[1].split(maxsplit=1) == [onna_id, "Case 42"]
    assert table[0].index("NAME") == table[1].index("Case 42")


def test_create_json(cli: Cli, env: dict[str, str | None]) -> None:
    data = cli.run("workspace", "create", "--name", "J", "--json", env=env).json()
    assert set(data) == {"onna_id"}


def test_list_follows_cursors_and_limit_stops_early(
    cli: Cli, sandbox_server: SandboxServer, admin: Admin, env: dict[str, str | None]
) -> None:
    state = SandboxState(clock=ManualClock(), page_size=2)
    state.add_client(client_id=cli.client_id, client_secret=cli.secret)
    sandbox_server.replace_state(state)
    for number in range(5):
        state.create_workspace(f"ws {number}")
    everything = cli.run("workspace", "list", "--json", env=env).json()
    assert sorted(item["name"] for item in everything) == [f"ws {n}" for n in range(5)]
    before = admin.stats()["by_route"].get("GET /v1/workspaces", 0)
    limited = cli.run("workspace", "list", "--json", "--limit", "3", env=env).json()
    assert len(limited) == 3
    # Three items need two pages of two, not all three pages.
    assert admin.stats()["by_route"]["GET /v1/workspaces"] - before == 2
    assert cli.run("workspace", "list", "--limit", "0", env=env).returncode == 2


def test_empty_list(cli: Cli, env: dict[str, str | None]) -> None:
    result = cli.run("workspace", "list", env=env)
    assert result.returncode == 0 and result.stdout == ""
    assert "No workspaces yet" in result.stderr
    assert cli.run("workspace", "list", "--json", env=env).json() == []


def test_422_from_the_server_exits_1_with_the_field_problem(
    cli: Cli, admin: Admin, env: dict[str, str | None]
) -> None:
    admin.fault(path="/workspaces", method="POST", status=422)
    result = cli.run("workspace", "create", "--name", "X", env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("onna-tui: Onna rejected the request to create the workspace")
    assert len(result.stderr.splitlines()) == 1

    admin.fault(path="/workspaces", method="POST", status=422)
    verbose = cli.run("workspace", "create", "--name", "X", "--verbose", env=env)
    assert verbose.returncode == 1
    assert "HTTP 422" in verbose.stderr and "request id" in verbose.stderr


def test_403_exits_3(cli: Cli, admin: Admin, env: dict[str, str | None]) -> None:
    admin.fault(path="/workspaces", method="GET", status=403)
    result = cli.run("workspace", "list", env=env)
    assert result.returncode == 3
    assert "developer role" in result.stderr


def test_malformed_answer_exits_1(cli: Cli, admin: Admin, env: dict[str, str | None]) -> None:
    admin.fault(path="/workspaces", method="GET", malformed=True)
    result = cli.run("workspace", "list", env=env)
    assert result.returncode == 1
    assert "not JSON" in result.stderr


def test_unknown_workspace_exits_1(cli: Cli, env: dict[str, str | None]) -> None:
    result = cli.run("workspace", "show", "no-such-id", env=env)
    assert result.returncode == 1
    assert "no-such-id" in result.stderr


def test_blank_name_is_a_usage_error_before_any_request(
    cli: Cli, admin: Admin, env: dict[str, str | None]
) -> None:
    result = cli.run("workspace", "create", "--name", "   ", env=env)
    assert result.returncode == 2
    assert "--name must not be empty or blank" in result.stderr
    result = cli.run("workspace", "create", "--name", "x", "--tag", " ", env=env)
    assert result.returncode == 2 and "--tag" in result.stderr
    assert admin.stats()["requests"] == 0


def test_missing_arguments_are_usage_errors(cli: Cli, env: dict[str, str | None]) -> None:
    assert cli.run("workspace", env=env).returncode == 2
    assert cli.run("workspace", "create", env=env).returncode == 2
    assert cli.run("workspace", "show", env=env).returncode == 2


def test_broken_pipe_is_quiet(
    cli: Cli, sandbox_state: SandboxState, env: dict[str, str | None]
) -> None:
    for number in range(3000):  # more output than a pipe holds
        sandbox_state.create_workspace(f"workspace number {number}")
    command = " ".join(cli.command("workspace", "list"))
    completed = subprocess.run(
        ["sh", "-c", f"{command} | head -n 1"],
        capture_output=True, text=True, env=cli.full_env(env), timeout=120, check=False,
    )  # fmt: skip
    assert completed.stdout.split() == ["ONNA_ID", "NAME"]
    assert completed.stderr == ""


def test_server_down_exits_5(cli: Cli, down_url: str) -> None:
    result = cli.run("workspace", "list", env=cli.env_credentials(ONNA_BASE_URL=down_url))
    assert result.returncode == 5


def test_a_profile_without_a_stored_secret_says_how_to_add_it(
    cli: Cli, env: dict[str, str | None]
) -> None:
    assert cli.add_profile("sb").returncode == 0
    cli.keyring_file.unlink()
    result = cli.run("workspace", "list")
    assert result.returncode == 2
    assert "onna-tui profile set-secret sb" in result.stderr


def test_ctrl_c_while_waiting_for_the_server_exits_130_quietly(
    cli: Cli, admin: Admin, env: dict[str, str | None]
) -> None:
    admin.fault(path="/workspaces", method="GET", latency=20)
    process = subprocess.Popen(
        cli.command("workspace", "list"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli.full_env(env),
        text=True,
        # A runner started in the background inherits SIGINT ignored; a person's
        # shell gives the command SIGINT at its default, which is what is tested here.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 30
        while admin.stats()["by_route"].get("GET /v1/workspaces", 0) == 0:
            assert time.monotonic() < deadline, "the request never arrived"
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 130
    assert out == "" and err == ""
