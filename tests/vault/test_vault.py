"""The vault on in-memory and misbehaving backends: round trips, layout, bounds, error mapping."""

from __future__ import annotations

import json
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail, null
from pydantic import SecretStr
from vault_helpers import (
    SECRET,
    TOKEN_VALUE,
    DictKeyring,
    HangingKeyring,
    PlaintextishKeyring,
    RaisingKeyring,
    make_token,
)

from onna_tui.api.cache import TokenCache
from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import AccessToken, Credentials
from onna_tui.storage.keyring.backends import MemoryKeyring, classify_backend
from onna_tui.storage.keyring.entries import (
    decode_token,
    encode_token,
    service_name,
    token_service_name,
    token_username,
)
from onna_tui.storage.keyring.errors import (
    InsecureBackendRefused,
    KeyringAccessDenied,
    KeyringLocked,
    KeyringTimeout,
    NoKeyringBackend,
    VaultError,
)
from onna_tui.storage.keyring.token_cache import VaultTokenCache
from onna_tui.storage.keyring.vault import Vault

PROD = "https://api.onna.com/v1"
STAGING = "https://staging.example.com/v1"
CLIENT = "client-123"


# ------------------------------------------------------------ round trips


def test_secret_round_trip(vault: Vault) -> None:
    vault.put_secret(PROD, CLIENT, SecretStr(SECRET))
    got = vault.get_secret(PROD, CLIENT)
    assert got is not None and got.get_secret_value() == SECRET


def test_missing_items_read_as_none(vault: Vault) -> None:
    assert vault.get_secret(PROD, CLIENT) is None
    assert vault.get_token(PROD, CLIENT) is None


def test_deleting_missing_items_is_not_an_error(vault: Vault) -> None:
    vault.delete_secret(PROD, CLIENT)
    vault.delete_token(PROD, CLIENT)
    vault.forget_profile(PROD, CLIENT)


def test_put_replaces_and_delete_removes(vault: Vault) -> None:
    vault.put_secret(PROD, CLIENT, SecretStr("first"))
    vault.put_secret(PROD, CLIENT, SecretStr("second"))
    assert vault.get_secret(PROD, CLIENT) == SecretStr("second")
    vault.delete_secret(PROD, CLIENT)
    assert vault.get_secret(PROD, CLIENT) is None


def test_token_round_trip(vault: Vault, clock: ManualClock) -> None:
    token = make_token(clock)
    vault.put_token(PROD, CLIENT, token)
    got = vault.get_token(PROD, CLIENT)
    assert got == token
    assert got is not None and got.expires_at.tzinfo is not None


def test_layout_service_includes_base_url(
    memory_keyring: MemoryKeyring, clock: ManualClock
) -> None:
    vault = Vault(memory_keyring)
    vault.put_secret(PROD, CLIENT, SecretStr(SECRET))
    vault.put_token(PROD, CLIENT, make_token(clock))
    assert service_name(PROD) == "onna-tui:https://api.onna.com/v1"
    assert token_service_name(PROD) == "onna-tui-token:https://api.onna.com/v1"
    assert memory_keyring.get_password("onna-tui:https://api.onna.com/v1", CLIENT) == SECRET
    raw = memory_keyring.get_password("onna-tui-token:https://api.onna.com/v1", f"{CLIENT}#token")
    assert raw is not None and TOKEN_VALUE in raw
    assert token_username(CLIENT) == f"{CLIENT}#token"
    # Nothing else: the token is not also kept in the secret's service.
    assert memory_keyring.get_password(service_name(PROD), f"{CLIENT}#token") is None


def test_token_entry_never_holds_the_client_secret(
    memory_keyring: MemoryKeyring, clock: ManualClock
) -> None:
    vault = Vault(memory_keyring)
    vault.put_secret(PROD, CLIENT, SecretStr(SECRET))
    vault.put_token(PROD, CLIENT, make_token(clock))
    raw = memory_keyring.get_password(token_service_name(PROD), token_username(CLIENT))
    assert raw is not None
    assert SECRET not in raw
    assert set(json.loads(raw)) == {
        "format",
        "access_token",
        "token_type",
        "expires_in",
        "issued_at",
        "expires_at",
        "lifetime_assumed",
    }


