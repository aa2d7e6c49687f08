"""config.toml: validation, atomic 0600 writes with a backup, and errors that name file and line."""

from __future__ import annotations

import os
import stat
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from onna_tui.api.errors import OnnaError
from onna_tui.core.clock import ManualClock
from onna_tui.core.errors import ConfigError
from onna_tui.core.profile_rules import validate_profile_name
from onna_tui.core.urls import DEFAULT_BASE_URL
from onna_tui.errors import ExitCode, OnnaTuiError
from onna_tui.storage.config_file import (
    Config,
    ConfigStore,
    Profile,
    ProfileNotFound,
    default_config_path,
)

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def store(tmp_path: Path, clock: ManualClock) -> ConfigStore:
    return ConfigStore(tmp_path / "onna-tui" / "config.toml", clock=clock)


def _profile(
    name: str = "prod",
    clock: ManualClock | None = None,
    *,
    client_id: str = "client-1",
    base_url: str | None = None,
    org: str | None = None,
) -> Profile:
    return Profile.new(name, client_id, base_url, org, clock=clock or ManualClock(T0))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ------------------------------------------------------------- names


@pytest.mark.parametrize("name", ["prod", "staging-eu", "a", "x" * 64, "my_profile.2", "A-1_b.c"])
def test_valid_profile_names(name: str) -> None:
    assert validate_profile_name(name) == name
    assert _profile(name).name == name


