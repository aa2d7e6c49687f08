"""Choosing a profile (flags, environment, default), verify-then-save, and removal."""

from __future__ import annotations

from pathlib import Path

import keyring.errors
import pytest
from pydantic import SecretStr
from vault_helpers import SECRET, DictKeyring, PlaintextishKeyring, RaisingKeyring, make_token

from onna_tui.api.cache import MemoryTokenCache
from onna_tui.api.errors import InvalidCredentials
from onna_tui.core.clock import ManualClock
from onna_tui.core.errors import ConfigError
from onna_tui.core.tokens import Credentials
from onna_tui.profiles.manage import aremove_profile, remove_profile, save_profile_secret
from onna_tui.profiles.resolve import ENVIRONMENT_PROFILE, aresolve_profile, resolve_profile
from onna_tui.storage.config_file import ConfigStore, NoProfiles, Profile, ProfileNotFound
from onna_tui.storage.keyring.backends import MemoryKeyring
from onna_tui.storage.keyring.errors import InsecureBackendRefused, KeyringLocked
from onna_tui.storage.keyring.token_cache import VaultTokenCache
from onna_tui.storage.keyring.vault import Vault

PROD = "https://api.onna.com/v1"
STAGING = "https://staging.example.com/v1"


def _add(
    store: ConfigStore, clock: ManualClock, name: str, client_id: str, **kw: object
) -> Profile:
    return store.add(Profile.new(name, client_id, clock=clock, **kw))  # type: ignore[arg-type]


def _all_files_text(directory: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in directory.rglob("*") if p.is_file())


# ---------------------------------------------------------------- resolving


def test_no_profiles_says_how_to_start(store: ConfigStore, vault: Vault) -> None:
    with pytest.raises(NoProfiles) as caught:
        resolve_profile(store, vault, env={})
    message = str(caught.value)
    assert "onna-tui profile add NAME --client-id ID" in message
    assert "ONNA_CLIENT_ID" in message and "ONNA_CLIENT_SECRET" in message


def test_unknown_profile_says_to_list(store: ConfigStore, vault: Vault, clock: ManualClock) -> None:
    _add(store, clock, "prod", "cid")
    with pytest.raises(ProfileNotFound, match="onna-tui profile list"):
        resolve_profile(store, vault, name="nope", env={})
    with pytest.raises(ProfileNotFound, match="'nope'"):
        resolve_profile(store, vault, env={"ONNA_PROFILE": "nope"})


def test_precedence_flag_then_env_then_default(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock
) -> None:
    _add(store, clock, "a", "id-a")
    _add(store, clock, "b", "id-b")
    _add(store, clock, "c", "id-c")
    assert resolve_profile(store, dict_vault, env={}).name == "a"
    assert resolve_profile(store, dict_vault, env={"ONNA_PROFILE": "b"}).name == "b"
    resolved = resolve_profile(store, dict_vault, name="c", env={"ONNA_PROFILE": "b"})
    assert (resolved.name, resolved.client_id) == ("c", "id-c")


def test_stored_secret_comes_from_the_keyring(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock
) -> None:
    _add(store, clock, "prod", "cid", org="acme")
    dict_vault.put_secret(PROD, "cid", SecretStr(SECRET))
    resolved = resolve_profile(store, dict_vault, env={})
    assert resolved.credentials == Credentials(client_id="cid", client_secret=SecretStr(SECRET))
    assert resolved.secret_source == "keyring"
    assert resolved.storage_description == "test dict keyring"
    assert resolved.insecure is False
    assert resolved.org == "acme"
    assert resolved.base_url == PROD
    assert isinstance(resolved.token_cache(dict_vault), VaultTokenCache)
    assert SECRET not in repr(resolved)


def test_memory_vault_is_reported_as_memory(
    store: ConfigStore, vault: Vault, clock: ManualClock
) -> None:
    _add(store, clock, "sandbox", "demo", base_url="http://127.0.0.1:8765/v1")
    vault.put_secret("http://127.0.0.1:8765/v1", "demo", SecretStr(SECRET))
    resolved = resolve_profile(store, vault, env={})
    assert resolved.secret_source == "memory"
    assert resolved.storage_description == "in-memory (this run only)"


def test_missing_secret_is_none_with_a_hint(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock
) -> None:
    _add(store, clock, "prod", "cid")
    resolved = resolve_profile(store, dict_vault, env={})
    assert resolved.credentials is None and resolved.secret_source is None
    with pytest.raises(ConfigError, match="onna-tui profile set-secret prod"):
        resolved.require_credentials()


