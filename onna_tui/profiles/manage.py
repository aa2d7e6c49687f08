"""Changing profiles safely: verify-then-save, and removing a profile with its secret.

* ``save_profile_secret`` verifies new credentials before anything is stored;
* ``stored_secret_may_follow`` is the rule for a profile whose base URL or
  client id changes;
* ``remove_profile`` / ``aremove_profile`` remove a profile and its keyring
  entries, keeping those another profile shares;
* ``forget_replaced`` / ``aforget_replaced`` drop the entries of credentials a
  profile no longer uses (after an update or a rotation), unless shared, and
  ``old_secret_not_removed`` is what both front ends say when that fails;
* ``scoped_vault`` is the insecure-storage opt-in of one profile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from pydantic import SecretStr

from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.errors import ConfigError
from onna_tui.core.tokens import AccessToken, Credentials
from onna_tui.storage.config_file import (
    Config,
    ConfigStore,
    Profile,
    pop_profile,
    profile_exists,
    profile_not_found,
    put_profile,
)
from onna_tui.storage.keyring.errors import VaultError
from onna_tui.storage.keyring.vault import Vault

Verify = Callable[[Credentials], Awaitable[object]]


def scoped_vault(vault: Vault, config: Config, profile: Profile) -> Vault:
    """``vault`` with the insecure-storage opt-in that applies to ``profile``: the vault's
    own, the profile's (``insecure_storage``) or config.toml's (``allow_insecure_storage``)."""
    allow = vault.allow_insecure or profile.insecure_storage or config.allow_insecure_storage
    return vault.allowing_insecure(allow)


async def save_profile_secret(
    store: ConfigStore,
    vault: Vault,
    profile: Profile,
    secret: SecretStr,
    verify: Verify | None,
    *,
    clock: Clock = system_clock,
    make_default: bool = False,
) -> Profile:
    """Verify the credentials, then store the secret and the profile; return the saved profile.

    The keyring is asked first (a bounded read of the entry about to be
    replaced), so a locked or refused keyring fails before any exchange. Then
    ``verify`` (a token exchange through the API layer) runs before the
    keyring or the config file is changed: if it raises, its exception
    propagates and nothing changes — the old secret stays.

    Storing happens under the config lock, after config.toml is read again: a
    profile that did not exist when this began must still not exist (two
    processes adding one name: the second is refused and changes nothing), one
    that did must still exist. If writing the profile fails after the secret
    was stored, the old secret is put back. ``make_default`` makes it the
    default profile in the same write.
    """
    existed, scoped = await _ready_to_save(store, vault, profile, secret)
    credentials = Credentials(client_id=profile.client_id, client_secret=secret)
    proof = await verify(credentials) if verify is not None else None
    profile = profile.changed(clock, secret_set_at=clock())
    await _store_locked(store, scoped, profile, secret, existed=existed, make_default=make_default)
    await _keep_proof(scoped, profile, proof)
    return profile


async def _ready_to_save(
    store: ConfigStore, vault: Vault, profile: Profile, secret: SecretStr
) -> tuple[bool, Vault]:
    """The checks before any exchange: whether the profile exists, and its scoped vault."""
    if not secret.get_secret_value().strip():
        raise ConfigError("The client secret is empty: paste the whole secret and try again.")
    # A broken config file stops us before any network call; read it off the event loop.
    config = await asyncio.to_thread(store.load)
    scoped = scoped_vault(vault, config, profile)
    # Locked, refused, missing or hung keyring: find out now, before a token is minted.
    await scoped.aget_secret(profile.base_url, profile.client_id)
    return profile.name in config.profiles, scoped


async def _store_locked(
    store: ConfigStore,
    scoped: Vault,
    profile: Profile,
    secret: SecretStr,
    *,
    existed: bool,
    make_default: bool,
) -> None:
    """The secret and the profile, under the config lock on a fresh read (see above)."""
    async with store.alocked():
        config = await asyncio.to_thread(store.load)
        if profile.name in config.profiles and not existed:
            raise profile_exists(profile.name)
        if existed and profile.name not in config.profiles:
            raise profile_not_found(profile.name, config)
        put_profile(config, profile)
        if make_default:
            config.default = profile.name
        previous = await scoped.aget_secret(profile.base_url, profile.client_id)
        await scoped.aput_secret(profile.base_url, profile.client_id, secret)
        try:
            await asyncio.to_thread(store.save, config)
        except BaseException:
            if previous is not None:
                await scoped.aput_secret(profile.base_url, profile.client_id, previous)
            else:
                await scoped.adelete_secret(profile.base_url, profile.client_id)
            raise


async def _keep_proof(scoped: Vault, profile: Profile, proof: object) -> None:
    """The verifying exchange produced a token: keep it, so the next call does not mint
    again. An unverified new secret may be new credentials: an old token must go."""
    try:
        if isinstance(proof, AccessToken):
            await scoped.aput_token(profile.base_url, profile.client_id, proof)
        else:
            await scoped.adelete_token(profile.base_url, profile.client_id)
    except VaultError:
        pass  # the secret is saved; the token manager reports cache trouble when it meets it


#: What either front end says when a changed base URL or client id needs the secret again.
SECRET_AGAIN = (
    "The base URL or client id changed, so paste the client secret again: it is stored for "
    "one base URL and client id, and is never sent to a new address unless you say so."
)


def stored_secret_may_follow(old: Profile, new: Profile, *, keep_secret: bool = False) -> bool:
    """The one rule, for the CLI and the TUI alike, for a profile whose base URL or client id
    changes: may the secret stored for ``old`` be used for ``new`` without being entered again?

    * Same base URL and client id: yes, nothing moves.
    * Another client id: no; a client id has its own secret (``keep_secret`` is refused).
    * Same client id at another base URL: only with ``keep_secret``, the person's explicit
      word that the stored secret may be sent to the new URL. Otherwise it is entered again,
      so a mistyped or hostile URL never receives a secret meant for another host.
    """
    if (old.base_url, old.client_id) == (new.base_url, new.client_id):
        return True
    if old.client_id != new.client_id:
        if keep_secret:
            raise ConfigError(
                "A new client id has a secret of its own, so the stored one cannot be kept: "
                "leave out --keep-secret and enter the new client's secret."
            )
        return False
    return keep_secret


def shares_credentials(config: Config, profile: Profile) -> bool:
    """Another profile uses the same keyring entries (same base URL and client id)."""
    return any(
        other.name != profile.name
        and other.base_url == profile.base_url
        and other.client_id == profile.client_id
        for other in config.profiles.values()
    )


def _forget_unless_shared(
    config: Config, vault: Vault, profile: Profile, force: bool
) -> VaultError | None:
    """Drop the profile's keyring entries unless another profile uses them (blocking)."""
    if shares_credentials(config, profile):
        return None
    scoped = scoped_vault(vault, config, profile)
    try:
        scoped.forget_profile(profile.base_url, profile.client_id)
    except VaultError as exc:
        if not force:
            raise
        return exc
    return None


