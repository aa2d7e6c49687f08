"""Untrusted text in CLI output: names, ids and messages never reach the terminal raw.

Workspaces with hostile names are created through the sandbox's HTTP API, as anyone
in the organisation could, and then listed and shown by the real CLI. Control and
bidi characters must come out as visible escapes, a newline must never forge a row,
ordinary Unicode stays as it is, and ``--json`` gives back exactly the names.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import unicodedata

import pytest
from clihelpers import REPO, Admin, Cli

from onna_tui.core.text import display_width, printable

#: What must never reach stdout or stderr raw: C0 (newline aside), DEL, C1, bidi
#: controls and marks, the line and paragraph separators.
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)

#: Each hostile name and how the CLI shows it.
HOSTILE = {
    "x\x1b[2J\x1b[31mRED": "x\\x1b[2J\\x1b[31mRED",
    "a\nb  forged-id": "a\\nb  forged-id",
    "\u202eevil": "\\u202eevil",
    "\x9b2J": "\\x9b2J",
    "[/]": "[/]",
    "cr\rover": "cr\\rover",
    "tab\there": "tab\\there",
    "bell\x07 back\x08 del\x7f": "bell\\x07 back\\x08 del\\x7f",
    "iso\u2066late\u2069 \u200fmark": "iso\\u2066late\\u2069 \\u200fmark",
    "line\u2028sep": "line\\u2028sep",
    "Café 日本語 🎉 naïve": "Café 日本語 🎉 naïve",
}


@pytest.fixture
def env(cli: Cli) -> dict[str, str | None]:
    return cli.env_credentials()


@pytest.fixture
def hostile_ids(cli: Cli) -> dict[str, str]:
    """{onna_id: name} for one workspace per hostile name."""
    return {cli.api_create_workspace(name): name for name in HOSTILE}


def _assert_no_raw_control(text: str) -> None:
    found = RAW_CONTROL.findall(text)
    assert not found, f"raw control characters in output: {found!r}"


def test_list_shows_hostile_names_as_escapes_one_row_each(
    cli: Cli, env: dict[str, str | None], hostile_ids: dict[str, str]
) -> None:
    result = cli.run("workspace", "list", env=env)
    assert result.returncode == 0, result.stderr
    _assert_no_raw_control(result.stdout)
    lines = result.stdout.split("\n")
    assert lines.pop() == ""
    assert len(lines) == 1 + len(HOSTILE), "a name forged or merged a row"
    header, rows = lines[0], lines[1:]
    name_column = header.index("NAME")
    shown = {}
    for row in rows:
        onna_id, name = row[:name_column].rstrip(), row[name_column:]
        assert row[name_column - 2 : name_column] == "  "
        shown[onna_id] = name
    assert shown == {onna_id: HOSTILE[name] for onna_id, name in hostile_ids.items()}


def test_list_json_round_trips_the_exact_names_without_raw_controls(
    cli: Cli, env: dict[str, str | None], hostile_ids: dict[str, str]
) -> None:
    result = cli.run("workspace", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    _assert_no_raw_control(result.stdout)
    assert "\u202e" not in result.stdout and "\x9b" not in result.stdout
    listed = json.loads(result.stdout)
    assert {item["onna_id"]: item["name"] for item in listed} == hostile_ids
    # Ordinary Unicode stays readable in the JSON text, not \u-escaped.
    assert "Café 日本語 🎉 naïve" in result.stdout


def test_show_escapes_name_description_and_tags(cli: Cli, env: dict[str, str | None]) -> None:
    name = "x\x1b[2J\x1b[31mRED"
    description = "line one\nForged:  row\x1b]0;title\x07"
    tags = ["\u202etag", "ok\r"]
    onna_id = cli.api_create_workspace(name, description, tags)

    result = cli.run("workspace", "show", onna_id, env=env)
    assert result.returncode == 0, result.stderr
    _assert_no_raw_control(result.stdout)
    lines = result.stdout.splitlines()
    assert len(lines) == 6
    assert lines[1] == "name:         x\\x1b[2J\\x1b[31mRED"
    assert lines[2] == "description:  line one\\nForged:  row\\x1b]0;title\\x07"
    assert lines[3] == "tags:         \\u202etag, ok\\r"

    shown = cli.run("workspace", "show", onna_id, "--json", env=env)
    _assert_no_raw_control(shown.stdout)
    data = shown.json()
    assert (data["name"], data["description"], data["tags"]) == (name, description, tags)


def test_table_aligns_by_display_width(cli: Cli, admin: Admin, env: dict[str, str | None]) -> None:
    # Ids from the server are untrusted too: wide characters, a combining accent, an ESC.
    items = [
        {"onna_id": "日本-1", "name": "wide"},
        {"onna_id": "e\u0301te-2", "name": "combining"},
        {"onna_id": "plain-3", "name": "plain"},
        {"onna_id": "esc\x1b-4", "name": "escaped"},
    ]
    admin.fault(path="/workspaces", method="GET", status=200, body={"items": items})
    result = cli.run("workspace", "list", env=env)
    assert result.returncode == 0, result.stderr
    _assert_no_raw_control(result.stdout)
    lines = result.stdout.splitlines()
    assert [line.split()[-1] for line in lines] == ["NAME", "wide", "combining", "plain", "escaped"]
    columns = {display_width(line[: line.rindex(line.split()[-1])]) for line in lines}
    assert columns == {display_width("esc\\x1b-4") + 2}, lines


def test_error_lines_escape_untrusted_text(cli: Cli, env: dict[str, str | None]) -> None:
    # The id the person typed (or pasted from a hostile listing) comes back in the error.
    result = cli.run("workspace", "show", "x\x1b[2J\u202ey", env=env)
    assert result.returncode == 1
    _assert_no_raw_control(result.stderr)
    assert "x\\x1b[2J\\u202ey" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_unexpected_errors_escape_their_message(cli: Cli) -> None:
    code = """
        import sys
        import onna_tui.cli.commands.auth as auth
        async def boom(ctx):
            raise RuntimeError("kaput\\x1b[2J\\nforged line\\u202e")
        auth.token = boom
        import onna_tui.cli as c
        raise SystemExit(c.main(sys.argv[1:]))
    """
    for extra in ([], ["--verbose"]):
        completed = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code), "token", *extra],
            capture_output=True, text=True, env=cli.full_env(), cwd=str(REPO), timeout=60,
            check=False,
        )  # fmt: skip
        assert completed.returncode == 1
        _assert_no_raw_control(completed.stderr)
        last = completed.stderr.splitlines()[-1]
        assert "kaput\\x1b[2J\\nforged line\\u202e" in last


# ------------------------------------------------------------- the sanitiser


@pytest.mark.parametrize("char", [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]])
def test_every_c0_and_c1_control_is_escaped(char: str) -> None:
    shown = printable(f"a{char}b")
    assert shown.startswith("a\\") and shown.endswith("b")
    assert all(unicodedata.category(c) != "Cc" for c in shown)


def test_printable_is_idempotent_and_keeps_ordinary_text() -> None:
    text = "x\x1b[2J\u202e\ud800 Café 日本 🎉 [/] C:\\Docs"
    once = printable(text)
    assert once == "x\\x1b[2J\\u202e\\ud800 Café 日本 🎉 [/] C:\\Docs"
    assert printable(once) == once
    assert printable("a\nb\rc", keep_newlines=True) == "a\nb\\rc"
