"""The fast path of a cached `onna-tui token` prints what the full command prints, or stands aside.

In-process with one ManualClock for both sides: the fast path's text is compared
byte for byte with the `token` command's stdout, on an in-memory keyring and on
the real Secret Service when one is on the bus. As subprocesses against the
sandbox: which path ran (the full one loads pydantic) and what it printed.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import keyring.core
import pytest
from clihelpers import REPO, Admin, Cli
from keyring.backend import KeyringBackend
from pydantic import SecretStr

from onna_tui.cli import main
from onna_tui.cli.fast_token import cached_token_output, fast_token_request
from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import AccessToken
from onna_tui.profiles.environment import RESOLUTION_VARIABLES
from onna_tui.storage.config_file import ConfigStore, Profile
from onna_tui.storage.keyring.backends import MemoryKeyring
from onna_tui.storage.keyring.vault import Vault

SECRET = "s3cr3t-VALUE-never-shown-8f2c"
LIFETIME = 3599
#: Every command line the fast path answers (profile `a` is the default).
COVERED = [
    ["token"],
    ["token", "--json"],
    ["--profile", "b", "token"],
    ["--profile=b", "token", "--json"],
    ["token", "--profile", "b"],
    ["token", "--json", "--profile=b"],
    ["token", "--profile", "a", "--json"],
]
#: Command lines it leaves to the full command, whatever the cache holds.
NOT_COVERED = [
    [],
    ["token", "--new"],
    ["token", "--verbose"],
    ["--verbose", "token"],
    ["token", "--base-url", "https://api.example.com/v1"],
    ["token", "--json", "--json"],
    ["--json", "token"],
    ["token", "token"],
    ["token", "--profile"],
    ["token", "--profile="],
    ["token", "--profile", "--json"],
    ["token", "--profile", "a", "--profile", "b"],
    ["token", "--prof", "a"],
    ["token", "--profile", "bad name"],
    ["token", "-h"],
    ["status"],
    ["--sandbox", "token"],
]


@pytest.fixture(autouse=True)
def _no_onna_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in RESOLUTION_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def _secret_service() -> KeyringBackend:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip("no Secret Service on the session bus: DBUS_SESSION_BUS_ADDRESS is unset")
    from keyring.backends import SecretService

    try:
        SecretService.Keyring.priority  # noqa: B018 - raises when no daemon answers
    except Exception as exc:
        pytest.skip(f"no Secret Service on the session bus: {exc}")
    return SecretService.Keyring()


@pytest.fixture(params=["memory", pytest.param("secret service", marks=pytest.mark.secret_service)])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> KeyringBackend:
    """keyring's own choice for this test (what ``keyring.get_keyring()`` returns)."""
    chosen = MemoryKeyring() if request.param == "memory" else _secret_service()
    monkeypatch.setattr(keyring.core, "_keyring_backend", chosen)
    return chosen