async def _aforget_unless_shared(
    config: Config, vault: Vault, profile: Profile, force: bool
) -> VaultError | None:
    if shares_credentials(config, profile):
        return None
    scoped = scoped_vault(vault, config, profile)
    try:
        await scoped.aforget_profile(profile.base_url, profile.client_id)
    except VaultError as exc:
        if not force:
            raise
        return exc
    return None


def remove_profile(
    store: ConfigStore, vault: Vault, name: str, *, force: bool = False
) -> tuple[Profile, VaultError | None]:
    """Remove a profile: its secret and cached token from the keyring, then its config entry.

    When the keyring fails, the profile stays (so the command can be retried
    once the keyring is unlocked) unless ``force`` is set; then the entry is
    removed anyway and the keyring error is returned for the caller to report.
    Entries shared with another profile (same base URL and client id) are kept.
    All of it happens under the config lock, on a fresh read of config.toml, so
    a profile added meanwhile by another process is neither lost nor robbed of
    a secret it shares.
    """
    with store.locked():
        config = store.load()
        profile = pop_profile(config, name)
        problem = _forget_unless_shared(config, vault, profile, force)
        store.save(config)
    return profile, problem


async def aremove_profile(
    store: ConfigStore, vault: Vault, name: str, *, force: bool = False
) -> tuple[Profile, VaultError | None]:
    """``remove_profile`` for the TUI (the keyring is awaited)."""
    async with store.alocked():
        config = await asyncio.to_thread(store.load)
        profile = pop_profile(config, name)
        problem = await _aforget_unless_shared(config, vault, profile, force)
        await asyncio.to_thread(store.save, config)
    return profile, problem


def old_secret_not_removed(problem: VaultError) -> str:
    """What both front ends say when replaced credentials stay in the keyring."""
    return f"The old secret could not be removed from the keyring: {problem}"


def forget_replaced(store: ConfigStore, vault: Vault, old: Profile) -> VaultError | None:
    """After ``old``'s profile moved to other credentials (saved already): drop the keyring
    entries of the old ones, unless another profile still uses them. A keyring failure is
    returned, not raised: what was saved stays saved, and the caller says what was not
    removed (``old_secret_not_removed``)."""
    return _forget_unless_shared(store.load(), vault, old, force=True)


async def aforget_replaced(store: ConfigStore, vault: Vault, old: Profile) -> VaultError | None:
    """``forget_replaced`` for the TUI (the keyring is awaited, config.toml read in a thread)."""
    config = await asyncio.to_thread(store.load)
    return await _aforget_unless_shared(config, vault, old, force=True)
