"""The entry point itself: import hygiene, usage errors, unexpected errors, --version."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest
from clihelpers import REPO, Cli

import onna_tui.cli
from onna_tui import __version__
from onna_tui.errors import ExitCode


def _python(
    cli: Cli, code: str, env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=cli.full_env(env),
        cwd=str(REPO),
        timeout=60,
        check=False,
    )


def test_cli_commands_do_not_import_textual(cli: Cli) -> None:
    code = """
        import sys
        import onna_tui.cli as c
        assert 'textual' not in sys.modules
        for argv in (['token'], ['status', '--json'], ['workspace', 'list', '--json'],
                     ['profile', 'list', '--json']):
            rc = c.main(argv)
            assert rc == 0, (argv, rc)
        bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))
        assert not bad, bad
        print('clean')
    """
    completed = _python(cli, code, cli.env_credentials())
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.rstrip().endswith("clean")


def test_commands_do_not_load_the_httpx_command_line(cli: Cli) -> None:
    """httpx imports its own CLI (click, pygments, rich's syntax) when click is installed;
    the entry point keeps it out: it cost about 45 ms and 3.5 MB per run."""
    code = """
        import sys
        import onna_tui.cli as c
        for argv in (['status', '--json'], ['workspace', 'list', '--json']):
            rc = c.main(argv)
            assert rc == 0, (argv, rc)
        import httpx
        assert sys.modules['httpx._main'] is None  # so httpx took its fallback
        assert callable(httpx.main)
        bad = sorted(m for m in sys.modules if m.split('.')[0] in ('click', 'pygments'))
        assert not bad, bad
        print('clean')
    """
    completed = _python(cli, code, cli.env_credentials())
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.rstrip().endswith("clean")


def test_a_library_import_leaves_httpx_as_it_is(cli: Cli) -> None:
    """Only the entry point skips httpx's CLI: a script importing onna_tui keeps it (and
    this shows the test above can fail: click is installed here, with uvicorn)."""
    code = """
        import sys
        from onna_tui import OnnaAuth
        import httpx
        print('click' in sys.modules, type(sys.modules.get('httpx._main')).__name__)
    """
    completed = _python(cli, code)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["True", "module"]


def test_version_and_help(cli: Cli) -> None:
    result = cli.run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"onna-tui {__version__}"
    result = cli.run("--help")
    assert result.returncode == 0
    for command in ("profile", "token", "status", "workspace", "sandbox"):
        assert command in result.stdout


@pytest.mark.parametrize("columns", ["80", "16", "15", "14", "12", "5"])
def test_version_alone_matches_the_whole_parser(
    columns: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--version` alone skips building the command tree: same text (wrapped the same way on
    a narrow terminal), same SystemExit(0), and no command module imported."""
    from onna_tui.cli.parser import build_parser

    monkeypatch.setenv("COLUMNS", columns)
    with pytest.raises(SystemExit) as whole:
        build_parser().parse_args(["--version"])
    expected = capsys.readouterr()
    with pytest.raises(SystemExit) as fast:
        onna_tui.cli.main(["--version"])
    got = capsys.readouterr()
    assert (got.out, got.err, fast.value.code) == (expected.out, expected.err, whole.value.code)
    assert fast.value.code == 0 and got.out.split() == ["onna-tui", __version__]


def test_version_alone_imports_no_command(cli: Cli) -> None:
    code = """
        import sys
        import onna_tui.cli as c
        try:
            c.main(['--version'])
        except SystemExit as exit:
            assert exit.code == 0, exit.code
        loaded = sorted(m for m in sys.modules if m.startswith('onna_tui.cli.')
                        or m in ('asyncio', 'typing'))
        assert not loaded, loaded
        print('clean')
    """
    completed = _python(cli, code)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.rstrip().endswith("clean")


