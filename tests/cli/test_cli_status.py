"""`onna-tui status`: what is configured and the token's state, without minting unless --check."""

from __future__ import annotations

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
    }
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


def test_a_token_the_server_no_longer_accepts(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb").returncode == 0
    admin.expire_tokens()
    data = cli.run("status", "--json").json()
    # Still valid by the clock, but the server refused it: said so, and nothing minted.
    assert data["token"]["state"] == "valid"
    assert data["user"] is None and "refused the access token" in data["user_problem"]
    assert admin.exchanges == 1
    # `token` does not know either (it trusts the clock); any API call re-mints once on 401.
    assert cli.run("workspace", "list").returncode == 0
    assert admin.exchanges == 2
