"""`onna-tui token`: the token for scripts, one exchange per lifetime, env-only credentials."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime

import httpx
import pytest
from clihelpers import FAIL_KEYRING, Admin, Cli

from onna_tui.core.clock import ManualClock
from onna_tui.sandbox.server import SandboxServer
from onna_tui.sandbox.state import SandboxState


def test_token_prints_only_a_working_token(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    result = cli.run("token")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    token = result.stdout.removesuffix("\n")
    assert result.stdout == token + "\n" and token and " " not in token
    response = httpx.get(f"{cli.base_url}/workspaces", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_token_twice_makes_exactly_one_exchange(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    assert admin.exchanges == 0
    first = cli.run("token")
    second = cli.run("token")
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert admin.exchanges == 1


def test_the_verified_token_from_profile_add_is_reused(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb").returncode == 0
    assert admin.exchanges == 1
    assert cli.run("token").returncode == 0
    assert admin.exchanges == 1


def test_done_when_curl_with_token_and_ten_calls_one_exchange(cli: Cli, admin: Admin) -> None:
    """`curl -H "Authorization: Bearer $(onna-tui token)" <sandbox>/v1/workspaces` works."""
    assert cli.add_profile("sb", verify=False).returncode == 0
    onna_tui = " ".join(cli.command())
    url = f"{cli.base_url}/workspaces"
    for _ in range(10):
        if shutil.which("curl") and shutil.which("sh"):
            completed = subprocess.run(
                ["sh", "-c", f'curl -sf -H "Authorization: Bearer $({onna_tui} token)" "{url}"'],
                capture_output=True,
                text=True,
                env=cli.full_env(),
                timeout=60,
                check=False,
            )
            assert completed.returncode == 0, completed.stderr
            assert '"items"' in completed.stdout
        else:
            token = cli.run("token").stdout.strip()
            response = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200
    assert admin.exchanges == 1


def test_token_json_shape(cli: Cli) -> None:
    assert cli.add_profile("sb").returncode == 0
    before = datetime.now(UTC)
    data = cli.run("token", "--json").json()
    assert set(data) == {"access_token", "token_type", "expires_at", "expires_in"}
    assert data["token_type"] == "bearer"
    assert data["access_token"] == cli.run("token").stdout.strip()
    assert data["expires_at"].endswith("Z")
    expires_at = datetime.fromisoformat(data["expires_at"])
    assert expires_at.tzinfo is not None
    assert 3500 < (expires_at - before).total_seconds() <= 3600
    assert isinstance(data["expires_in"], int) and 3500 < data["expires_in"] <= 3599


def test_global_options_before_and_after_the_subcommand(cli: Cli) -> None:
    assert cli.add_profile("one").returncode == 0
    assert cli.add_profile("two").returncode == 0
    assert cli.run("--profile", "two", "token").returncode == 0
    assert cli.run("token", "--profile", "two").returncode == 0
    assert cli.run("token", "--profile", "nope").returncode == 2
    result = cli.run("--profile", "nope", "token")
    assert result.returncode == 2
    assert "No profile named 'nope' (you have: one, two)" in result.stderr
    # ONNA_PROFILE picks a profile too; --profile wins over it.
    assert cli.run("token", env={"ONNA_PROFILE": "nope"}).returncode == 2
    assert cli.run("token", "--profile", "one", env={"ONNA_PROFILE": "nope"}).returncode == 0


def test_env_only_credentials_need_no_profile_and_touch_no_keyring(cli: Cli, admin: Admin) -> None:
    # The "fail" backend makes any keyring access an error: none happens.
    env = cli.env_credentials(PYTHON_KEYRING_BACKEND=FAIL_KEYRING)
    result = cli.run("token", env=env)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert httpx.get(
        f"{cli.base_url}/workspaces", headers={"Authorization": f"Bearer {token}"}
    ).is_success
    # With a working keyring, still nothing is written, and no config file appears.
    assert cli.run("token", env=cli.env_credentials()).returncode == 0
    assert cli.run("workspace", "list", env=cli.env_credentials()).returncode == 0
    assert not cli.keyring_file.exists()
    assert not cli.config_dir.exists()
    # Each process mints its own token: nothing is cached between runs.
    assert admin.exchanges == 3


def test_bad_credentials_exit_3(cli: Cli) -> None:
    result = cli.run("token", env=cli.env_credentials(ONNA_CLIENT_SECRET="wrong-secret"))
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.startswith("onna-tui: Onna rejected the client id or client secret.")
    assert "HTTP 401" not in result.stderr


def test_verbose_adds_status_and_request_id(cli: Cli) -> None:
    result = cli.run(
        "token", "--verbose", env=cli.env_credentials(ONNA_CLIENT_SECRET="wrong-secret")
    )
    assert result.returncode == 3
    assert "HTTP 401" in result.stderr and "request id" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    before = cli.run(
        "--verbose", "token", env=cli.env_credentials(ONNA_CLIENT_SECRET="wrong-secret")
    )
    assert before.returncode == 3 and "HTTP 401" in before.stderr


def test_server_down_exits_5(cli: Cli, down_url: str) -> None:
    result = cli.run("token", env=cli.env_credentials(ONNA_BASE_URL=down_url))
    assert result.returncode == 5
    assert "refused the connection" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    # --base-url (before or after the command) wins over ONNA_BASE_URL.
    assert cli.run("token", "--base-url", down_url, env=cli.env_credentials()).returncode == 5
    assert cli.run("--base-url", down_url, "token", env=cli.env_credentials()).returncode == 5


def test_no_keyring_exits_4(cli: Cli) -> None:
    assert cli.add_profile("sb").returncode == 0
    result = cli.run("token", env={"PYTHON_KEYRING_BACKEND": FAIL_KEYRING})
    assert result.returncode == 4
    assert result.stderr.startswith("onna-tui: No keyring is available")
    assert "ONNA_CLIENT_SECRET" in result.stderr  # says what to do instead


def test_no_profile_exits_2_and_says_how_to_add_one(cli: Cli) -> None:
    result = cli.run("token")
    assert result.returncode == 2
    assert "onna-tui profile add NAME --client-id ID" in result.stderr


def test_half_env_credentials_are_explained(cli: Cli) -> None:
    result = cli.run("token", env={"ONNA_CLIENT_ID": "x"})
    assert result.returncode == 2
    assert "ONNA_CLIENT_SECRET is not" in result.stderr


def test_insecure_base_url_override_is_refused(cli: Cli) -> None:
    result = cli.run("token", env=cli.env_credentials(ONNA_BASE_URL="http://example.com/v1"))
    assert result.returncode == 2
    assert "plain http" in result.stderr


def _age_cached_token(cli: Cli, seconds_left: int) -> None:
    """Rewrite the cached token in the test keyring so it has ``seconds_left`` to live
    (what an hour of waiting would do, without the wait)."""
    import json
    from datetime import timedelta

    store = json.loads(cli.keyring_file.read_text(encoding="utf-8"))
    for entries in store.values():
        for username, value in entries.items():
            if username.endswith("#token"):
                token = json.loads(value)
                token["expires_at"] = (
                    datetime.now(UTC) + timedelta(seconds=seconds_left)
                ).isoformat()
                entries[username] = json.dumps(token)
    cli.keyring_file.write_text(json.dumps(store), encoding="utf-8")


def test_a_token_inside_the_margin_is_replaced(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    first = cli.run("token", "--json").json()
    _age_cached_token(cli, seconds_left=30)  # inside the 60 s margin of a 3599 s token
    status = cli.run("status", "--json").json()
    assert status["token"]["state"] == "expiring"
    second = cli.run("token", "--json").json()
    assert second["access_token"] != first["access_token"]
    assert second["expires_in"] > 3500
    assert admin.exchanges == 2


@pytest.fixture
def short_lived_tokens(sandbox_server: SandboxServer, sandbox_credentials: object) -> None:
    """The sandbox issues 30-second tokens: shorter than the 60 s renewal margin."""
    state = SandboxState(clock=ManualClock(), token_ttl=30)
    state.add_client(client_id="test-client", client_secret="test-secret-value-1234567890")
    sandbox_server.replace_state(state)


def test_a_token_shorter_than_the_margin_is_still_reused(
    cli: Cli, admin: Admin, short_lived_tokens: None
) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    first = cli.run("token").stdout
    assert cli.run("token").stdout == first
    assert admin.exchanges == 1


def test_processes_starting_together_share_one_exchange(cli: Cli, admin: Admin) -> None:
    """Four `onna-tui token` at once with an empty cache: one mints, the others wait and reuse."""
    assert cli.add_profile("sb", verify=False).returncode == 0
    admin.fault(path="/v1/oauth/token", latency=0.5)  # make the first exchange slow
    procs = [
        subprocess.Popen(
            cli.command("token"),
            env=cli.full_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [proc.communicate(timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0, 0], outputs
    assert len({out for out, _ in outputs}) == 1
    assert admin.exchanges == 1


def test_a_cached_token_is_printed_without_loading_the_http_stack(cli: Cli, admin: Admin) -> None:
    """Scripts call `$(onna-tui token)` before every request: the cache-hit path stays light."""
    assert cli.add_profile("sb").returncode == 0
    import sys

    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "onna_tui", "token"],
        env=cli.full_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()}
    assert "httpx" not in imported
    assert "onna_tui.api.client" not in imported
    assert admin.exchanges == 1  # the one from `profile add`'s verification


@pytest.mark.parametrize(
    "base_url",
    [
        "http://[::1/v1",
        "http://127.0.0.1:1/v\x1b[2J1",
        "http://127.0.0.1:1/v1\tx",
        "http://127.0.0.1/" + "a" * 65536,
    ],
    ids=["unclosed-bracket", "escape", "tab", "64KB"],
)
def test_a_malformed_base_url_is_a_configuration_error(cli: Cli, base_url: str) -> None:
    """These used to print "unexpected error … this is a bug" with exit 1."""
    result = cli.run("token", "--base-url", base_url, env=cli.env_credentials())
    assert result.returncode == 2, result.stderr
    assert "bug" not in result.stderr
    assert "base URL" in result.stderr and len(result.stderr) < 600
    assert "\x1b" not in result.stderr


def test_profile_add_with_an_unclosed_ipv6_bracket_is_a_configuration_error(cli: Cli) -> None:
    result = cli.run(
        "profile",
        "add",
        "v6",
        "--client-id",
        "x",
        "--base-url",
        "http://[::1/v1",
        "--no-verify",
        input="some-secret",
    )
    assert result.returncode == 2, result.stderr
    assert "bug" not in result.stderr and "IPv6" in result.stderr


def test_token_new_mints_a_fresh_token_and_caches_it(cli: Cli, admin: Admin) -> None:
    """The way out when the server refused a token the cache still holds."""
    assert cli.add_profile("sb").returncode == 0
    cached = cli.run("token").stdout.strip()
    admin.expire_tokens()
    assert cli.run("token").stdout.strip() == cached  # the fast path asks no server
    result = cli.run("token", "--new", "--json")
    assert result.returncode == 0, result.stderr
    fresh = result.json()["access_token"]
    assert fresh != cached and result.json()["expires_in"] > 3500
    assert admin.exchanges == 2
    assert cli.run("token").stdout.strip() == fresh  # it replaced the cached one
    assert admin.exchanges == 2
    assert httpx.get(
        f"{cli.base_url}/workspaces", headers={"Authorization": f"Bearer {fresh}"}
    ).is_success


def test_token_new_is_in_the_help(cli: Cli) -> None:
    result = cli.run("token", "--help")
    assert result.returncode == 0 and "--new" in result.stdout