class Scene:
    """Two profiles (`a`, the default, and `b`), their secrets and cached tokens."""

    def __init__(self, tmp_path: Path, backend: KeyringBackend, clock: ManualClock) -> None:
        self.path = tmp_path / "config" / "config.toml"
        self.backend, self.clock = backend, clock
        self.vault = Vault(backend, timeout=5.0)
        # A base URL of its own, so nothing collides with other entries in a real keyring.
        self.base_url = f"https://fast-token-{uuid.uuid4().hex[:12]}.example.com/v1"
        store = ConfigStore(self.path, clock=clock)
        for name in ("a", "b"):
            store.add(Profile.new(name, f"cid-{name}", base_url=self.base_url, clock=clock))
            self.vault.put_secret(self.base_url, f"cid-{name}", SecretStr(SECRET))
            self.cache(name, f"tok-{name}-\x1b[2J\u202e-é-{uuid.uuid4().hex}")

    def cache(self, name: str, value: str, lifetime: int = LIFETIME) -> None:
        now = self.clock()
        self.vault.put_token(
            self.base_url,
            f"cid-{name}",
            AccessToken(
                access_token=SecretStr(value),
                expires_in=lifetime,
                issued_at=now,
                expires_at=now + timedelta(seconds=lifetime, microseconds=250_000),
            ),
        )

    def forget(self) -> None:
        for name in ("a", "b"):
            self.vault.forget_profile(self.base_url, f"cid-{name}")

    def fast(self, argv: list[str], env: dict[str, str] | None = None) -> str | None:
        return cached_token_output(argv, env=env or {}, clock=self.clock, config_path=self.path)

    def full(self, argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
        """The `token` command's stdout, run in-process on the same clock and keyring."""
        from onna_tui.cli.context import Context
        from onna_tui.cli.parser import build_parser

        args = build_parser().parse_args(argv)
        ctx = Context(args, store=ConfigStore(self.path), vault=self.vault, clock=self.clock)
        capsys.readouterr()
        assert asyncio.run(args.handler(ctx)) == 0
        captured = capsys.readouterr()
        assert captured.err == ""
        return captured.out


@pytest.fixture
def scene(tmp_path: Path, backend: KeyringBackend, clock: ManualClock) -> Iterator[Scene]:
    made = Scene(tmp_path, backend, clock)
    yield made
    made.forget()


@pytest.mark.parametrize("argv", COVERED, ids=" ".join)
def test_the_fast_path_prints_what_the_command_prints(
    scene: Scene, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    start = scene.clock()
    for seconds in (0, 1.5, LIFETIME - 61):  # the last: a second more than the margin left
        scene.clock.set(start + timedelta(seconds=seconds))
        fast = scene.fast(argv)
        assert fast is not None
        assert fast == scene.full(argv, capsys)
        assert fast.encode() == scene.full(argv, capsys).encode()


def test_main_writes_the_fast_answer(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ONNA_TUI_CONFIG_DIR", str(scene.path.parent))
    scene.clock.set(datetime.now(UTC))  # main reads the system clock
    scene.cache("a", "tok-now")
    expected = scene.full(["token"], capsys)
    assert expected == "tok-now\n"
    assert main(["token"]) == 0
    assert capsys.readouterr().out == expected


@pytest.mark.parametrize("argv", NOT_COVERED, ids=lambda argv: " ".join(argv) or "(none)")
def test_other_command_lines_are_left_to_the_command(scene: Scene, argv: list[str]) -> None:
    assert fast_token_request(argv) is None
    assert scene.fast(argv) is None


@pytest.mark.parametrize("variable", RESOLUTION_VARIABLES)
def test_any_resolution_variable_sends_it_to_the_full_path(scene: Scene, variable: str) -> None:
    assert scene.fast(["token"]) is not None
    assert scene.fast(["token"], env={variable: "a"}) is None
    assert scene.fast(["token"], env={variable: ""}) is None


def test_a_token_in_its_margin_or_expired_is_left_to_the_command(scene: Scene) -> None:
    start = scene.clock()
    scene.clock.set(start + timedelta(seconds=LIFETIME - 60))  # 60.25 s left: still fresh
    assert scene.fast(["token"]) is not None
    scene.clock.set(start + timedelta(seconds=LIFETIME - 59.75))  # exactly the margin left
    assert scene.fast(["token"]) is None
    scene.clock.set(start + timedelta(seconds=LIFETIME + 1))  # expired
    assert scene.fast(["token"]) is None
    # A short-lived token: the margin is half its lifetime.
    scene.clock.set(start)
    scene.cache("a", "tok-short", lifetime=40)
    scene.clock.set(start + timedelta(seconds=20))  # 20.25 s left of 40
    assert scene.fast(["token"]) == "tok-short\n"
    scene.clock.set(start + timedelta(seconds=20.5))
    assert scene.fast(["token"]) is None


def test_no_token_or_no_secret_is_left_to_the_command(scene: Scene) -> None:
    scene.vault.delete_token(scene.base_url, "cid-a")
    assert scene.fast(["token"]) is None
    assert scene.fast(["--profile", "b", "token"]) is not None
    scene.vault.delete_secret(scene.base_url, "cid-b")
    assert scene.fast(["--profile", "b", "token"]) is None


def test_an_unreadable_token_entry_is_left_to_the_command(
    scene: Scene, capsys: pytest.CaptureFixture[str]
) -> None:
    from onna_tui.storage.keyring.names import token_service_name, token_username

    for raw in ("{not json", '{"format": 1}', SECRET, "[" * 100_000):
        scene.backend.set_password(token_service_name(scene.base_url), token_username("cid-a"), raw)
        assert scene.fast(["token"]) is None
        assert scene.fast(["token", "--json"]) is None
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


def test_a_storage_opt_in_or_an_odd_config_is_left_to_the_command(scene: Scene) -> None:
    text = scene.path.read_text(encoding="utf-8")
    scene.path.write_text("allow_insecure_storage = true\n" + text, encoding="utf-8")
    assert scene.fast(["token"]) is None
    scene.path.write_text(text.replace("[profiles.b]", "[profiles.b]\nsecret = 'x'"), "utf-8")
    assert scene.fast(["token"]) is None
    scene.path.write_text(text + "\n[profiles.c]\n", encoding="utf-8")
    assert scene.fast(["token"]) is None
    scene.path.unlink()
    assert scene.fast(["token"]) is None


# ------------------------------------------------------- as people run it


WHICH_PATH = (
    "import sys\n"
    "from onna_tui.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "heavy = [m for m in ('pydantic', 'httpx', 'asyncio', 'textual') if m in sys.modules]\n"
    "sys.stderr.write('full' if heavy else 'fast')\n"
    "sys.exit(code)\n"
)


def _run(cli: Cli, *args: str, env: dict[str, str | None] | None = None) -> tuple[Any, str]:
    """One `onna-tui` process: its result, and which path answered: "fast" when it loaded
    none of pydantic, httpx, asyncio and textual, else "full"."""
    completed = subprocess.run(
        [sys.executable, "-c", WHICH_PATH, *args],
        capture_output=True,
        text=True,
        env=cli.full_env(env),
        cwd=str(REPO),
        timeout=60,
        check=False,
    )
    path = completed.stderr[-4:]
    assert SECRET not in completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr, completed.stderr
    return completed, path


def test_a_cached_token_is_answered_by_the_fast_path(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb").returncode == 0  # verified: its token is cached
    assert cli.add_profile("other").returncode == 0
    full = cli.run("token")
    for args in (["token"], ["--profile", "sb", "token"], ["token", "--profile=sb"]):
        completed, path = _run(cli, *args)
        assert (completed.returncode, path, completed.stdout) == (0, "fast", full.stdout)
    completed, path = _run(cli, "token", "--json")
    assert (completed.returncode, path) == (0, "fast")
    assert completed.stdout.startswith('{\n  "access_token": ' + f'"{full.stdout.strip()}"')
    assert admin.exchanges == 2  # the two verifications; nothing since


def test_the_full_path_runs_for_env_credentials_and_stale_tokens(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb").returncode == 0
    completed, path = _run(cli, "token", env={"ONNA_PROFILE": "sb"})
    assert (completed.returncode, path) == (0, "full")
    completed, path = _run(cli, "token", env=cli.env_credentials())
    assert (completed.returncode, path) == (0, "full")
    assert admin.exchanges == 2  # environment credentials mint their own
    admin.expire_tokens()
    _expire_cached_tokens(cli)
    completed, path = _run(cli, "token")
    assert (completed.returncode, path) == (0, "full")
    assert admin.exchanges == 3  # the expired token was replaced, once
    completed, path = _run(cli, "token")
    assert (completed.returncode, path) == (0, "fast")
    assert admin.exchanges == 3


def test_no_profile_or_no_keyring_is_reported_by_the_full_path(cli: Cli) -> None:
    completed, path = _run(cli, "token")
    assert (completed.returncode, path) == (2, "full")
    assert "onna-tui profile add NAME --client-id ID" in completed.stderr
    assert cli.add_profile("sb").returncode == 0
    completed, path = _run(
        cli, "token", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    )
    assert (completed.returncode, path) == (4, "full")


def _expire_cached_tokens(cli: Cli) -> None:
    """Make every cached token in the test keyring expired (an hour's wait, without the wait)."""
    import json

    store = json.loads(cli.keyring_file.read_text(encoding="utf-8"))
    for entries in store.values():
        for username, value in entries.items():
            if username.endswith("#token"):
                token = json.loads(value)
                token["expires_at"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
                entries[username] = json.dumps(token)
    cli.keyring_file.write_text(json.dumps(store), encoding="utf-8")
