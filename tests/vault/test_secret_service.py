"""The vault against a real freedesktop Secret Service (gnome-keyring), headless.

Tests marked ``secret_service`` run when a Secret Service answers on the
session bus; otherwise they skip, or fail when ONNA_TUI_REQUIRE_SECRET_SERVICE=1
(CI sets it so a broken setup cannot pass as "skipped"). To run them locally::

    export HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)"; chmod 700 "$XDG_RUNTIME_DIR"
    export PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring
    dbus-run-session -- sh -c 'printf %s pass | gnome-keyring-daemon --unlock \\
        --components=secrets >/dev/null; exec python -m pytest tests/vault -q'

Locking the keyring and killing the daemon happen on a *private* dbus-daemon +
gnome-keyring-daemon started by the test, never on the session's own.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from pydantic import SecretStr
from vault_helpers import SECRET, make_token

from onna_tui.core.clock import ManualClock
from onna_tui.profiles.manage import remove_profile, save_profile_secret
from onna_tui.profiles.resolve import resolve_profile
from onna_tui.storage.config_file import ConfigStore, Profile
from onna_tui.storage.keyring.entries import service_name, token_service_name
from onna_tui.storage.keyring.errors import KeyringLocked, NoKeyringBackend, VaultError
from onna_tui.storage.keyring.token_cache import VaultTokenCache
from onna_tui.storage.keyring.vault import Vault

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIRE = os.environ.get("ONNA_TUI_REQUIRE_SECRET_SERVICE") == "1"
#: Upper bound for a daemon to come up; polling stops as soon as it answers.
READY_WITHIN = 10.0


def _unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(
            f"ONNA_TUI_REQUIRE_SECRET_SERVICE=1 but there is no Secret Service on the session "
            f"bus: {reason}"
        )
    pytest.skip(f"no Secret Service on the session bus: {reason}")


def _bounded(fn: Callable[[], Any], timeout: float) -> Any:
    """Run ``fn`` in a daemon thread; raise TimeoutError if it does not finish in time."""
    box: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            box.append((True, fn()))
        except BaseException as exc:  # carried back to the test thread
            box.append((False, exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if not box:
        raise TimeoutError(f"no answer within {timeout:g} s")
    ok, value = box[0]
    if not ok:
        raise value
    return value


def _wait_until_ready(vault: Vault) -> None:
    """``gnome-keyring-daemon --unlock`` returns before the daemon is on the bus: poll, bounded."""
    deadline = time.monotonic() + READY_WITHIN
    probe_url = f"https://probe.invalid/{uuid.uuid4()}"
    pause = threading.Event()
    while True:
        try:
            vault.put_secret(probe_url, "probe", SecretStr("probe"))
            vault.forget_profile(probe_url, "probe")
            return
        except NoKeyringBackend:
            if time.monotonic() > deadline:
                raise
            pause.wait(0.05)


# ------------------------------------------------------- the session's own


@pytest.fixture(scope="module")
def secret_service() -> KeyringBackend:
    """The real Secret Service backend, or a skip (a failure under REQUIRE) saying why not."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        _unavailable("DBUS_SESSION_BUS_ADDRESS is unset")
    try:
        from keyring.backends import SecretService

        _bounded(lambda: SecretService.Keyring.priority, 5.0)
    except Exception as exc:
        _unavailable(f"{type(exc).__name__}: {exc}")
    backend = SecretService.Keyring()
    try:
        _wait_until_ready(Vault(backend, timeout=5.0))
    except VaultError as exc:
        _unavailable(f"{type(exc).__name__}: {exc}")
    return backend


@pytest.fixture
def real_vault(secret_service: KeyringBackend) -> Vault:
    return Vault(secret_service, timeout=5.0)


@pytest.fixture
def base_url(real_vault: Vault) -> Iterator[str]:
    """A base URL of its own per test, so nothing collides with real entries; cleaned up after."""
    url = f"https://secret-service-test.invalid/{uuid.uuid4()}"
    yield url
    for client_id in ("cid", "other"):
        real_vault.forget_profile(url, client_id)