def test_environments_do_not_collide(vault: Vault, clock: ManualClock) -> None:
    vault.put_secret(PROD, CLIENT, SecretStr("prod-secret"))
    vault.put_secret(STAGING, CLIENT, SecretStr("staging-secret"))
    vault.put_token(PROD, CLIENT, make_token(clock, "prod-token"))
    assert vault.get_secret(PROD, CLIENT) == SecretStr("prod-secret")
    assert vault.get_secret(STAGING, CLIENT) == SecretStr("staging-secret")
    assert vault.get_token(STAGING, CLIENT) is None
    vault.forget_profile(STAGING, CLIENT)
    assert vault.get_secret(PROD, CLIENT) == SecretStr("prod-secret")
    assert vault.get_token(PROD, CLIENT) is not None


def test_a_client_id_ending_in_token_never_shares_a_slot_with_a_token(
    memory_keyring: MemoryKeyring, clock: ManualClock
) -> None:
    """Profile `demo`'s cached token and the secret of client id `demo#token` are two entries:
    storing or removing either one leaves the other alone."""
    vault = Vault(memory_keyring)
    vault.put_secret(PROD, "demo", SecretStr("secret-of-demo"))
    vault.put_secret(PROD, "demo#token", SecretStr("secret-of-demo-token"))
    token = make_token(clock)
    vault.put_token(PROD, "demo", token)
    vault.put_secret(PROD, "demo#token", SecretStr("secret-of-demo-token"))  # adding again
    assert vault.get_token(PROD, "demo") == token
    assert vault.get_secret(PROD, "demo#token") == SecretStr("secret-of-demo-token")
    vault.put_token(PROD, "demo", make_token(clock, "another-token"))
    assert vault.get_secret(PROD, "demo#token") == SecretStr("secret-of-demo-token")

    vault.forget_profile(PROD, "demo")  # removing `demo` keeps the other client's secret
    assert vault.get_secret(PROD, "demo") is None and vault.get_token(PROD, "demo") is None
    assert vault.get_secret(PROD, "demo#token") == SecretStr("secret-of-demo-token")

    vault.put_token(PROD, "demo", token)
    vault.forget_profile(PROD, "demo#token")  # and removing `demo#token` keeps demo's token
    assert vault.get_token(PROD, "demo") == token
    vault.delete_token(PROD, "demo")
    assert memory_keyring.get_password(service_name(PROD), "demo#token") is None


def test_a_token_cached_under_the_old_key_is_a_miss_and_removed_only_if_a_token(
    memory_keyring: MemoryKeyring, clock: ManualClock
) -> None:
    old_key = (service_name(PROD), f"{CLIENT}#token")
    memory_keyring.set_password(*old_key, encode_token(make_token(clock)))
    vault = Vault(memory_keyring)
    assert vault.get_token(PROD, CLIENT) is None  # a miss: the next call mints
    vault.forget_profile(PROD, CLIENT)
    assert memory_keyring.get_password(*old_key) is None  # it held our token: gone

    # The same slot holding the secret of a client whose id ends in "#token" is kept.
    memory_keyring.set_password(*old_key, "secret-of-a-client-id-ending-in-token")
    vault.forget_profile(PROD, CLIENT)
    vault.delete_token(PROD, CLIENT)
    assert memory_keyring.get_password(*old_key) == "secret-of-a-client-id-ending-in-token"


def test_trailing_slash_is_the_same_environment(vault: Vault) -> None:
    vault.put_secret(PROD + "/", CLIENT, SecretStr(SECRET))
    assert vault.get_secret(PROD, CLIENT) == SecretStr(SECRET)


