"""`onna-tui profile ...` as a subprocess: verify-then-save, where secrets go, exit codes."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest
from clihelpers import FAIL_KEYRING, Admin, Cli

from onna_tui.storage.keyring.entries import service_name, token_service_name


def test_add_verifies_then_stores_the_secret_in_the_keyring_only(cli: Cli, admin: Admin) -> None:
    result = cli.add_profile("sb", "--org", "acme")
    assert result.returncode == 0, result.stderr
    assert "Added profile 'sb'" in result.stdout
    assert "Verified" in result.stdout
    assert "'sb' is the default profile." in result.stdout
    assert admin.exchanges == 1
    entries = cli.keyring()[service_name(cli.base_url)]
    assert entries == {cli.client_id: cli.secret}
    # The verification token is cached for `onna-tui token` in a service of its own
    # (no client id can name its slot); never the secret in the file.
    tokens = cli.keyring()[token_service_name(cli.base_url)]
    assert cli.secret not in tokens[cli.client_id + "#token"]
    config = cli.config_text()
    assert "[profiles.sb]" in config and cli.secret not in config
    assert 'org = "acme"' in config


def test_add_with_bad_credentials_saves_nothing(cli: Cli) -> None:
    result = cli.add_profile("sb", secret="not-the-secret")
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.startswith("onna-tui: Onna rejected the client id or client secret.")
    assert result.stderr.count("\n") == 1
    assert cli.keyring() == {}
    assert cli.config_text() == ""


def test_add_when_the_server_is_down_exits_5_and_saves_nothing(cli: Cli, down_url: str) -> None:
    result = cli.run(
        "profile", "add", "sb", "--client-id", cli.client_id, "--base-url", down_url,
        input=cli.secret,
    )  # fmt: skip
    assert result.returncode == 5
    assert "refused the connection" in result.stderr
    assert cli.keyring() == {}
    assert cli.config_text() == ""


def test_add_no_verify_saves_without_an_exchange(cli: Cli, admin: Admin) -> None:
    result = cli.add_profile("sb", secret="wrong-but-unchecked", verify=False)
    assert result.returncode == 0, result.stderr
    assert "Not verified" in result.stdout
    assert admin.exchanges == 0
    assert cli.run("token").returncode == 3


def test_client_secret_argument_is_refused_without_echoing_it(cli: Cli) -> None:
    leaked = "s3cr3t-on-the-command-line"
    for args in (
        ["profile", "add", "sb", "--client-id", "x", "--client-secret", leaked],
        ["profile", "add", "sb", "--client-id", "x", f"--client-secret={leaked}"],
        ["--client-secret", leaked, "token"],
        ["token", "--client-secret", leaked],
    ):
        result = cli.run(*args)
        assert result.returncode == 2, args
        assert leaked not in result.stderr + result.stdout
        assert "never taken as a command-line argument" in result.stderr
        assert "`ps`" in result.stderr and "standard input" in result.stderr
    assert cli.config_text() == ""


def test_empty_stdin_is_a_usage_error(cli: Cli) -> None:
    result = cli.add_profile("sb", secret="")
    assert result.returncode == 2
    assert "No client secret on standard input" in result.stderr
    assert "printf" in result.stderr


def test_insecure_base_url_is_refused_before_reading_the_secret(cli: Cli) -> None:
    result = cli.run(
        "profile", "add", "sb", "--client-id", "x", "--base-url", "http://example.com/v1",
        input=cli.secret,
    )  # fmt: skip
    assert result.returncode == 2
    assert "plain http" in result.stderr
    assert cli.config_text() == ""


def test_add_without_a_keyring_exits_4_before_any_exchange(cli: Cli, admin: Admin) -> None:
    result = cli.run(
        "profile", "add", "sb", "--client-id", cli.client_id, "--base-url", cli.base_url,
        input=cli.secret, env={"PYTHON_KEYRING_BACKEND": FAIL_KEYRING},
    )  # fmt: skip
    assert result.returncode == 4
    assert "No keyring is available" in result.stderr
    assert admin.exchanges == 0
    assert cli.config_text() == ""


def test_add_existing_name_is_refused(cli: Cli) -> None:
    assert cli.add_profile("sb").returncode == 0
    result = cli.add_profile("sb")
    assert result.returncode == 2
    assert "already exists" in result.stderr and "profile set-secret sb" in result.stderr


def test_invalid_profile_name_and_org(cli: Cli) -> None:
    result = cli.add_profile("bad name")
    assert result.returncode == 2
    assert "not a valid profile name" in result.stderr
    result = cli.add_profile("ok", "--org", "not an org!")
    assert result.returncode == 2
    assert "organization" in result.stderr


def test_list_shows_profiles_default_and_token_time(cli: Cli) -> None:
    assert cli.add_profile("one").returncode == 0
    assert cli.add_profile("two").returncode == 0

    result = cli.run("profile", "list")
    assert result.returncode == 0
    header, first, second = result.stdout.splitlines()
    assert header.split() == [
        "NAME",
        "BASE",
        "URL",
        "CLIENT",
        "ID",
        "ORG",
        "SECRET",
        "STORED",
        "TOKEN",
    ]
    assert first.startswith("*  one") and "valid" in first and "left" in first
    assert second.startswith("   two")
    assert header.index("BASE URL") == first.index(cli.base_url)

    listed = cli.run("profile", "list", "--json").json()
    assert [p["name"] for p in listed] == ["one", "two"]
    one, two = listed
    assert set(one) == {
        "name", "default", "base_url", "client_id", "org", "secret_set_at", "secret_age_days",
        "secret_old", "token",
    }  # fmt: skip
    assert one["default"] is True and two["default"] is False
    assert one["base_url"] == cli.base_url and one["client_id"] == cli.client_id
    assert one["secret_set_at"].endswith("Z")
    assert one["token"]["state"] == "valid"
    assert 3500 < one["token"]["seconds_left"] <= 3599
    assert one["token"]["expires_at"].endswith("Z")
    # "two" shares the client id and base URL, so it sees the same cached token.
    assert two["token"] == one["token"]

    # A secret saved unverified may belong to new credentials: the cached token goes.
    assert cli.run("profile", "set-secret", "two", "--no-verify", input=cli.secret).returncode == 0
    assert cli.run("profile", "list", "--json").json()[0]["token"]["state"] == "none"


def test_list_when_empty(cli: Cli) -> None:
    result = cli.run("profile", "list")
    assert result.returncode == 0 and result.stdout == ""
    assert "No profiles yet" in result.stderr
    assert cli.run("profile", "list", "--json").json() == []


def test_list_survives_a_missing_keyring(cli: Cli) -> None:
    assert cli.add_profile("sb").returncode == 0
    result = cli.run("profile", "list", "--json", env={"PYTHON_KEYRING_BACKEND": FAIL_KEYRING})
    assert result.returncode == 0
    assert result.json()[0]["token"] == {
        "state": "unknown",
        "seconds_left": None,
        "expires_at": None,
    }


def test_default_and_remove(cli: Cli) -> None:
    assert cli.add_profile("one").returncode == 0
    assert cli.add_profile("two").returncode == 0
    result = cli.run("profile", "default", "two")
    assert result.returncode == 0 and "'two' is now the default profile." in result.stdout
    assert [p["default"] for p in cli.run("profile", "list", "--json").json()] == [False, True]

    assert cli.run("profile", "default", "nope").returncode == 2

    # Shared keyring entries stay while another profile uses them.
    assert cli.run("profile", "remove", "two").returncode == 0
    assert cli.client_id in cli.keyring()[service_name(cli.base_url)]
    result = cli.run("profile", "remove", "one")
    assert result.returncode == 0 and "Removed profile 'one'" in result.stdout
    assert cli.keyring() == {}
    assert cli.run("profile", "list", "--json").json() == []
    result = cli.run("profile", "remove", "one")
    assert result.returncode == 2 and "No profile named 'one'" in result.stderr


def test_set_secret_verifies_and_keeps_the_old_secret_on_failure(cli: Cli) -> None:
    assert cli.add_profile("sb").returncode == 0
    result = cli.run("profile", "set-secret", "sb", input="wrong-secret")
    assert result.returncode == 3
    assert cli.keyring()[service_name(cli.base_url)][cli.client_id] == cli.secret
    result = cli.run("profile", "set-secret", "sb", input=cli.secret + "\n")
    assert result.returncode == 0, result.stderr
    assert "Updated profile 'sb'" in result.stdout


def test_update_org_and_base_url(cli: Cli, sandbox_server: object) -> None:
    assert cli.add_profile("sb").returncode == 0
    assert cli.run("profile", "update", "sb", "--org", "acme").returncode == 0
    assert cli.run("profile", "list", "--json").json()[0]["org"] == "acme"
    assert cli.run("profile", "update", "sb").returncode == 2

    # The same API under another spelling: a new base URL gets the secret only when it is
    # entered again (or with --keep-secret, see test_cli_profile_hardening.py).
    other = cli.base_url.replace("127.0.0.1", "localhost")
    result = cli.run("profile", "update", "sb", "--base-url", other, input=cli.secret)
    assert result.returncode == 0, result.stderr
    assert set(cli.keyring()) == {service_name(other), token_service_name(other)}
    assert cli.run("token").returncode == 0


def test_secret_never_in_the_process_arguments(cli: Cli) -> None:
    process = subprocess.Popen(
        cli.command(
            "profile", "add", "sb", "--client-id", cli.client_id, "--base-url", cli.base_url
        ),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli.full_env(),
        text=True,
    )
    try:
        cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes()
        out, err = process.communicate(cli.secret, timeout=60)
    finally:
        process.kill()
    assert cli.secret.encode() not in cmdline
    assert process.returncode == 0, err
    assert cli.secret not in out + err


# ------------------------------------------------- the hidden prompt (a real pty)


def _spawn_in_pty(cli: Cli, *args: str) -> tuple[int, int]:
    import pty

    argv = cli.command(*args)
    env = cli.full_env()
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec at once
        # A runner started in the background inherits SIGINT ignored; the person at a
        # terminal has it at its default, which is what this test is about.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execve(argv[0], argv, env)
    return pid, fd


def _read_until(fd: int, needle: str, timeout: float = 30) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle.encode() not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"never saw {needle!r}; got {seen!r}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen.decode(errors="replace")


def _read_rest(fd: int, timeout: float = 30) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    return seen.decode(errors="replace")


def _wait(pid: int, timeout: float = 30) -> int:
    """The child's exit code; killed (while still unreaped, so still ours) after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs a pty")