def _secret_tool_search(service: str) -> str | None:
    if shutil.which("secret-tool") is None:
        return None
    result = subprocess.run(
        ["secret-tool", "search", "--all", "service", service],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return result.stdout + result.stderr


@pytest.mark.secret_service
def test_secret_round_trip_through_the_daemon(real_vault: Vault, base_url: str) -> None:
    assert real_vault.get_secret(base_url, "cid") is None
    real_vault.put_secret(base_url, "cid", SecretStr(SECRET))
    assert real_vault.get_secret(base_url, "cid") == SecretStr(SECRET)

    found = _secret_tool_search(service_name(base_url))
    if found is not None:
        # The daemon itself holds the item, with our service/username layout.
        assert f"attribute.service = {service_name(base_url)}" in found
        assert "attribute.username = cid" in found

    real_vault.delete_secret(base_url, "cid")
    assert real_vault.get_secret(base_url, "cid") is None
    found = _secret_tool_search(service_name(base_url))
    if found is not None:
        assert "attribute.username = cid" not in found


@pytest.mark.secret_service
async def test_token_cache_through_the_daemon(real_vault: Vault, base_url: str) -> None:
    clock = ManualClock()
    cache = VaultTokenCache(real_vault, base_url, "cid")
    assert await cache.load() is None
    token = make_token(clock)
    await cache.store(token)
    assert await cache.load() == token
    await cache.clear()
    assert await cache.load() is None


@pytest.mark.secret_service
def test_environments_do_not_collide_in_the_daemon(real_vault: Vault, base_url: str) -> None:
    other_url = base_url + "-other"
    try:
        real_vault.put_secret(base_url, "cid", SecretStr("one"))
        real_vault.put_secret(other_url, "cid", SecretStr("two"))
        assert real_vault.get_secret(base_url, "cid") == SecretStr("one")
        assert real_vault.get_secret(other_url, "cid") == SecretStr("two")
    finally:
        real_vault.forget_profile(other_url, "cid")


@pytest.mark.secret_service
def test_description_names_the_secret_service(real_vault: Vault) -> None:
    assert real_vault.backend_description().startswith("Secret Service")
    assert real_vault.backend_is_secure()


@pytest.mark.secret_service
async def test_config_file_never_contains_the_secret(
    real_vault: Vault, base_url: str, tmp_path: Path
) -> None:
    store = ConfigStore(tmp_path / "config.toml")
    profile = Profile.new("real", "cid", base_url=base_url)

    async def verify(credentials: object) -> object:
        return None

    await save_profile_secret(store, real_vault, profile, SecretStr(SECRET), verify)
    store.update("real", org="acme")  # a second write, so a backup exists too
    resolved = resolve_profile(store, real_vault, env={})
    assert resolved.credentials is not None
    assert resolved.credentials.client_secret.get_secret_value() == SECRET
    assert resolved.secret_source == "keyring"
    written = "".join(p.read_text() for p in tmp_path.iterdir() if p.is_file())
    assert "cid" in written and base_url in written
    assert SECRET not in written

    remove_profile(store, real_vault, "real")
    assert real_vault.get_secret(base_url, "cid") is None


# ---------------------------------------------------- a private daemon of our own

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={directory}</listen>
  <auth>EXTERNAL</auth>
  {servicedirs}
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@dataclass
class PrivateKeyring:
    """A dbus-daemon and a gnome-keyring-daemon that belong to one test."""

    env: dict[str, str]
    bus: subprocess.Popen[str]
    daemon: subprocess.Popen[str]

    @property
    def address(self) -> str:
        return self.env["DBUS_SESSION_BUS_ADDRESS"]

    def kill_daemon(self) -> None:
        self.daemon.kill()
        self.daemon.wait(10)


def _start_private_keyring(activation: bool) -> PrivateKeyring:
    for program in ("dbus-daemon", "gnome-keyring-daemon"):
        if shutil.which(program) is None:
            _unavailable(f"{program} is not installed")
    base = Path(tempfile.mkdtemp(prefix="onna-keyring-"))
    home, runtime = base / "home", base / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    config = base / "bus.conf"
    # Without activation a dead daemon stays dead; with it, dbus starts a fresh
    # (locked) one, as on a desktop. Either way the vault must report, not hang.
    config.write_text(
        BUS_CONFIG.format(
            directory=base,
            servicedirs="<standard_session_servicedirs/>" if activation else "",
        )
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
    }
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(runtime))
    bus = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert bus.stdout is not None
    address = _readline(bus, 10.0).strip()
    if not address:
        bus.kill()
        _unavailable("could not start a private dbus-daemon")
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert daemon.stdin is not None
    daemon.stdin.write("private-keyring-pass")
    daemon.stdin.close()
    return PrivateKeyring(env=env, bus=bus, daemon=daemon)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(10)


@pytest.fixture
def private_keyring(secret_service: KeyringBackend) -> Iterator[PrivateKeyring]:
    keyring = _start_private_keyring(activation=False)
    try:
        yield keyring
    finally:
        _stop(keyring.daemon)
        _stop(keyring.bus)