def test_forget_profile_removes_secret_and_token(vault: Vault, clock: ManualClock) -> None:
    vault.put_secret(PROD, CLIENT, SecretStr(SECRET))
    vault.put_token(PROD, CLIENT, make_token(clock))
    vault.put_secret(PROD, "other-client", SecretStr("other"))
    vault.forget_profile(PROD, CLIENT)
    assert vault.get_secret(PROD, CLIENT) is None
    assert vault.get_token(PROD, CLIENT) is None
    assert vault.get_secret(PROD, "other-client") == SecretStr("other")


def test_empty_secret_is_refused(vault: Vault) -> None:
    with pytest.raises(ValueError, match="empty"):
        vault.put_secret(PROD, CLIENT, SecretStr(""))


# ---------------------------------------------------------- garbled tokens


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[]",
        "{}",
        '{"format": 1}',
        '{"format": 99, "access_token": "x", "expires_in": 1,'
        ' "issued_at": "2026-01-01T00:00:00+00:00", "expires_at": "2026-01-01T01:00:00+00:00"}',
        '{"format": 1, "access_token": "x", "expires_in": 1,'
        ' "issued_at": "2026-01-01T00:00:00", "expires_at": "2026-01-01T01:00:00"}',
        '{"format": 1, "access_token": "", "expires_in": 1,'
        ' "issued_at": "2026-01-01T00:00:00+00:00", "expires_at": "2026-01-01T01:00:00+00:00"}',
        '{"format": 1, "access_token": "x", "expires_in": "soon",'
        ' "issued_at": "yesterday", "expires_at": null}',
        "\x00\xff garbage",
    ],
)
def test_garbled_token_entry_reads_as_none(memory_keyring: MemoryKeyring, raw: str) -> None:
    memory_keyring.set_password(token_service_name(PROD), token_username(CLIENT), raw)
    assert Vault(memory_keyring).get_token(PROD, CLIENT) is None


def test_encode_decode_are_inverse(clock: ManualClock) -> None:
    token = make_token(clock, lifetime=3599)
    assert decode_token(encode_token(token)) == token
    assert decode_token(None) is None


# ------------------------------------------------------------------ async


async def test_async_round_trips(vault: Vault, clock: ManualClock) -> None:
    await vault.aput_secret(PROD, CLIENT, SecretStr(SECRET))
    assert await vault.aget_secret(PROD, CLIENT) == SecretStr(SECRET)
    token = make_token(clock)
    await vault.aput_token(PROD, CLIENT, token)
    assert await vault.aget_token(PROD, CLIENT) == token
    await vault.adelete_token(PROD, CLIENT)
    assert await vault.aget_token(PROD, CLIENT) is None
    await vault.adelete_secret(PROD, CLIENT)
    assert await vault.aget_secret(PROD, CLIENT) is None
    await vault.aput_secret(PROD, CLIENT, SecretStr(SECRET))
    await vault.aforget_profile(PROD, CLIENT)
    assert await vault.aget_secret(PROD, CLIENT) is None
    await vault.acheck()


async def test_vault_token_cache(vault: Vault, clock: ManualClock) -> None:
    cache = VaultTokenCache(vault, PROD, CLIENT)
    assert isinstance(cache, TokenCache)
    assert await cache.load() is None
    token = make_token(clock)
    await cache.store(token)
    assert await cache.load() == token
    # Last writer wins.
    newer = make_token(clock, "newer-token")
    await VaultTokenCache(vault, PROD, CLIENT).store(newer)
    assert await cache.load() == newer
    await cache.clear()
    assert await cache.load() is None
    await cache.clear()