def test_environment_pair_needs_no_config_and_no_keyring(store: ConfigStore) -> None:
    # The keyring would explode if asked, and a broken config file is not read.
    store.path.parent.mkdir(parents=True)
    store.path.write_text("this is [ not toml")
    untouchable = Vault(RaisingKeyring(lambda pw: AssertionError("keyring used")))
    env = {"ONNA_CLIENT_ID": "env-id", "ONNA_CLIENT_SECRET": SECRET}
    resolved = resolve_profile(store, untouchable, env=env)
    assert resolved.name == ENVIRONMENT_PROFILE
    assert resolved.base_url == PROD
    assert resolved.credentials == Credentials(client_id="env-id", client_secret=SecretStr(SECRET))
    assert resolved.secret_source == "environment"
    assert resolved.profile is None
    assert isinstance(resolved.token_cache(untouchable), MemoryTokenCache)
    with_url = resolve_profile(store, untouchable, env={**env, "ONNA_BASE_URL": STAGING + "/"})
    assert with_url.base_url == STAGING
    flag = resolve_profile(
        store,
        untouchable,
        base_url_override="http://127.0.0.1:9/v1",
        env={**env, "ONNA_BASE_URL": STAGING},
    )
    assert flag.base_url == "http://127.0.0.1:9/v1"


def test_environment_overrides_a_stored_profile_without_writing(
    store: ConfigStore, dict_keyring: DictKeyring, dict_vault: Vault, clock: ManualClock
) -> None:
    _add(store, clock, "prod", "cid")
    dict_vault.put_secret(PROD, "cid", SecretStr("stored-secret"))
    before = dict(dict_keyring.items)
    config_before = store.path.read_bytes()
    resolved = resolve_profile(
        store, dict_vault, name="prod", env={"ONNA_CLIENT_SECRET": SECRET, "ONNA_BASE_URL": STAGING}
    )
    assert resolved.name == "prod"
    assert resolved.client_id == "cid"
    assert resolved.base_url == STAGING
    assert resolved.credentials is not None
    assert resolved.credentials.client_secret.get_secret_value() == SECRET
    assert resolved.secret_source == "environment"
    assert set(resolved.overridden) == {"ONNA_CLIENT_SECRET", "ONNA_BASE_URL"}
    assert dict_keyring.items == before
    assert store.path.read_bytes() == config_before


def test_env_client_id_overrides_and_looks_up_its_own_secret(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock
) -> None:
    _add(store, clock, "prod", "cid")
    dict_vault.put_secret(PROD, "other-id", SecretStr("other-secret"))
    resolved = resolve_profile(store, dict_vault, env={"ONNA_CLIENT_ID": "other-id"})
    assert resolved.client_id == "other-id"
    assert resolved.credentials is not None
    assert resolved.credentials.client_secret.get_secret_value() == "other-secret"


def test_explicit_base_url_beats_env(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock
) -> None:
    _add(store, clock, "prod", "cid")
    resolved = resolve_profile(
        store,
        dict_vault,
        base_url_override="https://other.example/v1/",
        env={"ONNA_BASE_URL": STAGING},
    )
    assert resolved.base_url == "https://other.example/v1"


def test_half_an_environment_pair_is_explained(store: ConfigStore, vault: Vault) -> None:
    with pytest.raises(NoProfiles, match="ONNA_CLIENT_SECRET is not"):
        resolve_profile(store, vault, env={"ONNA_CLIENT_ID": "x"})
    with pytest.raises(NoProfiles, match="ONNA_CLIENT_ID is not"):
        resolve_profile(store, vault, env={"ONNA_CLIENT_SECRET": SECRET})


def test_bad_env_base_url_is_named(store: ConfigStore, vault: Vault) -> None:
    env = {"ONNA_CLIENT_ID": "x", "ONNA_CLIENT_SECRET": SECRET, "ONNA_BASE_URL": "nope"}
    with pytest.raises(ConfigError, match="ONNA_BASE_URL"):
        resolve_profile(store, vault, env=env)


def test_empty_env_values_count_as_unset(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock
) -> None:
    _add(store, clock, "prod", "cid")
    resolved = resolve_profile(
        store, dict_vault, env={"ONNA_PROFILE": "", "ONNA_CLIENT_ID": "", "ONNA_CLIENT_SECRET": ""}
    )
    assert resolved.name == "prod" and resolved.secret_source is None