def test_onna_tui_alone_starts_the_tui_as_parsing_would_without_the_parser(cli: Cli) -> None:
    # The usual launch skips building the parser (first paint); it must hand run_tui
    # exactly what the parser would have made of no arguments.
    code = """
        import json, sys
        import onna_tui.tui.launch as launch
        calls = []
        launch.run_tui = lambda **options: calls.append(options) or 0
        from onna_tui.cli import main
        assert main([]) == 0
        fast = calls.pop()
        loaded = 'onna_tui.cli.parser' in sys.modules
        from onna_tui.cli.parser import build_parser
        parsed = vars(build_parser().parse_args([]))
        assert parsed['command'] is None
        print(json.dumps([fast, {k: parsed[k] for k in fast}, loaded]))
    """
    completed = _python(cli, code)
    assert completed.returncode == 0, completed.stderr
    fast, parsed, parser_loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    assert fast == parsed
    assert set(fast) == {"profile", "sandbox", "token_ttl", "base_url"}
    assert parser_loaded is False


@pytest.mark.parametrize(
    "args",
    [
        ["nonsense"],
        ["token", "--no-such-option"],
        ["profile"],
        ["profile", "add", "x"],  # --client-id is required
        ["--sandbox", "token"],
        ["--token-ttl", "5", "status"],
        ["--token-ttl", "5"],  # the TUI: only with --sandbox
        ["workspace", "list", "--limit", "many"],
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: list[str]) -> None:
    result = cli.run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "usage:" in result.stderr or "onna-tui:" in result.stderr


def test_unexpected_error_is_one_line_and_exit_1(cli: Cli) -> None:
    code = """
        import sys
        import onna_tui.cli.commands.auth as auth
        async def boom(ctx):
            raise RuntimeError("kaput")
        auth.token = boom
        import onna_tui.cli as c
        raise SystemExit(c.main(sys.argv[1:]))
    """
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), "token"],
        capture_output=True, text=True, env=cli.full_env(), cwd=str(REPO), timeout=60,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert completed.stderr.splitlines() == [
        "onna-tui: unexpected error (RuntimeError): kaput. This is a bug in onna-tui; "
        "run again with --verbose for details and report it."
    ]
    verbose = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), "token", "--verbose"],
        capture_output=True, text=True, env=cli.full_env(), cwd=str(REPO), timeout=60,
        check=False,
    )  # fmt: skip
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr and "kaput" in verbose.stderr


def test_secrets_are_redacted_from_unexpected_errors(cli: Cli) -> None:
    code = """
        import sys
        import onna_tui.cli.commands.auth as auth
        async def leak(ctx):
            resolved = await ctx.resolve()
            raise RuntimeError("oops " + resolved.credentials.client_secret.get_secret_value())
        auth.token = leak
        import onna_tui.cli as c
        raise SystemExit(c.main(["token", "--verbose"]))
    """
    completed = _python(cli, code, cli.env_credentials())
    assert completed.returncode == 1
    assert cli.secret not in completed.stderr
    assert "oops •••" in completed.stderr


def _codes(text: str) -> list[int]:
    return [int(code) for code in re.findall(r"(?<![\w-])(\d{1,3})(?![\w-])", text)]


def test_the_readme_documents_exactly_the_exit_codes_of_exit_code() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Errors and exit codes", 1)[1].split("\n## ", 1)[0]
    documented = [int(code) for code in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)]
    assert documented == [int(code) for code in ExitCode]
    assert documented == [0, 1, 2, 3, 4, 5, 126, 127, 130, 141]


def test_exit_codes_in_help_and_docstring_come_from_exit_code(cli: Cli) -> None:
    table = [int(code) for code in ExitCode]
    help_text = " ".join(cli.run("--help").stdout.split())
    epilog = help_text.split("Exit codes:", 1)[1]
    assert _codes(epilog) == table
    for code in ExitCode:
        assert f"{int(code)} {code.meaning}" in epilog

    docstring = " ".join((onna_tui.cli.__doc__ or "").split())
    codes = docstring.split("README):", 1)[1].split("Errors are", 1)[0]
    assert _codes(codes) == table
