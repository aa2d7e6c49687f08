"""`onna-tui exec -- CMD`: the token in the child's environment, its exit status, its signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import httpx
import pytest
from clihelpers import Admin, Cli

from onna_tui.errors import ExitCode

# A child that reports what it was given, as JSON on stdout.
REPORT = (
    "import json, os, sys; print(json.dumps({'env': {k: v for k, v in os.environ.items() "
    "if k.startswith('ONNA')}, 'argv': sys.argv[1:]}))"
)


def _report(cli: Cli, *args: str, env: dict[str, str | None] | None = None) -> dict:
    result = cli.run("exec", *args, "--", sys.executable, "-c", REPORT, "one", "two", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_child_gets_a_working_token_and_never_the_secret(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    seen = _report(cli)
    env = seen["env"]
    assert seen["argv"] == ["one", "two"]
    assert env["ONNA_BASE_URL"] == cli.base_url
    assert env["ONNA_TUI_EXEC_PROFILE"] == "sb"
    assert env["ONNA_TOKEN_EXPIRES_AT"].endswith("Z")
    response = httpx.get(
        f"{cli.base_url}/oauth/user",
        headers={"Authorization": f"Bearer {env['ONNA_ACCESS_TOKEN']}"},
    )
    assert response.status_code == 200


def test_credentials_from_the_environment_work_and_the_secret_is_not_passed_on(
    cli: Cli,
) -> None:
    env = {
        "ONNA_CLIENT_ID": cli.client_id,
        "ONNA_CLIENT_SECRET": cli.secret,
        "ONNA_BASE_URL": cli.base_url,
    }
    seen = _report(cli, env=env)
    assert "ONNA_CLIENT_SECRET" not in seen["env"]
    assert seen["env"]["ONNA_CLIENT_ID"] == cli.client_id
    assert seen["env"]["ONNA_ACCESS_TOKEN"]
    assert cli.secret not in json.dumps(seen)


def test_the_cached_token_is_shared_unless_it_has_too_little_left(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    cached = cli.run("token").stdout.strip()
    assert admin.exchanges == 1
    assert _report(cli)["env"]["ONNA_ACCESS_TOKEN"] == cached
    assert admin.exchanges == 1
    # More than a token's whole life asked for: a new one, which then replaces the cached one.
    result = cli.run("exec", "--min-left", "7200", "--", sys.executable, "-c", REPORT)
    assert result.returncode == 0, result.stderr
    fresh = json.loads(result.stdout)["env"]["ONNA_ACCESS_TOKEN"]
    assert fresh != cached and admin.exchanges == 2
    assert "cannot be made to last longer" in result.stderr
    assert cli.run("token").stdout.strip() == fresh


def test_the_childs_exit_status_is_passed_through(cli: Cli) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    result = cli.run("exec", "--", sys.executable, "-c", "raise SystemExit(7)")
    assert result.returncode == 7


def test_a_missing_command_exits_127_and_nothing_is_run(cli: Cli) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    result = cli.run("exec", "--", "no-such-command-onna-tui-test")
    assert result.returncode == ExitCode.NOT_FOUND == 127
    assert "no-such-command-onna-tui-test: command not found" in result.stderr
    assert cli.run("exec").returncode == ExitCode.USAGE


def test_a_nested_exec_of_another_profile_is_refused_unless_allowed(cli: Cli) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    assert cli.add_profile("other", verify=False).returncode == 0
    nested = {"ONNA_TUI_EXEC_PROFILE": "other"}
    refused = cli.run("exec", "--profile", "sb", "--", "true", env=nested)
    assert refused.returncode == ExitCode.USAGE and "--allow-nested" in refused.stderr
    same = cli.run("exec", "--profile", "other", "--", "true", env=nested)
    assert same.returncode == 0, same.stderr
    allowed = cli.run("exec", "--profile", "sb", "--allow-nested", "--", "true", env=nested)
    assert allowed.returncode == 0, allowed.stderr


def test_a_signal_reaches_the_child_which_is_the_process_itself(cli: Cli) -> None:
    """exec replaces onna-tui by the command: the pid it was started as gets the signal."""
    assert cli.add_profile("sb", verify=False).returncode == 0
    child = (
        "import signal, sys, time; "
        "signal.signal(signal.SIGTERM, lambda *_: (print('got TERM', flush=True), sys.exit(3))); "
        "print('ready', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen(
        cli.command("exec", "--", sys.executable, "-c", child),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.full_env(),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        with open(f"/proc/{proc.pid}/cmdline", "rb") as fh:
            argv = fh.read().split(b"\0")
        assert b"exec" not in argv  # it is the child now, not onna-tui waiting for it
        os.kill(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "got TERM" in out and proc.returncode == 3


def test_the_token_is_never_on_a_command_line(cli: Cli) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    token = cli.run("token").stdout.strip()
    child = "import time; print('ready', flush=True); time.sleep(30)"
    proc = subprocess.Popen(
        cli.command("exec", "--", sys.executable, "-c", child),
        stdout=subprocess.PIPE,
        text=True,
        env=cli.full_env(),
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(0)  # the child is up: its command line is final
        with open(f"/proc/{proc.pid}/cmdline", "rb") as fh:
            assert token.encode() not in fh.read()
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_done_when_curl_inside_exec_lists_the_workspaces(cli: Cli) -> None:
    """`onna-tui exec -- sh -c 'curl -s -H "Authorization: Bearer $ONNA_ACCESS_TOKEN"
    "$ONNA_BASE_URL/workspaces"'` lists workspaces on the sandbox."""
    if shutil.which("curl") is None or shutil.which("sh") is None:
        if os.environ.get("ONNA_TUI_REQUIRE_SHELLS") == "1":
            pytest.fail("ONNA_TUI_REQUIRE_SHELLS=1 but curl or sh is not installed")
        pytest.skip("needs curl and sh")
    assert cli.add_profile("sb", verify=False).returncode == 0
    created = cli.run("workspace", "create", "--name", "Listed by curl")
    assert created.returncode == 0, created.stderr
    script = 'curl -sf -H "Authorization: Bearer $ONNA_ACCESS_TOKEN" "$ONNA_BASE_URL/workspaces"'
    result = cli.run("exec", "--", "sh", "-c", script)
    assert result.returncode == 0, result.stderr
    names = [item["name"] for item in json.loads(result.stdout)["items"]]
    assert names == ["Listed by curl"]


def test_inside_exec_another_profile_keeps_its_own_base_url(cli: Cli) -> None:
    """ONNA_BASE_URL set by an exec of one profile does not move another profile."""
    assert cli.add_profile("sb", verify=False).returncode == 0
    other = "http://127.0.0.1:9/v1"
    added = cli.run(
        "profile", "add", "other", "--client-id", "x", "--base-url", other, "--no-verify",
        input="some-secret-value-1234\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    inside = {"ONNA_TUI_EXEC_PROFILE": "sb", "ONNA_BASE_URL": cli.base_url}
    status = cli.run("status", "--profile", "other", "--json", env=inside)
    assert status.json()["base_url"] == other
    own = cli.run("status", "--profile", "sb", "--json", env=inside)
    assert own.json()["base_url"] == cli.base_url
