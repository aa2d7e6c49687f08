"""Shell completion, run in the real shells: bash, zsh and fish.

Each case types a command line and asks the shell's completion for the last word.
A shell that is not installed skips, or fails when ONNA_TUI_REQUIRE_SHELLS=1 (CI
installs all three).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from onna_tui.cli.completion import SHELLS, command_tree, script
from onna_tui.cli.parser import build_parser
from onna_tui.storage.paths import profile_names

REQUIRE = os.environ.get("ONNA_TUI_REQUIRE_SHELLS") == "1"

CONFIG = """\
default = "prod"

[profiles.prod]
client_id = "a"

[profiles."staging.eu"]
client_id = "b"
"""

# (typed command line, words the completion must offer, words it must not)
CASES = [
    ("profile ", {"add", "list", "remove", "default", "set-secret", "update"}, {"--json"}),
    ("profile remove ", {"prod", "staging.eu"}, {"add"}),
    ("profile add ", set(), {"prod"}),  # a new name: nothing to offer
    ("status --profile ", {"prod", "staging.eu"}, {"--json"}),
    ("workspace list --limit 5 --", {"--json", "--limit", "--profile"}, {"--new"}),
    ("token --", {"--new", "--json", "--verbose"}, {"--client-secret", "--limit"}),
    ("sandbox --error-shape ", {"envelope", "flat"}, set()),
    ("", {"profile", "token", "status", "workspace", "sandbox"}, set()),
]


def _shell(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if REQUIRE:
            pytest.fail(f"ONNA_TUI_REQUIRE_SHELLS=1 but {name} is not installed")
        pytest.skip(f"{name} is not installed")
    return found


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A config dir with two profiles, and an `onna-tui` on PATH that is this checkout."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(CONFIG, encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "onna-tui"
    # The real entry point of this checkout, as an installed `onna-tui` would be.
    launcher.write_text(f'#!/bin/sh\nexec {sys.executable} -m onna_tui "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    return {
        **os.environ,
        "ONNA_TUI_CONFIG_DIR": str(config),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
    }


def _complete(shell: str, line: str, env: dict[str, str], tmp_path: Path) -> set[str]:
    path = tmp_path / f"completion.{shell}"
    path.write_text(script(shell, build_parser()), encoding="utf-8")
    words = ["onna-tui", *line.split()]
    if line.endswith(" ") or not line:
        words.append("")
    if shell == "bash":
        code = (
            f'source {path}; COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _onna_tui; '
            'printf "%s\\n" "${COMPREPLY[@]}"'
        )
        argv = [_shell("bash"), "-c", code, "_", *words]
    elif shell == "zsh":
        # Outside a completion widget: compadd and compdef are stood in for, printing
        # what the script offers; the script's own logic runs in the real zsh.
        code = (
            'compdef() { :; }; compadd() { shift; print -rl -- "$@"; }; _files() { :; }; '
            f'source {path}; words=("$@"); CURRENT=$#; _onna_tui'
        )
        argv = [_shell("zsh"), "-f", "-c", code, "_", *words]
    else:
        argv = [
            _shell("fish"),
            "--no-config",
            "-c",
            f"source {path}; complete -C $argv[1]",
            f"onna-tui {line}",
        ]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return {w.split("\t")[0] for w in done.stdout.splitlines() if w.strip()}


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(("line", "offered", "not_offered"), CASES)
def test_completion_offers_what_the_parser_accepts(
    shell: str,
    line: str,
    offered: set[str],
    not_offered: set[str],
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    words = _complete(shell, line, env, tmp_path)
    assert offered <= words, f"{shell} {line!r}: missing {offered - words}"
    assert not (not_offered & words), f"{shell} {line!r}: offered {not_offered & words}"
    if not offered:
        assert words == set()


def test_every_subcommand_of_the_parser_is_in_the_tree() -> None:
    paths = {node.path for node in command_tree(build_parser())}
    assert {"", "profile", "profile add", "workspace show", "sandbox", "token"} <= paths


def test_the_hidden_secret_option_is_never_offered() -> None:
    for node in command_tree(build_parser()):
        assert "--client-secret" not in node.options, node.path


def test_profile_names_read_the_config_and_never_fail(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    assert profile_names({"ONNA_TUI_CONFIG_DIR": str(tmp_path)}) == ["prod", "staging.eu"]
    (tmp_path / "config.toml").write_text("[profiles\n", encoding="utf-8")
    assert profile_names({"ONNA_TUI_CONFIG_DIR": str(tmp_path)}) == []
    assert profile_names({"ONNA_TUI_CONFIG_DIR": str(tmp_path / "missing")}) == []


def test_an_unknown_shell_is_refused() -> None:
    with pytest.raises(ValueError, match="bash, zsh, fish"):
        script("tcsh", build_parser())


def test_the_completion_command_prints_the_script(env: dict[str, str]) -> None:
    for shell in SHELLS:
        done = subprocess.run(
            [sys.executable, "-m", "onna_tui", "completion", shell],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == script(shell, build_parser())


def test_profile_names_for_completion_touch_neither_keyring_nor_pydantic(
    env: dict[str, str],
) -> None:
    probe = (
        "import sys, runpy; sys.argv = ['onna-tui', '__complete-profiles']\n"
        "from onna_tui.cli import main\n"
        "code = main()\n"
        "heavy = [m for m in ('keyring', 'pydantic', 'httpx', 'textual') "
        "if m in sys.modules]\n"
        "print('heavy:', heavy, file=sys.stderr)\n"
        "raise SystemExit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["prod", "staging.eu"]
    assert "heavy: []" in done.stderr
