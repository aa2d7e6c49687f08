"""`onna-tui profile ...` on bad input: a blank base URL, a locked keyring, a corrupt
config.toml, and the one rule for sending a stored secret to a new base URL."""

from __future__ import annotations

import tomllib

import pytest
from clihelpers import Admin, Cli

from onna_tui.storage.keyring.entries import service_name, token_service_name

LOCKED = "filekeyring.LockedKeyring"


# ------------------------------------------------------------- blank base URL


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_base_url_is_refused_on_add(cli: Cli, admin: Admin, blank: str) -> None:
    result = cli.run(
        "profile", "add", "sb", "--client-id", cli.client_id, "--base-url", blank,
        input=cli.secret,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("onna-tui: --base-url is empty.")
    assert result.stderr.count("\n") == 1
    assert cli.config_text() == "" and cli.keyring() == {}
    assert admin.exchanges == 0


def test_a_blank_base_url_is_refused_on_update(cli: Cli) -> None:
    assert cli.add_profile("sb").returncode == 0
    before = cli.config_text()
    result = cli.run("profile", "update", "sb", "--base-url", "", input=cli.secret)
    assert result.returncode == 2
    assert "--base-url is empty" in result.stderr
    assert cli.config_text() == before
    assert tomllib.loads(before)["profiles"]["sb"]["base_url"] == cli.base_url


# ------------------------------------------------------------- locked keyring


def test_a_locked_keyring_fails_fast_before_any_exchange(cli: Cli, admin: Admin) -> None:
    env = {"PYTHON_KEYRING_BACKEND": LOCKED}
    result = cli.run(
        "profile", "add", "sb", "--client-id", cli.client_id, "--base-url", cli.base_url,
        input=cli.secret, env=env,
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert "The keyring is locked" in result.stderr
    assert result.stdout == ""
    assert admin.exchanges == 0  # no token was minted only to be thrown away
    assert cli.config_text() == ""


def test_set_secret_and_update_with_a_locked_keyring_make_no_exchange(
    cli: Cli, admin: Admin
) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    env = {"PYTHON_KEYRING_BACKEND": LOCKED}
    before = cli.config_text()
    other = cli.base_url.replace("127.0.0.1", "localhost")
    for args in (
        ["profile", "set-secret", "sb"],
        ["profile", "update", "sb", "--base-url", other],
        ["profile", "update", "sb", "--client-id", "another-client"],
    ):
        result = cli.run(*args, input=cli.secret, env=env)
        assert result.returncode == 4, (args, result.stderr)
        assert "The keyring is locked" in result.stderr
    assert admin.exchanges == 0
    assert cli.config_text() == before


# ------------------------------------------------------------- corrupt config.toml


@pytest.mark.parametrize(
    "text",
    [
        'profiles = "x"\n',
        "a = " + "[" * 3000 + "]" * 3000 + "\n",
        "[profiles]\nprod = 1\n",
        "default = 3\n",
    ],
    ids=["profiles-a-string", "deeply-nested", "profile-not-a-table", "default-not-a-string"],
)
def test_a_corrupt_config_is_a_clear_error_naming_the_file(cli: Cli, text: str) -> None:
    cli.config_dir.mkdir(parents=True)
    path = cli.config_dir / "config.toml"
    path.write_text(text)
    for args in (["profile", "list"], ["token"], ["profile", "add", "x", "--client-id", "c"]):
        result = cli.run(*args, input="some-secret")
        assert result.returncode == 2, (args, result.stderr)
        assert str(path) in result.stderr
        assert "bug" not in result.stderr
        assert result.stderr.count("\n") == 1
    assert path.read_text() == text


# ------------------------------------------------------------- a secret and a new base URL


def test_a_new_base_url_needs_the_secret_again(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb").returncode == 0
    assert admin.exchanges == 1
    before = cli.config_text()
    other = cli.base_url.replace("127.0.0.1", "localhost")

    # Not re-entered and not --keep-secret: the stored secret is not sent to the new URL.
    result = cli.run("profile", "update", "sb", "--base-url", other)
    assert result.returncode == 2
    assert "No client secret on standard input" in result.stderr
    assert f"profile update sb --base-url {other}" in result.stderr
    assert admin.exchanges == 1
    assert cli.config_text() == before
    assert set(cli.keyring()) == {service_name(cli.base_url), token_service_name(cli.base_url)}

    # Re-entered: verified at the new URL and moved there.
    result = cli.run("profile", "update", "sb", "--base-url", other, input=cli.secret)
    assert result.returncode == 0, result.stderr
    assert admin.exchanges == 2
    assert set(cli.keyring()) == {service_name(other), token_service_name(other)}
    assert cli.run("token").returncode == 0


def test_keep_secret_sends_the_stored_secret_to_the_new_url(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb").returncode == 0
    other = cli.base_url.replace("127.0.0.1", "localhost")
    result = cli.run("profile", "update", "sb", "--base-url", other, "--keep-secret")
    assert result.returncode == 0, result.stderr
    assert admin.exchanges == 2  # verified at the new URL with the stored secret
    assert cli.keyring()[service_name(other)] == {cli.client_id: cli.secret}
    assert service_name(cli.base_url) not in cli.keyring()


def test_keep_secret_is_refused_where_it_cannot_apply(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb").returncode == 0
    before = cli.config_text()
    other = cli.base_url.replace("127.0.0.1", "localhost")
    new_client = cli.run(
        "profile", "update", "sb", "--base-url", other, "--client-id", "another", "--keep-secret",
        input=cli.secret,
    )  # fmt: skip
    assert new_client.returncode == 2
    assert "A new client id has a secret of its own" in new_client.stderr
    same_url = cli.run("profile", "update", "sb", "--org", "acme", "--keep-secret")
    assert same_url.returncode == 2
    assert "--keep-secret applies only when --base-url" in same_url.stderr
    assert cli.config_text() == before
    assert admin.exchanges == 1


def test_keep_secret_help_says_what_it_does(cli: Cli) -> None:
    result = cli.run("profile", "update", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "--keep-secret" in text
    assert "send the stored client secret to the new base URL" in text