async def test_vault_token_cache_unreadable_entry_is_none(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(token_service_name(PROD), token_username(CLIENT), "{broken")
    assert await VaultTokenCache(Vault(memory_keyring), PROD, CLIENT).load() is None


# ------------------------------------------------------------------ reprs


def test_reprs_hold_no_secret(memory_keyring: MemoryKeyring, clock: ManualClock) -> None:
    vault = Vault(memory_keyring)
    token = make_token(clock)
    vault.put_secret(PROD, CLIENT, SecretStr(SECRET))
    vault.put_token(PROD, CLIENT, token)
    texts = [
        repr(vault),
        str(vault),
        repr(memory_keyring),
        repr(VaultTokenCache(vault, PROD, CLIENT)),
        repr(token),
        str(token),
        repr(Credentials(client_id=CLIENT, client_secret=SecretStr(SECRET))),
        repr(vault.get_secret(PROD, CLIENT)),
        vault.backend_description(),
    ]
    for text in texts:
        assert SECRET not in text
        assert TOKEN_VALUE not in text


# ----------------------------------------------------------------- timeout


def test_hanging_keyring_times_out(hanging_keyring: HangingKeyring) -> None:
    vault = Vault(hanging_keyring, timeout=0.2)
    with pytest.raises(KeyringTimeout) as caught:
        vault.get_secret(PROD, CLIENT)
    message = str(caught.value)
    assert "0.2 s" in message
    assert "password prompt" in message
    assert caught.value.exit_code == 4


def test_while_a_call_is_stuck_new_calls_fail_fast(hanging_keyring: HangingKeyring) -> None:
    vault = Vault(hanging_keyring, timeout=0.2)
    with pytest.raises(KeyringTimeout):
        vault.put_secret(PROD, CLIENT, SecretStr(SECRET))
    with pytest.raises(KeyringTimeout, match="earlier request"):
        vault.get_secret(PROD, CLIENT)
    # The opt-in copy shares the knowledge that the keyring is stuck.
    with pytest.raises(KeyringTimeout, match="earlier request"):
        vault.allowing_insecure().get_secret(PROD, CLIENT)


async def test_hanging_keyring_times_out_async(hanging_keyring: HangingKeyring) -> None:
    vault = Vault(hanging_keyring, timeout=0.2)
    with pytest.raises(KeyringTimeout, match=r"0\.2 s"):
        await vault.aget_secret(PROD, CLIENT)


async def test_hanging_token_cache_raises_timeout(hanging_keyring: HangingKeyring) -> None:
    cache = VaultTokenCache(Vault(hanging_keyring, timeout=0.2), PROD, CLIENT)
    with pytest.raises(KeyringTimeout):
        await cache.load()


def test_stuck_call_clears_once_the_keyring_answers(hanging_keyring: HangingKeyring) -> None:
    vault = Vault(hanging_keyring, timeout=0.2)
    with pytest.raises(KeyringTimeout):
        vault.get_secret(PROD, CLIENT)
    hanging_keyring.release.set()
    stuck = vault._shared.stuck
    assert stuck is not None
    stuck.join(5)  # a bound, not a wait for behaviour: the thread ends as soon as it is released
    assert vault.get_secret(PROD, CLIENT) is None


def test_hanging_backend_lookup_is_described_not_raised(
    hanging_keyring: HangingKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Finding the backend already talks to D-Bus; that too is bounded.
    def stuck_lookup() -> HangingKeyring:
        hanging_keyring.release.wait(30)
        return hanging_keyring

    monkeypatch.setattr(keyring, "get_keyring", stuck_lookup)
    vault = Vault(timeout=0.2)
    assert vault.backend_description() == "keyring not answering"
    assert vault.backend_is_secure() is False


# ------------------------------------------------------------ error mapping


class _FakeDBusError(Exception):
    """Shaped like jeepney's DBusErrorResponse: the D-Bus error name in ``.name``."""

    def __init__(self, name: str) -> None:
        super().__init__(f"[{name}] nope")
        self.name = name


def _locked_exception() -> BaseException:
    import secretstorage.exceptions

    return secretstorage.exceptions.LockedException("Collection is locked!")


def _init_error_with_cause(cause: BaseException, text: str) -> BaseException:
    error = keyring.errors.InitError(text)
    error.__cause__ = cause
    return error


def _not_available() -> BaseException:
    import secretstorage.exceptions

    return _init_error_with_cause(
        secretstorage.exceptions.SecretServiceNotAvailableException("gone"),
        "Failed to create the collection: gone.",
    )


CASES: list[tuple[str, Any, type[VaultError]]] = [
    (
        "no keyring",
        lambda pw: keyring.errors.NoKeyringError("No recommended backend"),
        NoKeyringBackend,
    ),
    ("locked", lambda pw: keyring.errors.KeyringLocked("Failed to unlock"), KeyringLocked),
    ("secretstorage locked", lambda pw: _locked_exception(), KeyringLocked),
    (
        "prompt dismissed",
        lambda pw: keyring.errors.InitError("Failed to create the collection: Prompt dismissed."),
        KeyringLocked,
    ),
    ("init error", lambda pw: keyring.errors.InitError("Failed somehow"), NoKeyringBackend),
    ("service gone", lambda pw: _not_available(), NoKeyringBackend),
    (
        "no bus",
        lambda pw: RuntimeError(
            "Unable to initialize SecretService: Environment variable "
            "DBUS_SESSION_BUS_ADDRESS is unset"
        ),
        NoKeyringBackend,
    ),
    ("bus refused", lambda pw: ConnectionRefusedError(111, "Connection refused"), NoKeyringBackend),
    (
        "dbus access denied",
        lambda pw: _FakeDBusError("org.freedesktop.DBus.Error.AccessDenied"),
        KeyringAccessDenied,
    ),
    ("set refused", lambda pw: keyring.errors.PasswordSetError("refused"), KeyringAccessDenied),
    (
        "delete refused",
        lambda pw: keyring.errors.PasswordDeleteError("refused"),
        KeyringAccessDenied,
    ),
    ("anything else", lambda pw: OSError("disk on fire"), VaultError),
]


@pytest.mark.parametrize(("label", "factory", "expected"), CASES, ids=[c[0] for c in CASES])
def test_backend_errors_map_to_vault_errors(
    label: str, factory: Any, expected: type[VaultError]
) -> None:
    vault = Vault(RaisingKeyring(factory), timeout=5.0)
    for call in (
        lambda: vault.get_secret(PROD, CLIENT),
        lambda: vault.put_secret(PROD, CLIENT, SecretStr(SECRET)),
    ):
        with pytest.raises(VaultError) as caught:
            call()
        error = caught.value
        assert type(error) is expected, (label, type(error), str(error))
        assert error.exit_code == 4
        assert error.title
        assert str(error).endswith(".")
        assert SECRET not in str(error) and SECRET not in repr(error)


def test_delete_refused_while_the_item_exists_is_access_denied() -> None:
    class Stubborn(DictKeyring):
        def delete_password(self, service: str, username: str) -> None:
            raise keyring.errors.PasswordDeleteError("not allowed")

    backend = Stubborn()
    vault = Vault(backend)
    vault.put_secret(PROD, CLIENT, SecretStr(SECRET))
    with pytest.raises(KeyringAccessDenied):
        vault.delete_secret(PROD, CLIENT)


def test_a_backend_echoing_the_secret_is_scrubbed() -> None:
    vault = Vault(RaisingKeyring(lambda pw: keyring.errors.PasswordSetError(f"cannot store {pw}")))
    with pytest.raises(KeyringAccessDenied) as caught:
        vault.put_secret(PROD, CLIENT, SecretStr(SECRET))
    assert SECRET not in str(caught.value)
    assert "•••" in str(caught.value)


async def test_async_errors_map_too() -> None:
    vault = Vault(RaisingKeyring(lambda pw: keyring.errors.KeyringLocked("locked")))
    with pytest.raises(KeyringLocked, match="Unlock your login keyring"):
        await vault.aget_secret(PROD, CLIENT)


def test_no_backend_message_says_how_to_get_one() -> None:
    vault = Vault(fail.Keyring())
    with pytest.raises(NoKeyringBackend) as caught:
        vault.get_secret(PROD, CLIENT)
    message = str(caught.value)
    for hint in ("gnome-keyring", "KWallet", "PYTHON_KEYRING_BACKEND", "allow_insecure_storage"):
        assert hint in message


# ------------------------------------------------------------------ policy


def test_fail_backend_is_no_keyring_even_with_opt_in() -> None:
    with pytest.raises(NoKeyringBackend):
        Vault(fail.Keyring(), allow_insecure=True).put_secret(PROD, CLIENT, SecretStr(SECRET))


def test_null_backend_needs_opt_in() -> None:
    with pytest.raises(InsecureBackendRefused) as caught:
        Vault(null.Keyring()).put_secret(PROD, CLIENT, SecretStr(SECRET))
    assert "allow_insecure_storage" in str(caught.value)
    assert caught.value.exit_code == 4
    Vault(null.Keyring(), allow_insecure=True).put_secret(PROD, CLIENT, SecretStr(SECRET))


def test_low_priority_backend_needs_opt_in() -> None:
    backend = PlaintextishKeyring()
    vault = Vault(backend)
    with pytest.raises(InsecureBackendRefused):
        vault.get_secret(PROD, CLIENT)
    assert backend.items == {}
    assert not vault.backend_is_secure()
    opted_in = vault.allowing_insecure()
    opted_in.put_secret(PROD, CLIENT, SecretStr(SECRET))
    assert opted_in.get_secret(PROD, CLIENT) == SecretStr(SECRET)
    assert "not recommended" in opted_in.backend_description()


def test_keyrings_alt_plaintext_is_described_as_insecure() -> None:
    # keyrings.alt is not installed here: a class with the same name stands in for it.
    fake = type("PlaintextKeyring", (DictKeyring,), {"__module__": "keyrings.alt.file"})
    info = classify_backend(fake())
    assert info.description == "plaintext file — insecure"
    assert info.secure is False


@pytest.mark.parametrize(
    ("qualname", "description"),
    [
        ("keyring.backends.SecretService.Keyring", "Secret Service"),
        ("keyring.backends.macOS.Keyring", "macOS Keychain"),
        ("keyring.backends.Windows.WinVaultKeyring", "Windows Credential Locker"),
        ("keyring.backends.kwallet.DBusKeyring", "KWallet"),
    ],
)
def test_known_backends_are_described(qualname: str, description: str) -> None:
    module, _, name = qualname.rpartition(".")
    fake = type(name, (DictKeyring,), {"__module__": module})
    info = classify_backend(fake())
    assert info.description == description
    assert info.secure is True


def test_descriptions_of_ours_and_of_none(memory_keyring: MemoryKeyring) -> None:
    assert Vault(memory_keyring).backend_description() == "in-memory (this run only)"
    assert Vault(memory_keyring).backend_is_secure() is True
    assert Vault(memory_keyring).is_memory
    assert Vault(fail.Keyring()).backend_description() == "no keyring"
    assert Vault(fail.Keyring()).backend_is_secure() is False
    assert Vault(DictKeyring()).backend_description() == "test dict keyring"


def test_memory_keyring_is_never_autodetected() -> None:
    # On a headless machine keyring must report "no keyring", not pick a store that forgets.
    assert MemoryKeyring.viable is False
    assert not any(isinstance(k, MemoryKeyring) for k in keyring.backend.get_all_keyring())


def test_default_vault_uses_keyrings_own_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = DictKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    vault = Vault()
    vault.put_secret(PROD, CLIENT, SecretStr(SECRET))
    assert backend.items[(service_name(PROD), CLIENT)] == SECRET
    assert "auto" not in repr(vault)


def test_access_token_type_is_reused(vault: Vault, clock: ManualClock) -> None:
    vault.put_token(PROD, CLIENT, make_token(clock))
    assert isinstance(vault.get_token(PROD, CLIENT), AccessToken)
