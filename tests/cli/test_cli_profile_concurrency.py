"""Many `onna-tui profile` processes changing config.toml at once: nothing is lost.

Every change to config.toml is a re-read-modify-write under one cross-process
lock, so twenty `profile add` started together leave twenty profiles and twenty
secrets (before, about half the profiles vanished and their secrets stayed
behind in the keyring), and adds racing removes of other profiles keep exactly
the profiles that should remain.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping

import pytest
from clihelpers import REPO, Cli

from onna_tui.storage.keyring.entries import service_name

SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
REQUIRE = os.environ.get("ONNA_TUI_REQUIRE_SECRET_SERVICE") == "1"


def _secret(name: str) -> str:
    return f"secret-of-{name}-7Qx"


def _client_id(name: str) -> str:
    return f"client-{name}"


#: Each process loads onna-tui, says "ready", and runs the command once the test says "go":
#: the twenty then meet config.toml within milliseconds instead of one start-up apart.
_AT_THE_SIGNAL = """
import sys
from onna_tui import cli
from onna_tui.profiles import manage, resolve
from onna_tui.storage import config_file
from onna_tui.storage.keyring import token_cache, vault
from onna_tui.cli.commands import profile
print("ready", flush=True)
sys.stdin.readline()
sys.exit(cli.main(sys.argv[1:]))
"""


def _start(cli: Cli, args: list[str], env: Mapping[str, str] | None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _AT_THE_SIGNAL, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli.full_env(env),
        cwd=str(REPO),
        text=True,
    )


def _add_args(cli: Cli, name: str) -> list[str]:
    return [
        "profile", "add", name, "--client-id", _client_id(name), "--base-url", cli.base_url,
        "--no-verify",
    ]  # fmt: skip


def _run_together(
    cli: Cli, jobs: Iterable[tuple[list[str], str]], env: Mapping[str, str] | None = None
) -> None:
    """Start every job, wait until all are ready, then let them go at once; each must succeed."""
    started = [(_start(cli, args, env), stdin) for args, stdin in jobs]
    for process, _ in started:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n", process.communicate(timeout=60)
    for process, stdin in started:
        assert process.stdin is not None
        process.stdin.write("go\n" + stdin)
        process.stdin.close()
    results = []
    for process, _ in started:
        assert process.stdout is not None and process.stderr is not None
        out, err = process.stdout.read(), process.stderr.read()  # a few lines each
        process.wait(timeout=120)
        results.append((process.args[3:], process.returncode, out, err))
    failed = [result for result in results if result[1] != 0]
    assert not failed, failed
    assert all("Traceback" not in err for *_, err in results)


def _profiles(cli: Cli) -> dict[str, dict[str, object]]:
    profiles: dict[str, dict[str, object]] = tomllib.loads(cli.config_text()).get("profiles", {})
    return profiles


def test_twenty_parallel_adds_keep_every_profile_and_every_secret(cli: Cli) -> None:
    names = [f"p{i:02d}" for i in range(20)]
    _run_together(cli, ((_add_args(cli, name), _secret(name)) for name in names))
    profiles = _profiles(cli)
    assert sorted(profiles) == names
    assert {name: body["client_id"] for name, body in profiles.items()} == {
        name: _client_id(name) for name in names
    }
    # Twenty secrets, each under a client id a profile uses: none orphaned, none missing.
    assert cli.keyring()[service_name(cli.base_url)] == {
        _client_id(name): _secret(name) for name in names
    }
    assert tomllib.loads(cli.config_text())["default"] in names


def test_adds_racing_removes_of_other_profiles_lose_nothing(cli: Cli) -> None:
    old = [f"old{i}" for i in range(8)]
    new = [f"new{i}" for i in range(8)]
    _run_together(cli, ((_add_args(cli, name), _secret(name)) for name in old))
    assert sorted(_profiles(cli)) == old

    removes = ((["profile", "remove", name], "") for name in old)
    adds = ((_add_args(cli, name), _secret(name)) for name in new)
    _run_together(cli, [job for pair in zip(removes, adds, strict=True) for job in pair])

    assert sorted(_profiles(cli)) == new
    assert cli.keyring()[service_name(cli.base_url)] == {
        _client_id(name): _secret(name) for name in new
    }


@pytest.mark.secret_service
def test_twenty_parallel_adds_through_the_secret_service(cli: Cli) -> None:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        if REQUIRE:
            pytest.fail("ONNA_TUI_REQUIRE_SECRET_SERVICE=1 but DBUS_SESSION_BUS_ADDRESS is unset")
        pytest.skip("no Secret Service on the session bus: DBUS_SESSION_BUS_ADDRESS is unset")
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    service = service_name(cli.base_url)  # the sandbox's random port: entries of this test only
    names = [f"ss{i:02d}" for i in range(20)]
    env = {"PYTHON_KEYRING_BACKEND": SECRET_SERVICE}
    try:
        _run_together(cli, ((_add_args(cli, name), _secret(name)) for name in names), env)
        assert sorted(_profiles(cli)) == names
        stored = {name: backend.get_password(service, _client_id(name)) for name in names}
        assert stored == {name: _secret(name) for name in names}
        assert not cli.keyring_file.exists()  # nothing went to the test's file keyring
    finally:
        for name in names:
            try:
                backend.delete_password(service, _client_id(name))
            except Exception:
                pass