def test_prompts_for_the_secret_without_echo_in_a_terminal(cli: Cli) -> None:
    pid, fd = _spawn_in_pty(
        cli, "profile", "add", "sb", "--client-id", cli.client_id, "--base-url", cli.base_url
    )
    try:
        before = _read_until(fd, "(input hidden)")
        os.write(fd, (cli.secret + "\n").encode())
        after = _read_rest(fd)
    finally:
        code = _wait(pid)
        os.close(fd)
    assert code == 0, after
    assert "Added profile 'sb'" in after
    assert cli.secret not in before + after  # not echoed
    assert cli.keyring()[service_name(cli.base_url)][cli.client_id] == cli.secret


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs a pty")
def test_ctrl_c_at_the_prompt_exits_130_quietly(cli: Cli) -> None:
    pid, fd = _spawn_in_pty(
        cli, "profile", "add", "sb", "--client-id", cli.client_id, "--base-url", cli.base_url
    )
    try:
        _read_until(fd, "(input hidden)")
        os.write(fd, b"\x03")  # Ctrl-C, through the terminal's line discipline
        rest = _read_rest(fd, timeout=10)
    finally:
        code = _wait(pid)
        os.close(fd)
    assert code == 130
    assert "Traceback" not in rest
    assert cli.config_text() == ""
