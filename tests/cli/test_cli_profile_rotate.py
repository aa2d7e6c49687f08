"""`onna-tui profile rotate` and the secret's age: Onna's rotation steps, verified before
anything is replaced, and old secrets flagged in `profile list`."""

from __future__ import annotations

import re

from clihelpers import Admin, Cli

from onna_tui.sandbox.state import SandboxState

NEW_ID = "rotated-client-id"
NEW_SECRET = "rotated-client-secret-value"


def secrets_in(cli: Cli) -> set[str]:
    return {value for entries in cli.keyring().values() for value in entries.values()}


def test_rotate_verifies_swaps_and_says_to_delete_the_old_credentials(
    cli: Cli, admin: Admin, sandbox_state: SandboxState
) -> None:
    sandbox_state.add_client(client_id=NEW_ID, client_secret=NEW_SECRET)
    assert cli.add_profile("sb").returncode == 0
    assert cli.secret in secrets_in(cli)
    result = cli.run("profile", "rotate", "sb", "--client-id", NEW_ID, input=NEW_SECRET)
    assert result.returncode == 0, result.stderr
    assert "create new credentials" in result.stderr  # the steps, on stderr
    assert f"delete the old credentials (client id {cli.client_id})" in result.stdout
    assert NEW_SECRET not in result.stdout + result.stderr
    assert f'client_id = "{NEW_ID}"' in cli.config_text()
    stored = secrets_in(cli)
    assert NEW_SECRET in stored and cli.secret not in stored
    token = cli.run("token")
    assert token.returncode == 0
    who = cli.run("status", "--json").json()
    assert who["client_id"] == NEW_ID


def test_a_rotation_whose_secret_is_refused_changes_nothing(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb").returncode == 0
    before = cli.config_text()
    result = cli.run("profile", "rotate", "sb", "--client-id", "unknown-id", input="wrong-secret")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert cli.config_text() == before
    assert cli.secret in secrets_in(cli)
    assert "wrong-secret" not in secrets_in(cli)


def test_without_a_terminal_the_client_id_must_be_given(cli: Cli) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    before = cli.config_text()
    result = cli.run("profile", "rotate", "sb", input=NEW_SECRET)
    assert result.returncode == 2
    assert "--client-id" in result.stderr
    assert cli.config_text() == before


def test_an_old_secret_is_flagged_in_profile_list_and_the_age_is_configurable(
    cli: Cli,
) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    path = cli.config_dir / "config.toml"
    text = re.sub(r"secret_set_at = \S+", "secret_set_at = 2020-01-01T00:00:00Z", path.read_text())
    path.write_text(text)
    listed = cli.run("profile", "list")
    assert listed.returncode == 0
    assert re.search(r"2020-01-01 00:00:00Z \(\d+ days\) OLD", listed.stdout)
    assert "onna-tui profile rotate sb" in listed.stderr
    [item] = cli.run("profile", "list", "--json").json()
    assert item["secret_old"] is True and item["secret_age_days"] > 2000

    path.write_text("secret_max_age_days = 0\n" + text)
    listed = cli.run("profile", "list")
    assert "OLD" not in listed.stdout and "rotate" not in listed.stderr
    [item] = cli.run("profile", "list", "--json").json()
    assert item["secret_old"] is False
    # A rewrite keeps the setting.
    assert cli.run("profile", "default", "sb").returncode == 0
    assert "secret_max_age_days = 0" in path.read_text()


def test_a_fresh_secret_is_not_flagged(cli: Cli) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    listed = cli.run("profile", "list")
    assert "(0 days)" in listed.stdout and "OLD" not in listed.stdout
