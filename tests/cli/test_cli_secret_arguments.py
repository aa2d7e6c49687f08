"""A value on the command line that may be a secret is never echoed by an argument error.

argparse used to repeat what it could not use (``unrecognized arguments:
--secret=VALUE``, ``ambiguous option: --client=VALUE``, ``invalid choice: 'VALUE'``).
Each spelling, with ``=`` and with a separate value, before and after the subcommand,
must exit 2 without the value on stdout or stderr.
"""

from __future__ import annotations

import itertools

import pytest
from clihelpers import Cli

from onna_tui.cli.errors import UsageError
from onna_tui.cli.parser import build_parser

SPELLINGS = ["--client", "--client_secret", "--secret", "--token", "--password", "--Client-Secret"]
PLACES = {
    "before the command": (["{}"], ["token"]),
    "after the command": (["token"], ["{}"]),
    "after a nested command": (["profile", "add", "prod", "--client-id", "0oa1b2c3"], ["{}"]),
    "on workspace list": (["workspace", "list"], ["{}"]),
    "on the sandbox": (["sandbox"], ["{}"]),
}
CASES = list(itertools.product(SPELLINGS, ["=", " "], PLACES))


def _argv(spelling: str, form: str, place: str, secret: str) -> list[str]:
    before, after = PLACES[place]
    option = [f"{spelling}={secret}"] if form == "=" else [spelling, secret]
    argv: list[str] = []
    for part in [*before, *after]:
        argv.extend(option if part == "{}" else [part])
    return argv


@pytest.mark.parametrize(("spelling", "form", "place"), CASES)
def test_a_secret_like_option_is_refused_without_echoing_its_value(
    cli: Cli, spelling: str, form: str, place: str
) -> None:
    secret = f"Sup3rS3cret-{CASES.index((spelling, form, place))}-value"
    result = cli.run(*_argv(spelling, form, place, secret))
    assert result.returncode == 2
    assert secret not in result.stdout and secret not in result.stderr
    assert result.stdout == ""
    assert "never taken as a command-line argument" in result.stderr, result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["token", "--verbose=VALUE-NOT-SHOWN"],
        ["VALUE-NOT-SHOWN"],
        ["workspace", "list", "--limit", "VALUE-NOT-SHOWN"],
        ["token", "--frobnicate=VALUE-NOT-SHOWN", "VALUE-NOT-SHOWN"],
        ["profile", "add", "prod", "--client-id", "0oa1b2c3", "VALUE-NOT-SHOWN"],
        ["--frobnicate", "VALUE-NOT-SHOWN", "token"],
        ["sandbox", "--p=VALUE-NOT-SHOWN"],  # ambiguous: --port, --page-size
    ],
)
def test_other_argument_errors_name_options_but_never_values(cli: Cli, argv: list[str]) -> None:
    result = cli.run(*argv)
    assert result.returncode == 2
    assert "VALUE-NOT-SHOWN" not in result.stdout + result.stderr
    assert result.stdout == ""
    assert "usage:" in result.stderr and "error:" in result.stderr


def test_unrecognized_options_are_named_and_values_counted(cli: Cli) -> None:
    result = cli.run("token", "--frobnicate=VALUE-NOT-SHOWN", "--colour", "blue")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "onna-tui: error: unrecognized arguments: --frobnicate --colour (and 2 values, not shown)"
    )


def test_in_process_parsing_keeps_argparse_behaviour() -> None:
    parser = build_parser()
    args = parser.parse_args(["workspace", "list", "--limit", "3", "--json"])
    assert (args.command, args.limit, args.json) == ("workspace", 3, True)
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["token", "--frobnicate"])
    assert exited.value.code == 2
    with pytest.raises(UsageError, match="never taken as a command-line argument"):
        build_parser().parse_args(["token", "--secret=x"])
    # Errors raised outside parsing (main's own checks) still print usage and exit 2.
    with pytest.raises(SystemExit):
        build_parser().error("something else")
