"""`onna-tui workspace update | delete | field ...` and `onna-tui customfield ...` (sandbox)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest
from clihelpers import Admin, Cli

from onna_tui.errors import ExitCode


@pytest.fixture
def env(cli: Cli) -> dict[str, str | None]:
    return cli.env_credentials()


def _create(cli: Cli, env: dict[str, str | None], name: str = "Case 42") -> str:
    result = cli.run("workspace", "create", "--name", name, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_done_when_the_whole_sequence_round_trips(
    cli: Cli, env: dict[str, str | None], admin: Admin
) -> None:
    onna_id = _create(cli, env)
    updated = cli.run(
        "workspace", "update", onna_id, "--name", "Case 43", "--description", "Discovery",
        "--tag", "legal", "--tag", "2026", env=env,
    )  # fmt: skip
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout == "" and f"Updated workspace {onna_id}." in updated.stderr
    shown = cli.run("workspace", "show", onna_id, "--json", env=env).json()
    assert (shown["name"], shown["description"], shown["tags"]) == (
        "Case 43", "Discovery", ["legal", "2026"],
    )  # fmt: skip

    made = cli.run(
        "customfield", "create", "--name", "Matter", "--type", "keyword",
        "--description", "The matter number", "--required", "--json", env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    field_id = made.json()["onna_id"]
    listed = cli.run("customfield", "list", "--json", env=env).json()
    assert listed == [
        {"onna_id": field_id, "name": "Matter", "type": "keyword",
         "description": "The matter number", "required": True, "usage_count": 0},
    ]  # fmt: skip
    enabled = cli.run("workspace", "field", "enable", onna_id, field_id, env=env)
    assert enabled.returncode == 0, enabled.stderr
    assert cli.run("workspace", "field", "set", onna_id, field_id, "M-42", env=env).returncode == 0
    got = cli.run("workspace", "field", "get", onna_id, field_id, env=env)
    assert got.stdout == "M-42\n"
    assert cli.run("workspace", "field", "get", onna_id, field_id, "--json", env=env).json() == {
        "onna_id": field_id, "value": "M-42",
    }  # fmt: skip
    assert cli.run("workspace", "field", "list", onna_id, "--json", env=env).json() == [
        {"onna_id": field_id, "name": "Matter", "type": "keyword", "value": "M-42"},
    ]  # fmt: skip
    table = cli.run("workspace", "field", "list", onna_id, env=env).stdout.splitlines()
    assert table[0].split() == ["FIELD_ID", "NAME", "TYPE", "VALUE"]
    assert table[1].split() == [field_id, "Matter", "keyword", "M-42"]

    deleted = cli.run("workspace", "delete", onna_id, "--yes", env=env)
    assert deleted.returncode == 0, deleted.stderr
    assert f"Deleted workspace {onna_id}." in deleted.stderr
    gone = cli.run("workspace", "show", onna_id, env=env)
    assert gone.returncode == ExitCode.API and "not" in gone.stderr.lower()
    assert "found" in gone.stderr.lower() or "exist" in gone.stderr.lower()


def test_a_delete_without_a_terminal_or_yes_changes_nothing(
    cli: Cli, env: dict[str, str | None], admin: Admin
) -> None:
    onna_id = _create(cli, env)
    before = admin.stats()["requests"]
    refused = cli.run("workspace", "delete", onna_id, env=env)
    assert refused.returncode == ExitCode.USAGE
    assert "Add --yes" in refused.stderr
    assert admin.stats()["requests"] == before  # nothing was sent at all
    assert cli.run("workspace", "show", onna_id, env=env).returncode == 0


def _delete_in_a_terminal(
    cli: Cli, env: dict[str, str | None], onna_id: str, typed: str
) -> tuple[int, str]:
    """`workspace delete` with a pty as stdin, answering the prompt with ``typed``."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            cli.command("workspace", "delete", onna_id),
            stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=cli.full_env(env), text=True,
        )  # fmt: skip
        os.close(follower)
        follower = -1
        os.write(leader, typed.encode() + b"\n")
        _, err = proc.communicate(timeout=60)
        return proc.returncode, err
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_in_a_terminal_the_name_must_be_typed(cli: Cli, env: dict[str, str | None]) -> None:
    onna_id = _create(cli, env, name="Keep \x1b[31mme")
    code, err = _delete_in_a_terminal(cli, env, onna_id, "Keep me")
    assert code == ExitCode.USAGE and "nothing was deleted" in err
    assert "\x1b" not in err and "Keep \\x1b[31mme" in err  # the name is shown escaped
    assert cli.run("workspace", "show", onna_id, env=env).returncode == 0
    code, err = _delete_in_a_terminal(cli, env, onna_id, "Keep \\x1b[31mme")
    assert code == 0, err
    assert cli.run("workspace", "show", onna_id, env=env).returncode == ExitCode.API


def test_a_dropped_delete_retried_is_already_deleted(
    cli: Cli, env: dict[str, str | None], admin: Admin
) -> None:
    onna_id = _create(cli, env)
    admin.fault(path=f"/v1/workspaces/{onna_id}", method="DELETE", drop="after")
    result = cli.run("workspace", "delete", onna_id, "--yes", env=env)
    assert result.returncode == 0, result.stderr
    assert "already deleted" in result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "Nothing to change"),
        (("--tag", "a", "--clear-tags"), "not both"),
        (("--name", "  "), "--name must not be empty or blank"),
    ],
)
def test_an_update_that_cannot_be_sent_is_refused_locally(
    cli: Cli, env: dict[str, str | None], admin: Admin, args: tuple[str, ...], said: str
) -> None:
    onna_id = _create(cli, env)
    before = admin.stats()["requests"]
    result = cli.run("workspace", "update", onna_id, *args, env=env)
    assert result.returncode == ExitCode.USAGE and said in result.stderr
    assert admin.stats()["requests"] == before


def test_clear_tags_and_json_after_update(cli: Cli, env: dict[str, str | None]) -> None:
    onna_id = _create(cli, env)
    assert cli.run("workspace", "update", onna_id, "--tag", "x", env=env).returncode == 0
    result = cli.run("workspace", "update", onna_id, "--clear-tags", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert result.json()["tags"] == [] and result.json()["onna_id"] == onna_id


def test_unknown_ids_are_not_found(cli: Cli, env: dict[str, str | None]) -> None:
    onna_id = _create(cli, env)
    missing = cli.run("workspace", "field", "enable", onna_id, "cf-none", env=env)
    assert missing.returncode == ExitCode.API and "cf-none" in missing.stderr
    assert cli.run("workspace", "delete", "no-such", "--yes", env=env).returncode == ExitCode.API


def test_untrusted_field_text_is_printed_escaped(cli: Cli, env: dict[str, str | None]) -> None:
    made = cli.run(
        "customfield", "create", "--name", "Evil\x1b[2J", "--type", "keyword",
        "--description", "", env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    listed = cli.run("customfield", "list", env=env)
    assert "\x1b" not in listed.stdout and "Evil\\x1b[2J" in listed.stdout