def test_several_profiles_without_default(
    store: ConfigStore, vault: Vault, clock: ManualClock
) -> None:
    for name in ("a", "b", "c"):
        _add(store, clock, name, f"id-{name}")
    store.remove("a")  # the default goes; two remain and neither is guessed
    with pytest.raises(ConfigError, match="--profile NAME"):
        resolve_profile(store, vault, env={})


async def test_async_resolve(store: ConfigStore, dict_vault: Vault, clock: ManualClock) -> None:
    _add(store, clock, "prod", "cid")
    await dict_vault.aput_secret(PROD, "cid", SecretStr(SECRET))
    resolved = await aresolve_profile(store, dict_vault, env={})
    assert resolved.credentials is not None and resolved.secret_source == "keyring"
    env_resolved = await aresolve_profile(
        store, dict_vault, env={"ONNA_CLIENT_ID": "e", "ONNA_CLIENT_SECRET": "f"}
    )
    assert env_resolved.secret_source == "environment"


def test_keyring_failure_surfaces_as_vault_error(store: ConfigStore, clock: ManualClock) -> None:
    _add(store, clock, "prod", "cid")
    locked = Vault(RaisingKeyring(lambda pw: keyring.errors.KeyringLocked("locked")))
    with pytest.raises(KeyringLocked):
        resolve_profile(store, locked, env={})


# ---------------------------------------------------------- insecure opt-in


def test_insecure_backend_needs_opt_in(store: ConfigStore, clock: ManualClock) -> None:
    plaintext = Vault(PlaintextishKeyring())
    _add(store, clock, "prod", "cid")
    with pytest.raises(InsecureBackendRefused):
        resolve_profile(store, plaintext, env={})
    store.set_allow_insecure_storage(True)
    resolved = resolve_profile(store, plaintext, env={})
    assert resolved.insecure is True
    assert "not recommended" in resolved.storage_description


def test_profile_level_insecure_opt_in(store: ConfigStore, clock: ManualClock) -> None:
    plaintext = Vault(PlaintextishKeyring())
    _add(store, clock, "prod", "cid", insecure_storage=True)
    resolved = resolve_profile(store, plaintext, env={})
    assert resolved.insecure is True and resolved.insecure_allowed is True


# ------------------------------------------------------- verify, then save


async def test_save_verifies_first_then_stores(
    store: ConfigStore, dict_keyring: DictKeyring, dict_vault: Vault, clock: ManualClock
) -> None:
    profile = Profile.new("prod", "cid", org="acme", clock=clock)
    seen: list[Credentials] = []

    async def verify(credentials: Credentials) -> object:
        # Nothing is written before verification finishes.
        assert dict_keyring.items == {}
        assert not store.path.exists()
        seen.append(credentials)
        return object()

    clock.advance(30)
    saved = await save_profile_secret(
        store, dict_vault, profile, SecretStr(SECRET), verify, clock=clock
    )
    assert seen == [Credentials(client_id="cid", client_secret=SecretStr(SECRET))]
    assert saved.secret_set_at == clock()
    assert store.get("prod") == saved
    assert dict_vault.get_secret(PROD, "cid") == SecretStr(SECRET)


async def test_the_verifying_token_is_cached_and_an_unverified_secret_drops_it(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock
) -> None:
    profile = Profile.new("prod", "cid", clock=clock)
    proof = make_token(clock)

    async def verify(credentials: Credentials) -> object:
        return proof

    await save_profile_secret(store, dict_vault, profile, SecretStr(SECRET), verify, clock=clock)
    assert dict_vault.get_token(PROD, "cid") == proof  # the next call needs no exchange
    await save_profile_secret(store, dict_vault, profile, SecretStr("new-one"), None, clock=clock)
    assert dict_vault.get_token(PROD, "cid") is None  # may be other credentials now


async def test_failed_verification_changes_nothing(
    store: ConfigStore, dict_keyring: DictKeyring, dict_vault: Vault, clock: ManualClock
) -> None:
    old = Profile.new("prod", "cid", clock=clock)
    await save_profile_secret(store, dict_vault, old, SecretStr("old-secret"), None, clock=clock)
    config_before = store.path.read_bytes()
    keyring_before = dict(dict_keyring.items)

    async def refuse(credentials: Credentials) -> object:
        raise InvalidCredentials("The client id or secret was refused.")

    with pytest.raises(InvalidCredentials):
        await save_profile_secret(
            store, dict_vault, store.get("prod"), SecretStr(SECRET), refuse, clock=clock
        )
    assert store.path.read_bytes() == config_before
    assert dict_keyring.items == keyring_before
    assert dict_vault.get_secret(PROD, "cid") == SecretStr("old-secret")