@pytest.mark.parametrize("name", ["", "x" * 65, "has space", "slash/name", "tab\t", "é", "a:b"])
def test_invalid_profile_names_say_the_rule(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_profile_name(name)
    assert "letters, digits, '-', '_' or '.'" in str(caught.value)
    assert "1 to 64" in str(caught.value)
    with pytest.raises(ConfigError):
        _profile(name)


def test_config_error_is_ours_but_not_an_http_error() -> None:
    assert issubclass(ConfigError, OnnaTuiError)
    assert not issubclass(ConfigError, OnnaError)
    assert ConfigError("x").exit_code == ExitCode.USAGE == 2


# ------------------------------------------------------------- values


def test_profile_defaults_and_normalization(clock: ManualClock) -> None:
    profile = Profile.new(
        "prod", client_id="  cid  ", org="https://enterprise.onna.com/acme/", clock=clock
    )
    assert profile.base_url == DEFAULT_BASE_URL
    assert profile.client_id == "cid"
    assert profile.org == "acme"
    assert profile.enterprise_url == "https://enterprise.onna.com/acme"
    assert profile.created_at == profile.updated_at == T0
    assert profile.secret_set_at is None
    assert profile.insecure_storage is False


@pytest.mark.parametrize("url", ["ftp://x", "api.onna.com", "https://", "https://x/v1?a=1", ""])
def test_bad_base_urls_are_refused(url: str, clock: ManualClock) -> None:
    with pytest.raises(ConfigError, match="base_url"):
        Profile.new("prod", client_id="cid", base_url=url or " ", clock=clock)


def test_base_url_trailing_slash_is_dropped(clock: ManualClock) -> None:
    profile = Profile.new(
        "p", client_id="cid", base_url="https://staging.example.com/v1/", clock=clock
    )
    assert profile.base_url == "https://staging.example.com/v1"


@pytest.mark.parametrize("client_id", ["", "   ", "has space", "x" * 257])
def test_bad_client_ids_are_refused(client_id: str, clock: ManualClock) -> None:
    with pytest.raises(ConfigError, match="client_id"):
        Profile.new("p", client_id=client_id, clock=clock)


def test_profile_has_no_secret_field() -> None:
    assert not any("secret" in name and name != "secret_set_at" for name in Profile.model_fields)


@pytest.mark.parametrize("key", ["client_secret", "secret", "access_token", "Token"])
def test_a_secret_cannot_sneak_in_as_an_extra_key(key: str, clock: ManualClock) -> None:
    profile = Profile.new("p", "cid", clock=clock)
    with pytest.raises(ConfigError, match="keyring"):
        profile.changed(clock, **{key: "hunter2"})
    with pytest.raises(ValueError, match="keyring"):
        Config.model_validate({key: "hunter2"})


def test_update_refuses_unknown_settings(store: ConfigStore) -> None:
    store.add(_profile())
    with pytest.raises(ConfigError, match="no setting named 'orgg'"):
        store.update("prod", orgg="x")


# ------------------------------------------------------------- location


def test_config_dir_override(tmp_path: Path) -> None:
    assert default_config_path({"ONNA_TUI_CONFIG_DIR": str(tmp_path)}) == tmp_path / "config.toml"
    default = default_config_path({})
    assert default.name == "config.toml" and "onna-tui" in str(default)


def test_store_uses_env_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONNA_TUI_CONFIG_DIR", str(tmp_path / "here"))
    assert ConfigStore().path == tmp_path / "here" / "config.toml"


# ------------------------------------------------------------- load / save


def test_missing_file_is_an_empty_config(store: ConfigStore) -> None:
    assert store.load() == Config()
    assert not store.exists()


def test_first_profile_becomes_default_and_round_trips(
    store: ConfigStore, clock: ManualClock
) -> None:
    profile = _profile("prod", clock, org="acme")
    store.add(profile)
    store.add(_profile("staging", clock, base_url="https://staging.example.com/v1"))
    config = store.load()
    assert config.default == "prod"
    assert config.profiles["prod"] == profile
    assert config.profiles["staging"].base_url == "https://staging.example.com/v1"
    data = tomllib.loads(store.path.read_text())
    assert data["default"] == "prod"
    assert data["allow_insecure_storage"] is False
    assert data["profiles"]["prod"]["created_at"] == T0
    assert "name" not in data["profiles"]["prod"]


def test_file_and_dir_modes(store: ConfigStore) -> None:
    store.add(_profile())
    assert _mode(store.path) == 0o600
    assert _mode(store.path.parent) == 0o700
    store.set_default("prod")
    assert _mode(store.path) == 0o600


def test_rewrite_keeps_a_backup_and_leaves_no_temp_files(store: ConfigStore) -> None:
    store.add(_profile("prod"))
    first = store.path.read_bytes()
    store.add(_profile("staging"))
    assert store.backup_path.read_bytes() == first
    assert _mode(store.backup_path) == 0o600
    # The lock file (empty, never a temp file) may stay between changes, depending on filelock.
    left = sorted(p.name for p in store.path.parent.iterdir() if p.name != "config.toml.lock")
    assert left == ["config.toml", "config.toml.bak"]


def test_failed_write_leaves_the_old_file_intact(
    store: ConfigStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add(_profile("prod"))
    before = store.path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(ConfigError, match="No space left") as caught:
        store.add(_profile("staging"))
    assert str(store.path) in str(caught.value)
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert not [p for p in store.path.parent.iterdir() if p.name.endswith(".tmp")]


def test_corrupt_file_names_file_and_line_and_is_not_overwritten(store: ConfigStore) -> None:
    store.path.parent.mkdir(parents=True)
    text = 'default = "prod"\n\n[profiles.prod]\nclient_id = "abc\n'
    store.path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        store.load()
    message = str(caught.value)
    assert str(store.path) in message
    assert "line 4" in message
    assert "text editor" in message  # says what to do
    with pytest.raises(ConfigError):
        store.add(_profile("other"))
    assert store.path.read_text() == text
    assert not store.backup_path.exists()


def test_invalid_profile_in_file_names_profile_and_line(store: ConfigStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(
        'default = "prod"\n\n[profiles.prod]\nbase_url = "https://api.onna.com/v1"\n'
        "created_at = 2026-01-01T00:00:00Z\nupdated_at = 2026-01-01T00:00:00Z\n"
    )
    with pytest.raises(ConfigError) as caught:
        store.load()
    message = str(caught.value)
    assert str(store.path) in message and "'prod'" in message
    assert "line 3" in message and "client_id" in message


def test_bad_profile_name_in_file_is_reported(store: ConfigStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(
        '[profiles."bad name"]\nclient_id = "x"\n'
        "created_at = 2026-01-01T00:00:00Z\nupdated_at = 2026-01-01T00:00:00Z\n"
    )
    with pytest.raises(ConfigError, match="not a valid profile name"):
        store.load()


def test_a_secret_typed_into_the_file_is_refused(store: ConfigStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(
        '[profiles.prod]\nclient_id = "x"\nclient_secret = "hunter2"\n'
        "created_at = 2026-01-01T00:00:00Z\nupdated_at = 2026-01-01T00:00:00Z\n"
    )
    with pytest.raises(ConfigError) as caught:
        store.load()
    assert "hunter2" not in str(caught.value)
    assert "set-secret prod" in str(caught.value)


def test_local_datetimes_are_taken_as_utc(store: ConfigStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(
        '[profiles.prod]\nclient_id = "x"\n'
        "created_at = 2026-01-01T00:00:00\nupdated_at = 2026-01-01T00:00:00\n"
    )
    assert store.load().profiles["prod"].created_at == datetime(2026, 1, 1, tzinfo=UTC)


# ------------------------------------------------------------- conveniences


def test_add_twice_is_an_error(store: ConfigStore) -> None:
    store.add(_profile())
    with pytest.raises(ConfigError, match="already exists"):
        store.add(_profile())


def test_get_unknown_says_what_to_run(store: ConfigStore) -> None:
    store.add(_profile("prod"))
    with pytest.raises(ProfileNotFound) as caught:
        store.get("nope")
    assert "onna-tui profile list" in str(caught.value)
    assert "prod" in str(caught.value)


def test_update_sets_updated_at(store: ConfigStore, clock: ManualClock) -> None:
    store.add(_profile("prod", clock))
    clock.advance(60)
    updated = store.update("prod", org="acme")
    assert updated.org == "acme"
    assert updated.updated_at == clock()
    assert updated.created_at == T0
    assert store.get("prod") == updated
    with pytest.raises(ConfigError, match="base_url"):
        store.update("prod", base_url="nope")
    with pytest.raises(ProfileNotFound):
        store.update("ghost", org="x")


def test_remove_and_default(store: ConfigStore) -> None:
    store.add(_profile("a"))
    store.add(_profile("b"))
    store.add(_profile("c"))
    store.set_default("b")
    store.remove("b")
    assert store.load().default is None  # two left: no guessing
    store.remove("c")
    assert store.load().default is None
    assert store.names() == ["a"]
    store.set_default("a")
    store.remove("a")
    assert store.load() == Config()
    with pytest.raises(ProfileNotFound):
        store.remove("a")
    with pytest.raises(ProfileNotFound):
        store.set_default("zzz")


def test_removing_the_default_with_one_left_picks_it(store: ConfigStore) -> None:
    store.add(_profile("a"))
    store.add(_profile("b"))
    store.remove("a")
    assert store.load().default == "b"


def test_put_adds_or_replaces(store: ConfigStore, clock: ManualClock) -> None:
    store.put(_profile("a", clock))
    clock.advance(5)
    replaced = store.get("a").changed(clock, secret_set_at=clock())
    store.put(replaced)
    assert store.get("a").secret_set_at == clock()
    assert store.load().default == "a"


def test_allow_insecure_storage_setting(store: ConfigStore) -> None:
    store.set_allow_insecure_storage(True)
    assert store.load().allow_insecure_storage is True
    assert "allow_insecure_storage = true" in store.path.read_text()


def test_unknown_keys_are_tolerated(store: ConfigStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(
        'theme = "dark"\n[profiles.prod]\nclient_id = "x"\nfuture_field = 1\n'
        "created_at = 2026-01-01T00:00:00Z\nupdated_at = 2026-01-01T00:00:00Z\n"
    )
    assert store.load().profiles["prod"].client_id == "x"
    store.update("prod", org="acme")  # a newer version's keys survive an older one's rewrite
    data = tomllib.loads(store.path.read_text())
    assert data["theme"] == "dark"
    assert data["profiles"]["prod"]["future_field"] == 1
    assert data["profiles"]["prod"]["org"] == "acme"


# ------------------------------------------------------------- the lock


def test_every_change_waits_for_the_lock_and_says_so_when_it_stays_busy(
    tmp_path: Path, clock: ManualClock
) -> None:
    from onna_tui.storage.config_file import ConfigStorageError
    from onna_tui.storage.locks import hold

    store = ConfigStore(tmp_path / "onna-tui" / "config.toml", clock=clock, lock_wait=0.2)
    store.add(_profile("prod"))
    before = store.path.read_bytes()
    changes = [
        lambda: store.add(_profile("other")),
        lambda: store.put(_profile("other")),
        lambda: store.update("prod", org="acme"),
        lambda: store.remove("prod"),
        lambda: store.set_default("prod"),
        lambda: store.set_allow_insecure_storage(True),
    ]
    with hold(store.lock_path, 5):  # another process in the middle of a change
        for change in changes:
            with pytest.raises(ConfigStorageError) as caught:
                change()
            assert caught.value.exit_code == 4
            assert "Another onna-tui process has been changing" in str(caught.value)
            assert str(store.path) in str(caught.value)
    assert store.path.read_bytes() == before
    store.update("prod", org="acme")  # free again


def test_threads_changing_the_file_at_once_lose_nothing(store: ConfigStore) -> None:
    import threading

    names = [f"p{i:02d}" for i in range(20)]
    start = threading.Barrier(len(names))

    failures: list[BaseException] = []

    def add(name: str) -> None:
        start.wait()
        try:
            store.add(_profile(name, client_id=f"client-{name}"))
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            failures.append(exc)

    threads = [threading.Thread(target=add, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert store.names() == names


async def test_the_async_lock_excludes_the_blocking_one(store: ConfigStore) -> None:
    import asyncio

    from onna_tui.storage.config_file import ConfigStorageError

    store.add(_profile("prod"))
    slow = ConfigStore(store.path, lock_wait=0.2)
    async with store.alocked():
        with pytest.raises(ConfigStorageError):
            await asyncio.to_thread(slow.set_default, "prod")
    await asyncio.to_thread(slow.set_default, "prod")


# ------------------------------------------------------------- keeping the file as written

HAND_WRITTEN = """\
# My onna-tui settings — edited by hand.
default = "prod"   # the one I use most
allow_insecure_storage = false

# Production: do not touch.
[profiles.prod]
base_url = "https://api.onna.com/v1"
client_id = "client-1"   # from the Platform API app
created_at = 2026-01-01T12:00:00Z
updated_at = 2026-01-01T12:00:00Z
"""


def test_rewrites_keep_comments_and_layout(store: ConfigStore, clock: ManualClock) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(HAND_WRITTEN)
    store.update("prod", org="acme")
    store.add(_profile("staging", clock, base_url="https://staging.example.com/v1"))
    text = store.path.read_text()
    for line in HAND_WRITTEN.splitlines():
        if not line.startswith("updated_at"):
            assert line in text.splitlines()
    assert 'org = "acme"' in text and "[profiles.staging]" in text
    assert store.load().profiles["prod"].org == "acme"
    assert store.backup_path.exists()
    store.remove("staging")
    assert "[profiles.staging]" not in store.path.read_text()
    assert "# Production: do not touch." in store.path.read_text()


def test_a_new_file_starts_with_the_no_secrets_header(store: ConfigStore) -> None:
    store.add(_profile("prod"))
    text = store.path.read_text()
    assert text.startswith("# onna-tui profiles. No secrets here")
    assert "[profiles.prod]" in text


def test_a_symlinked_config_stays_a_link_and_its_target_is_written(
    tmp_path: Path, clock: ManualClock
) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "onna-tui.toml"
    target.write_text(HAND_WRITTEN)
    link_dir = tmp_path / "config"
    link_dir.mkdir(mode=0o700)
    link = link_dir / "config.toml"
    link.symlink_to(target)
    store = ConfigStore(link, clock=clock)
    store.update("prod", org="acme")
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert 'org = "acme"' in target.read_text()
    assert "# Production: do not touch." in target.read_text()
    assert _mode(target) == 0o600
    # The temp file was made next to the target and renamed there: nothing else is left.
    assert sorted(p.name for p in dotfiles.iterdir()) == ["onna-tui.toml"]
    assert store.backup_path.read_text() == HAND_WRITTEN


CORRUPT_SHAPES = {
    "profiles-a-string": ('profiles = "x"\n', "'profiles' must be a table"),
    "profiles-an-array": ("profiles = [1, 2]\n", "'profiles' must be a table"),
    "profiles-array-of-tables": ("[[profiles]]\nname = 'x'\n", "'profiles' must be a table"),
    "profile-a-number": ("[profiles]\nprod = 3\n", "profile 'prod' must be a [profiles.NAME]"),
    "profile-a-string": ('[profiles]\nprod = "x"\n', "profile 'prod' must be"),
    "default-a-number": ("default = 1\n", "default"),
    "default-a-table": ("[default]\nx = 1\n", "default"),
    "insecure-an-array": ("allow_insecure_storage = [true]\n", "allow_insecure_storage"),
    "nested-arrays": ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nests tables or arrays"),
    "nested-tables": ("a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n", "nests tables"),
    "nested-below-recursion": ("a = " + "[" * 200 + "]" * 200 + "\n", "nests tables"),
    "binary": ("\x00\x01\x02garbage\xff", "not valid TOML"),
    "secret-in-a-string-profile": ('profiles = "client_secret"\n', "'profiles' must be"),
}


@pytest.mark.parametrize("text,expected", CORRUPT_SHAPES.values(), ids=CORRUPT_SHAPES.keys())
def test_corrupt_shapes_are_a_clear_config_error_and_never_overwritten(
    store: ConfigStore, text: str, expected: str
) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        store.load()
    message = str(caught.value)
    assert expected in message
    assert str(store.path) in message and "text editor" in message
    assert caught.value.exit_code == 2
    assert len(message) < 600
    with pytest.raises(ConfigError):
        store.add(_profile("other"))
    assert store.path.read_text() == text


def test_binary_and_oversized_files_are_a_clear_config_error(store: ConfigStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b"\xff\xfe\x00binary\x80")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        store.load()
    store.path.write_bytes(b"# padding\n" * 200_000)  # 2 MB of comments
    with pytest.raises(ConfigError, match="far more than a config file") as caught:
        store.load()
    assert str(store.path) in str(caught.value)