def _readline(process: subprocess.Popen[str], timeout: float) -> str:
    """One line of the process's stdout, or "" if none comes within ``timeout``."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return process.stdout.readline()


@pytest.mark.secret_service
def test_locked_keyring_gives_keyring_locked(
    private_keyring: PrivateKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This process talks to the private bus for this test only; the session's daemon is untouched.
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_keyring.address)
    from keyring.backends import SecretService

    vault = Vault(SecretService.Keyring(), timeout=5.0)
    _wait_until_ready(vault)
    vault.put_secret("https://locked.invalid/v1", "cid", SecretStr(SECRET))

    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        collection.lock()
        assert collection.is_locked()
    finally:
        connection.close()

    for call in (
        lambda: vault.get_secret("https://locked.invalid/v1", "cid"),
        lambda: vault.put_secret("https://locked.invalid/v1", "cid", SecretStr(SECRET)),
    ):
        with pytest.raises(KeyringLocked) as caught:
            call()
        assert "Unlock your login keyring" in str(caught.value)
        assert SECRET not in str(caught.value)
        assert caught.value.exit_code == 4


@pytest.mark.secret_service
def test_profile_add_with_a_locked_keyring_exits_4_before_any_exchange(
    private_keyring: PrivateKeyring,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sandbox_server: Any,
    sandbox_credentials: Any,
    admin: Any,
) -> None:
    """The real thing: gnome-keyring with its login collection locked. `profile add` used to
    mint a token first and only then find it could not store the secret."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_keyring.address)
    from keyring.backends import SecretService

    vault = Vault(SecretService.Keyring(), timeout=5.0)
    _wait_until_ready(vault)
    vault.put_secret("https://locked.invalid/v1", "cid", SecretStr(SECRET))  # makes the collection

    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        secretstorage.get_default_collection(connection).lock()
    finally:
        connection.close()

    env = _child_env(
        {
            **private_keyring.env,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
            "ONNA_TUI_CONFIG_DIR": str(tmp_path / "config"),
            "ONNA_TUI_LOCK_DIR": str(tmp_path / "locks"),
        }
    )
    result = subprocess.run(
        [
            sys.executable, "-m", "onna_tui", "profile", "add", "sb",
            "--client-id", sandbox_credentials.client_id, "--base-url", sandbox_server.base_url,
        ],
        input=sandbox_credentials.client_secret.get_secret_value(),
        capture_output=True, text=True, timeout=60, env=env, cwd=REPO_ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert "The keyring is locked" in result.stderr
    assert "Traceback" not in result.stderr
    assert sandbox_credentials.client_secret.get_secret_value() not in result.stderr
    assert admin.exchanges == 0
    assert not (tmp_path / "config" / "config.toml").exists()


# The child process: store, wait for the parent to kill the daemon, read again.
CHILD = """
import json, sys
from pydantic import SecretStr
from onna_tui.storage.keyring.vault import Vault
from onna_tui.storage.keyring.errors import VaultError, NoKeyringBackend

URL = "https://killed.invalid/v1"
vault = Vault(timeout=5.0)

def attempt(fn):
    try:
        value = fn()
        return {"ok": True, "value": None if value is None else "present"}
    except VaultError as exc:
        return {"ok": False, "error": type(exc).__name__, "message": str(exc),
                "exit_code": exc.exit_code, "is_vault_error": True}
    except BaseException as exc:
        return {"ok": False, "error": type(exc).__name__, "message": str(exc),
                "is_vault_error": False}

mode = sys.argv[1]
if mode == "before":
    import threading, time
    deadline = time.monotonic() + 10
    while True:  # the daemon may not be on the bus yet
        result = attempt(lambda: vault.put_secret(URL, "cid", SecretStr("child-secret")))
        if result["ok"] or result["error"] != "NoKeyringBackend" or time.monotonic() > deadline:
            break
        threading.Event().wait(0.05)
    print(json.dumps(result), flush=True)
    print(json.dumps(attempt(lambda: vault.get_secret(URL, "cid"))), flush=True)
    sys.stdin.readline()  # the parent kills the daemon, then says go
print(json.dumps(attempt(lambda: vault.get_secret(URL, "cid"))), flush=True)
"""


def _child_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(extra)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    return env


@pytest.mark.secret_service
@pytest.mark.parametrize("activation", [False, True], ids=["no-activation", "dbus-activation"])
def test_killed_daemon_gives_a_vault_error(
    secret_service: KeyringBackend, activation: bool
) -> None:
    keyring = _start_private_keyring(activation=activation)
    env = _child_env(
        {**keyring.env, "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"}
    )
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "before"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        stored = json.loads(_readline(child, 30) or "{}")
        assert stored.get("ok") is True, stored
        read = json.loads(_readline(child, 30) or "{}")
        assert read == {"ok": True, "value": "present"}

        keyring.kill_daemon()
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
        # A process that was already using the daemon ...
        after = json.loads(_readline(child, 30) or "{}")
        assert after.get("is_vault_error") is True, after
        assert after["exit_code"] == 4
        assert "child-secret" not in after["message"]
        assert child.wait(30) == 0

        # ... and a fresh one.
        fresh = subprocess.run(
            [sys.executable, "-c", CHILD, "after"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert fresh.returncode == 0, fresh.stderr
        result = json.loads(fresh.stdout.strip().splitlines()[-1])
        assert result.get("is_vault_error") is True, result
        if not activation:
            assert result["error"] == "NoKeyringBackend"
            assert "gnome-keyring" in result["message"]
    finally:
        _stop(child)
        _stop(keyring.daemon)
        _stop(keyring.bus)


# -------------------------------------------- no backend at all (needs no daemon)


def _run_child(env_changes: dict[str, str | None]) -> dict[str, Any]:
    env = dict(os.environ)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    result = subprocess.run(
        [sys.executable, "-c", CHILD, "after"],
        capture_output=True,
        text=True,
        env=_child_env(env),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def test_fail_backend_gives_no_keyring_backend() -> None:
    result = _run_child({"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result["error"] == "NoKeyringBackend", result
    assert result["exit_code"] == 4
    for hint in ("gnome-keyring", "KWallet", "PYTHON_KEYRING_BACKEND", "allow_insecure_storage"):
        assert hint in result["message"]


def test_secret_service_without_a_bus_gives_no_keyring_backend() -> None:
    result = _run_child(
        {
            "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
            "DBUS_SESSION_BUS_ADDRESS": None,
        }
    )
    assert result["error"] == "NoKeyringBackend", result
    assert "DBUS_SESSION_BUS_ADDRESS" in result["message"]


# ------------------------------------------- one token shared across processes

_USE_TOKEN = """
import asyncio, sys
from pydantic import SecretStr
from onna_tui.core.tokens import Credentials
from onna_tui.api.client import OnnaClient
from onna_tui.storage.keyring.vault import Vault
from onna_tui.storage.keyring.token_cache import VaultTokenCache

base_url, client_id = sys.argv[1], sys.argv[2]
secret = SecretStr(sys.stdin.read())

async def main() -> None:
    cache = VaultTokenCache(Vault(timeout=10.0), base_url, client_id)
    async with OnnaClient(base_url, Credentials(client_id=client_id, client_secret=secret),
                          token_cache=cache) as client:
        user = await client.current_user()
        print(client.require_tokens().exchanges, user.id)

asyncio.run(main())
"""


@pytest.mark.secret_service
def test_second_process_reuses_the_first_ones_token(
    secret_service: KeyringBackend, sandbox_server: Any, sandbox_credentials: Any
) -> None:
    import httpx

    real = Vault(secret_service, timeout=5.0)
    base = sandbox_server.base_url
    client_id = sandbox_credentials.client_id
    real.forget_profile(base, client_id)
    stats_url = f"{sandbox_server.root_url}/_sandbox/stats"
    before = httpx.get(stats_url).json()["token_exchanges"]
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"}
    try:
        runs = [
            subprocess.run(
                [sys.executable, "-c", _USE_TOKEN, base, client_id],
                input=sandbox_credentials.client_secret.get_secret_value(),
                capture_output=True,
                text=True,
                timeout=60,
                env=env,
                cwd=REPO_ROOT,
                check=False,
            )
            for _ in range(2)
        ]
        for run in runs:
            assert run.returncode == 0, run.stderr
        assert [run.stdout.split()[0] for run in runs] == ["1", "0"]
        assert httpx.get(stats_url).json()["token_exchanges"] - before == 1
        assert real.get_token(base, client_id) is not None
        raw = secret_service.get_password(token_service_name(base), f"{client_id}#token")
        assert raw and "access_token" in raw
        assert sandbox_credentials.client_secret.get_secret_value() not in raw
    finally:
        real.forget_profile(base, client_id)


# ----------------------------------------- the fast path of `onna-tui token`


@pytest.mark.secret_service
def test_the_secret_service_reads_agree_with_keyring(
    monkeypatch: pytest.MonkeyPatch,
    secret_service: KeyringBackend,
    real_vault: Vault,
    base_url: str,
) -> None:
    """Both entries on one connection and one session: the same values as get_password."""
    import keyring.core

    from onna_tui.storage.keyring.entries import decode_token, token_username
    from onna_tui.storage.keyring.quick import read_fresh_token

    monkeypatch.setattr(keyring.core, "_keyring_backend", secret_service)  # keyring's own choice
    clock = ManualClock()
    assert read_fresh_token(base_url, "cid", lambda token: True) is None  # nothing stored
    real_vault.put_token(base_url, "cid", make_token(clock, "tok\x1b[2J\u202eé"))
    assert read_fresh_token(base_url, "cid", lambda token: True) is None  # no secret yet
    real_vault.put_secret(base_url, "cid", SecretStr(SECRET))
    found = read_fresh_token(base_url, "cid", lambda token: True)
    raw = secret_service.get_password(token_service_name(base_url), token_username("cid"))
    full = decode_token(raw)
    assert found is not None and full is not None
    assert (found.access_token, found.expires_at) == (
        full.access_token.get_secret_value(),
        full.expires_at,
    )
    assert secret_service.get_password(service_name(base_url), "cid") == SECRET
    assert read_fresh_token(base_url, "cid", lambda token: False) is None
    real_vault.delete_secret(base_url, "cid")
    assert read_fresh_token(base_url, "cid", lambda token: True) is None


# ------------------------------------------- the TUI's start-up helper (tui.early)


def _early_child(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onna_tui.tui.early", *args],
        env=_child_env(env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.secret_service
def test_the_start_up_helper_prints_the_expiry_and_never_the_token(
    real_vault: Vault, base_url: str, tmp_path: Path
) -> None:
    """The child the TUI starts reads config.toml and the real keyring, and prints which
    profile's token expires when: no token, no secret, nothing for a dead token."""
    from datetime import UTC, datetime

    from onna_tui.tui.early import decode

    clock = ManualClock(datetime.now(UTC))
    ConfigStore(tmp_path / "config.toml", clock=clock).add(
        Profile.new("work", "cid", base_url=base_url, clock=clock)
    )
    real_vault.put_secret(base_url, "cid", SecretStr(SECRET))
    token = make_token(clock, "tok-early-VALUE-never-printed")
    real_vault.put_token(base_url, "cid", token)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ONNA_") or key.startswith("ONNA_TUI_REQUIRE")
    }
    env.update(
        ONNA_TUI_CONFIG_DIR=str(tmp_path),
        PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring",
    )

    for args in ((), ("--profile", "work")):
        done = _early_child(env, *args)
        assert done.returncode == 0, done.stderr
        assert "tok-early" not in done.stdout and SECRET not in done.stdout
        expiry = decode(done.stdout.strip())
        assert expiry is not None
        assert (expiry.profile, expiry.expires_at) == ("work", token.expires_at)

    # No answer when the full path might open something else, or there is nothing to show.
    assert _early_child(env, "--profile", "other").stdout == ""
    assert _early_child({**env, "ONNA_CLIENT_ID": "cid"}).stdout == ""
    real_vault.put_token(base_url, "cid", make_token(ManualClock(), "tok-early-expired"))
    assert _early_child(env).stdout == ""


@pytest.mark.secret_service
def test_the_start_up_read_never_asks_to_unlock_the_keyring(
    private_keyring: PrivateKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``prompt=False`` (the TUI's helper) a locked keyring is no answer, and nothing
    asks the person to unlock it (the TUI asks, once, when it opens the profile)."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_keyring.address)
    import keyring.core
    import secretstorage
    from keyring.backends import SecretService

    from onna_tui.storage.keyring.quick import read_fresh_token

    backend = SecretService.Keyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    vault = Vault(backend, timeout=5.0)
    _wait_until_ready(vault)
    url = "https://locked-early.invalid/v1"
    vault.put_secret(url, "cid", SecretStr(SECRET))
    vault.put_token(url, "cid", make_token(ManualClock(), "tok-locked-early"))
    assert read_fresh_token(url, "cid", lambda token: True, prompt=False) is not None

    connection = secretstorage.dbus_init()
    try:
        secretstorage.get_default_collection(connection).lock()
    finally:
        connection.close()
    asked: list[str] = []

    def unlock(self: Any, *args: Any, **kwargs: Any) -> bool:
        asked.append(type(self).__name__)
        return True  # "dismissed": still locked

    monkeypatch.setattr(secretstorage.Collection, "unlock", unlock)
    monkeypatch.setattr(secretstorage.Item, "unlock", unlock)
    assert read_fresh_token(url, "cid", lambda token: True, prompt=False) is None
    assert asked == []
    # The same read that may prompt does ask (so the check above could fail).
    assert read_fresh_token(url, "cid", lambda token: True) is None
    assert asked