async def test_config_write_failure_restores_the_old_secret(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await save_profile_secret(
        store, dict_vault, Profile.new("prod", "cid", clock=clock), SecretStr("old-secret"), None
    )

    def disk_full(config: object) -> None:
        raise ConfigError("Cannot write config.toml (No space left on device).")

    monkeypatch.setattr(store, "save", disk_full)
    with pytest.raises(ConfigError, match="No space"):
        await save_profile_secret(store, dict_vault, store.get("prod"), SecretStr(SECRET), None)
    assert dict_vault.get_secret(PROD, "cid") == SecretStr("old-secret")


async def test_config_write_failure_for_a_new_profile_leaves_no_secret(
    store: ConfigStore,
    dict_keyring: DictKeyring,
    dict_vault: Vault,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def disk_full(config: object) -> None:
        raise ConfigError("Cannot write config.toml.")

    monkeypatch.setattr(store, "save", disk_full)
    with pytest.raises(ConfigError):
        await save_profile_secret(
            store, dict_vault, Profile.new("new", "cid", clock=clock), SecretStr(SECRET), None
        )
    assert dict_keyring.items == {}


async def test_secret_is_never_written_to_the_config_file(
    store: ConfigStore, config_dir: Path, dict_vault: Vault, clock: ManualClock
) -> None:
    profile = Profile.new("prod", "cid", clock=clock)
    await save_profile_secret(store, dict_vault, profile, SecretStr(SECRET), None)
    await save_profile_secret(store, dict_vault, store.get("prod"), SecretStr(SECRET + "2"), None)
    store.update("prod", org="acme")
    assert store.backup_path.exists()
    text = _all_files_text(config_dir)
    assert "cid" in text  # the file really was read back
    assert SECRET not in text


async def test_empty_secret_is_refused(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock
) -> None:
    with pytest.raises(ConfigError, match="empty"):
        await save_profile_secret(
            store, dict_vault, Profile.new("p", "cid", clock=clock), SecretStr("  "), None
        )


async def test_save_respects_the_insecure_opt_in(store: ConfigStore, clock: ManualClock) -> None:
    plaintext = Vault(PlaintextishKeyring())
    with pytest.raises(InsecureBackendRefused):
        await save_profile_secret(
            store, plaintext, Profile.new("p", "cid", clock=clock), SecretStr(SECRET), None
        )
    assert not store.path.exists()
    saved = await save_profile_secret(
        store,
        plaintext,
        Profile.new("p", "cid", insecure_storage=True, clock=clock),
        SecretStr(SECRET),
        None,
    )
    assert saved.insecure_storage is True


# ------------------------------------------------------------------ removal


def test_remove_profile_clears_vault_and_config(
    store: ConfigStore, dict_keyring: DictKeyring, dict_vault: Vault, clock: ManualClock
) -> None:
    _add(store, clock, "prod", "cid")
    dict_vault.put_secret(PROD, "cid", SecretStr(SECRET))
    dict_vault.put_token(PROD, "cid", make_token(clock))
    removed, problem = remove_profile(store, dict_vault, "prod")
    assert removed.name == "prod" and problem is None
    assert dict_keyring.items == {}
    assert store.names() == []


def test_remove_keeps_entries_shared_with_another_profile(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock
) -> None:
    _add(store, clock, "prod", "cid")
    _add(store, clock, "prod-copy", "cid")
    dict_vault.put_secret(PROD, "cid", SecretStr(SECRET))
    remove_profile(store, dict_vault, "prod-copy")
    assert dict_vault.get_secret(PROD, "cid") == SecretStr(SECRET)


def test_remove_with_a_locked_keyring_keeps_the_profile_unless_forced(
    store: ConfigStore, clock: ManualClock
) -> None:
    _add(store, clock, "prod", "cid")
    locked = Vault(RaisingKeyring(lambda pw: keyring.errors.KeyringLocked("locked")))
    with pytest.raises(KeyringLocked):
        remove_profile(store, locked, "prod")
    assert store.names() == ["prod"]
    _, problem = remove_profile(store, locked, "prod", force=True)
    assert isinstance(problem, KeyringLocked)
    assert store.names() == []
    with pytest.raises(ProfileNotFound):
        remove_profile(store, locked, "prod")


async def test_async_remove(
    store: ConfigStore, vault: Vault, memory_keyring: MemoryKeyring, clock: ManualClock
) -> None:
    _add(store, clock, "prod", "cid")
    await vault.aput_secret(PROD, "cid", SecretStr(SECRET))
    _, problem = await aremove_profile(store, vault, "prod")
    assert problem is None
    assert await vault.aget_secret(PROD, "cid") is None
    assert store.names() == []


# ------------------------------------------------------------ hardening


async def test_a_locked_keyring_stops_save_before_the_verifying_exchange(
    store: ConfigStore, clock: ManualClock
) -> None:
    locked = Vault(
        RaisingKeyring(lambda _: keyring.errors.KeyringLocked("Failed to unlock the collection!"))
    )
    exchanges: list[Credentials] = []

    async def verify(credentials: Credentials) -> object:
        exchanges.append(credentials)
        return None

    with pytest.raises(KeyringLocked):
        await save_profile_secret(
            store, locked, Profile.new("prod", "cid", clock=clock), SecretStr(SECRET), verify
        )
    assert exchanges == []
    assert not store.exists()


async def test_a_name_added_elsewhere_meanwhile_is_not_replaced(
    store: ConfigStore, dict_keyring: DictKeyring, dict_vault: Vault, clock: ManualClock
) -> None:
    """Two processes add `prod` at once: the one that stores second is refused, and its
    secret does not replace the first one's."""

    async def the_other_process_adds_prod_meanwhile(credentials: Credentials) -> object:
        await save_profile_secret(
            store, dict_vault, Profile.new("prod", "cid-a", clock=clock), SecretStr("a"), None
        )
        return None

    with pytest.raises(ConfigError, match="already exists"):
        await save_profile_secret(
            store,
            dict_vault,
            Profile.new("prod", "cid-b", clock=clock),
            SecretStr("b"),
            the_other_process_adds_prod_meanwhile,
        )
    assert store.get("prod").client_id == "cid-a"
    assert dict_vault.get_secret(PROD, "cid-a") == SecretStr("a")
    assert dict_vault.get_secret(PROD, "cid-b") is None


async def test_a_profile_removed_meanwhile_is_not_brought_back(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock
) -> None:
    await save_profile_secret(
        store, dict_vault, Profile.new("prod", "cid", clock=clock), SecretStr("old"), None
    )

    async def removed_meanwhile(credentials: Credentials) -> object:
        remove_profile(store, dict_vault, "prod")
        return None

    with pytest.raises(ProfileNotFound):
        await save_profile_secret(
            store, dict_vault, store.get("prod"), SecretStr("new"), removed_meanwhile
        )
    assert store.names() == []
    assert dict_vault.get_secret(PROD, "cid") is None


async def test_make_default_is_part_of_the_same_write(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock
) -> None:
    _add(store, clock, "first", "cid-1")
    saved = await save_profile_secret(
        store,
        dict_vault,
        Profile.new("second", "cid-2", clock=clock),
        SecretStr(SECRET),
        None,
        clock=clock,
        make_default=True,
    )
    assert saved.secret_set_at == clock()
    assert store.load().default == "second"


def test_the_one_rule_for_a_secret_and_a_new_base_url(clock: ManualClock) -> None:
    from onna_tui.profiles.manage import stored_secret_may_follow

    old = Profile.new("prod", "cid", PROD, clock=clock)
    assert stored_secret_may_follow(old, old.changed(clock, org="acme")) is True
    moved = old.changed(clock, base_url=STAGING)
    assert stored_secret_may_follow(old, moved) is False
    assert stored_secret_may_follow(old, moved, keep_secret=True) is True
    other_client = old.changed(clock, client_id="cid-2")
    assert stored_secret_may_follow(old, other_client) is False
    with pytest.raises(ConfigError, match="secret of its own"):
        stored_secret_may_follow(old, other_client, keep_secret=True)


async def test_removing_one_profile_while_another_is_added_keeps_both_right(
    store: ConfigStore, dict_vault: Vault, clock: ManualClock
) -> None:
    await save_profile_secret(
        store, dict_vault, Profile.new("old", "cid-old", clock=clock), SecretStr("o"), None
    )

    async def removed_meanwhile(credentials: Credentials) -> object:
        await aremove_profile(store, dict_vault, "old")
        return None

    await save_profile_secret(
        store,
        dict_vault,
        Profile.new("new", "cid-new", clock=clock),
        SecretStr("n"),
        removed_meanwhile,
    )
    assert store.names() == ["new"]
    assert dict_vault.get_secret(PROD, "cid-new") == SecretStr("n")
    assert dict_vault.get_secret(PROD, "cid-old") is None
    assert store.load().default == "new"
