"""`onna-tui status`: what is configured and the token's state, without minting unless --check."""

from __future__ import annotations

import httpx
from clihelpers import FAIL_KEYRING, Admin, Cli

STATUS_KEYS = {
    "profile", "default", "from_environment", "base_url", "client_id", "org", "overridden",
    "secret", "token", "token_problem", "user", "user_problem", "check",
}  # fmt: skip


def test_status_without_a_token_does_not_mint(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    data = cli.run("status", "--json").json()
    assert set(data) == STATUS_KEYS
    assert data["profile"] == "sb" and data["default"] is True
    assert data["from_environment"] is False
    assert data["base_url"] == cli.base_url and data["client_id"] == cli.client_id
    assert data["secret"] == {
        "stored": True,
        "source": "keyring",
        "location": "JSON file (tests only, plaintext)",
        "insecure": False,
        "set_at": data["secret"]["set_at"],
        "age_days": 0,
        "old": False,
    }
    assert data["secret"]["set_at"].endswith("Z")
    assert data["token"] == {
        "state": "none", "seconds_left": None, "expires_at": None, "fingerprint": None,
    }  # fmt: skip
    assert data["user"] is None and data["check"] is None
    assert admin.exchanges == 0

    text = cli.run("status")
    assert text.returncode == 0
    assert "Token:" in text.stdout and "none cached" in text.stdout
    assert admin.exchanges == 0


def test_status_with_a_cached_token_shows_its_owner(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb").returncode == 0
    data = cli.run("status", "--json").json()
    assert data["token"]["state"] == "valid"
    assert 3500 < data["token"]["seconds_left"] <= 3599
    assert data["token"]["expires_at"].endswith("Z")
    assert data["token"]["fingerprint"].startswith("sha256:")
    assert data["user"] is not None
    assert set(data["user"]) == {"id", "account_id", "name", "surname"}
    assert admin.exchanges == 1  # the one from `profile add`

    text = cli.run("status").stdout
    for label in ("Profile:", "Base URL:", "Client id:", "Secret:", "Token:", "User:"):
        assert label in text
    assert "valid, " in text and " s left" in text
    assert data["user"]["id"] in text
    assert admin.exchanges == 1
    assert cli.run("token").stdout.strip() not in text  # never the token itself


def test_status_check_mints_and_reports(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    data = cli.run("status", "--check", "--json").json()
    assert data["check"] == {"ok": True, "error": None}
    assert data["token"]["state"] == "valid"
    assert data["user"] is not None
    assert admin.exchanges == 1


def test_status_check_with_bad_credentials_exits_3(cli: Cli) -> None:
    assert cli.add_profile("sb", secret="wrong-secret", verify=False).returncode == 0
    result = cli.run("status", "--check", "--json")
    assert result.returncode == 3
    check = result.json()["check"]
    assert check["ok"] is False and "rejected the client id" in check["error"]
    assert result.stderr == f"onna-tui: {check['error']}\n"
    text = cli.run("status", "--check")
    assert text.returncode == 3 and "Check:" in text.stdout and "FAILED" in text.stdout
    assert "rejected the client id" in text.stderr


def test_status_check_when_the_server_is_down_exits_5(cli: Cli, down_url: str) -> None:
    result = cli.run("status", "--check", "--json", env=cli.env_credentials(ONNA_BASE_URL=down_url))
    assert result.returncode == 5
    assert result.json()["check"]["ok"] is False


def test_status_with_env_only_credentials(cli: Cli, admin: Admin) -> None:
    env = cli.env_credentials(PYTHON_KEYRING_BACKEND=FAIL_KEYRING)
    data = cli.run("status", "--json", env=env).json()
    assert data["profile"] == "environment" and data["from_environment"] is True
    assert data["secret"]["source"] == "environment"
    assert "ONNA_CLIENT_SECRET" in data["secret"]["location"]
    assert data["token"]["state"] == "none"
    assert admin.exchanges == 0
    assert not cli.keyring_file.exists()


def test_status_without_a_keyring_exits_4(cli: Cli) -> None:
    assert cli.add_profile("sb").returncode == 0
    result = cli.run("status", env={"PYTHON_KEYRING_BACKEND": FAIL_KEYRING})
    assert result.returncode == 4


def _cached_tokens(cli: Cli) -> list[str]:
    return [
        value
        for entries in cli.keyring().values()
        for username, value in entries.items()
        if "token" in username or '"access_token"' in value
    ]


def test_a_token_the_server_no_longer_accepts_is_reported_and_dropped_for_every_process(
    cli: Cli, admin: Admin
) -> None:
    """It used to say "valid" although its own /oauth/user lookup had just got 401, and
    `onna-tui token` kept printing the refused token for up to an hour."""
    assert cli.add_profile("sb").returncode == 0
    refused = cli.run("token").stdout.strip()
    assert _cached_tokens(cli)
    admin.expire_tokens()  # every token so far is dead at the server, alive by the clock
    result = cli.run("status", "--json")
    assert result.returncode == 0, result.stderr
    data = result.json()
    assert data["token"]["state"] == "refused"
    assert data["token"]["seconds_left"] > 3500  # the clock alone would call it valid
    assert data["user"] is None and "refused the access token" in data["user_problem"]
    assert "dropped from the token cache" in data["user_problem"]
    assert admin.exchanges == 1  # status reports; it does not mint
    assert _cached_tokens(cli) == []  # gone from the keyring this process shares
    # Another process: `token` finds nothing cached and mints a working token.
    fresh = cli.run("token").stdout.strip()
    assert fresh and fresh != refused
    assert admin.exchanges == 2
    assert httpx.get(
        f"{cli.base_url}/oauth/user", headers={"Authorization": f"Bearer {fresh}"}
    ).is_success
    again = cli.run("status", "--json").json()
    assert again["token"]["state"] == "valid" and again["user"] is not None


def test_status_text_says_refused_by_the_server(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb").returncode == 0
    admin.expire_tokens()
    text = cli.run("status")
    assert text.returncode == 0
    token_line = next(line for line in text.stdout.splitlines() if line.startswith("Token:"))
    assert "refused by the server" in token_line
    assert "next `onna-tui token` mints a new one" in token_line


def test_an_api_call_that_meets_a_401_replaces_the_cached_token_for_everyone(
    cli: Cli, admin: Admin
) -> None:
    assert cli.add_profile("sb").returncode == 0
    refused = cli.run("token").stdout.strip()
    admin.expire_tokens()
    assert cli.run("workspace", "list").returncode == 0  # 401, mints once, retries
    assert admin.exchanges == 2
    after = cli.run("token").stdout.strip()
    assert after != refused
    assert admin.exchanges == 2  # the token `workspace list` minted, from the cache
    assert httpx.get(
        f"{cli.base_url}/workspaces", headers={"Authorization": f"Bearer {after}"}
    ).is_success


def test_status_check_replaces_the_cached_token(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb").returncode == 0
    before = cli.run("status", "--json").json()["token"]["fingerprint"]
    checked = cli.run("status", "--check", "--json").json()
    assert checked["check"]["ok"] is True
    assert checked["token"]["fingerprint"] != before
    assert (
        cli.run("status", "--json").json()["token"]["fingerprint"]
        == checked["token"]["fingerprint"]
    )
    assert admin.exchanges == 2
