"""Which credentials a run uses, and changing them safely.

Glue between config.toml (storage.config_file), the keyring (storage.keyring) and
the environment, for the CLI and the TUI alike:

* ``resolve_profile`` / ``aresolve_profile`` pick the profile and find its
  secret. Precedence for the profile: explicit ``--profile`` > ONNA_PROFILE >
  the default profile. ONNA_CLIENT_ID, ONNA_CLIENT_SECRET and ONNA_BASE_URL
  override stored values and are never written anywhere; with both
  ONNA_CLIENT_ID and ONNA_CLIENT_SECRET set and no profile named, an ad-hoc
  "environment" profile is used (scripts and CI need no config file at all).
* ``save_profile_secret`` verifies new credentials before anything is stored.
* ``remove_profile`` removes a profile and its keyring entries.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import SecretStr

from onna_tui.api.cache import MemoryTokenCache, TokenCache
from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.errors import ConfigError
from onna_tui.core.tokens import AccessToken, Credentials
from onna_tui.core.urls import DEFAULT_BASE_URL
from onna_tui.storage.config_file import (
    Config,
    ConfigStore,
    NoProfiles,
    Profile,
    normalize_base_url,
    pop_profile,
    profile_exists,
    profile_not_found,
    put_profile,
)
from onna_tui.storage.keyring.backends import BackendInfo
from onna_tui.storage.keyring.errors import VaultError
from onna_tui.storage.keyring.token_cache import VaultTokenCache
from onna_tui.storage.keyring.vault import Vault

ENV_PROFILE = "ONNA_PROFILE"
ENV_CLIENT_ID = "ONNA_CLIENT_ID"
ENV_CLIENT_SECRET = "ONNA_CLIENT_SECRET"
ENV_BASE_URL = "ONNA_BASE_URL"
#: The name shown for credentials that come only from the environment.
ENVIRONMENT_PROFILE = "environment"

SecretSource = Literal["keyring", "environment", "memory"]
Verify = Callable[[Credentials], Awaitable[object]]


@dataclass(frozen=True)
class ResolvedProfile:
    """Everything a run needs to know about its credentials, and where they came from."""

    name: str
    base_url: str
    client_id: str
    org: str | None
    #: None when no secret was found (the caller says how to set one).
    credentials: Credentials | None
    #: Where the secret came from; None when there is none.
    secret_source: SecretSource | None
    #: Where the secret lives, in words ("Secret Service (gnome-keyring)", ...).
    storage_description: str
    #: The secret sits in a plaintext / non-recommended store (opted in).
    insecure: bool
    #: The stored profile; None for the ad-hoc environment profile.
    profile: Profile | None = None
    #: The environment variables that overrode stored values.
    overridden: tuple[str, ...] = field(default=())
    #: Plaintext / non-recommended keyrings may be used for this profile (opted in).
    insecure_allowed: bool = False

    def require_credentials(self) -> Credentials:
        """The credentials, or a ConfigError that says how to provide them."""
        if self.credentials is not None:
            return self.credentials
        raise ConfigError(
            f"No client secret is stored for profile {self.name!r} in {self.storage_description}. "
            f"Store one with `onna-tui profile set-secret {self.name}`, or set {ENV_CLIENT_SECRET}."
        )

    def token_cache(self, vault: Vault) -> TokenCache:
        """Where this run keeps its access token: the vault, except for environment credentials
        (which must leave nothing behind)."""
        if self.secret_source == "environment":
            return MemoryTokenCache()
        return VaultTokenCache(self._vault(vault), self.base_url, self.client_id)

    def _vault(self, vault: Vault) -> Vault:
        return vault.allowing_insecure(vault.allow_insecure or self.insecure_allowed)


def _env(env: Mapping[str, str], key: str) -> str | None:
    # An empty variable (`ONNA_PROFILE= cmd`) means unset, as most tools treat it.
    value = env.get(key, "").strip()
    return value or None


def _env_base_url(env: Mapping[str, str]) -> str | None:
    value = _env(env, ENV_BASE_URL)
    if value is None:
        return None
    try:
        return normalize_base_url(value)
    except ValueError as exc:
        raise ConfigError(f"{ENV_BASE_URL}: {exc}.") from None


@dataclass(frozen=True)
class _Plan:
    """The profile chosen and its overrides, before the keyring is asked anything."""

    name: str
    base_url: str
    client_id: str
    org: str | None
    env_secret: SecretStr | None
    profile: Profile | None
    insecure_allowed: bool
    overridden: tuple[str, ...]


def _plan(
    store: ConfigStore,
    name: str | None,
    base_url_override: str | None,
    env: Mapping[str, str],
) -> _Plan:
    env_id = _env(env, ENV_CLIENT_ID)
    env_secret_text = env.get(ENV_CLIENT_SECRET, "")  # secrets are not stripped: used as given
    env_secret = SecretStr(env_secret_text) if env_secret_text.strip() else None
    env_base = _env_base_url(env)
    try:
        override = normalize_base_url(base_url_override) if base_url_override else None
    except ValueError as exc:
        raise ConfigError(f"--base-url: {exc}.") from None
    chosen = name or _env(env, ENV_PROFILE)

    if chosen is None and env_id and env_secret is not None:
        # Scripts and CI: no config file needed (and a broken one does not get in the way).
        return _Plan(
            name=ENVIRONMENT_PROFILE,
            base_url=override or env_base or DEFAULT_BASE_URL,
            client_id=env_id,
            org=None,
            env_secret=env_secret,
            profile=None,
            insecure_allowed=False,
            overridden=(ENV_CLIENT_ID, ENV_CLIENT_SECRET) + ((ENV_BASE_URL,) if env_base else ()),
        )

    config = store.load()
    profile = _pick(config, chosen, env, store)
    overridden = []
    if env_id and env_id != profile.client_id:
        overridden.append(ENV_CLIENT_ID)
    if env_secret is not None:
        overridden.append(ENV_CLIENT_SECRET)
    if env_base and not override and env_base != profile.base_url:
        overridden.append(ENV_BASE_URL)
    return _Plan(
        name=profile.name,
        base_url=override or env_base or profile.base_url,
        client_id=env_id or profile.client_id,
        org=profile.org,
        env_secret=env_secret,
        profile=profile,
        insecure_allowed=profile.insecure_storage or config.allow_insecure_storage,
        overridden=tuple(overridden),
    )


def _pick(
    config: Config, chosen: str | None, env: Mapping[str, str], store: ConfigStore
) -> Profile:
    if chosen is not None:
        profile = config.profiles.get(chosen)
        if profile is None:
            raise profile_not_found(chosen, config)
        return profile
    if not config.profiles:
        half = [k for k in (ENV_CLIENT_ID, ENV_CLIENT_SECRET) if _env(env, k)]
        if half:
            missing = ENV_CLIENT_SECRET if half == [ENV_CLIENT_ID] else ENV_CLIENT_ID
            raise NoProfiles(
                f"{half[0]} is set but {missing} is not: set both to run without a profile, "
                "or add one with `onna-tui profile add NAME --client-id ID`."
            )
        raise NoProfiles(
            "No profiles yet: add one with `onna-tui profile add NAME --client-id ID`, "
            f"or set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}."
        )
    default = config.default_profile()
    if default is not None:
        return default
    if config.default:
        raise ConfigError(
            f"The default profile {config.default!r} named in {store.path} does not exist. "
            "Pick one with `onna-tui profile default NAME` (see `onna-tui profile list`)."
        )
    if len(config.profiles) == 1:
        return next(iter(config.profiles.values()))
    raise ConfigError(
        "Several profiles and no default: pass --profile NAME, set "
        f"{ENV_PROFILE}, or choose one with `onna-tui profile default NAME`."
    )


def _finish(
    plan: _Plan,
    vault: Vault,
    secret: SecretStr | None,
    info: BackendInfo | None,
) -> ResolvedProfile:
    credentials = (
        Credentials(client_id=plan.client_id, client_secret=secret) if secret is not None else None
    )
    if info is None:  # the secret came from the environment; the keyring was not asked
        return ResolvedProfile(
            name=plan.name,
            base_url=plan.base_url,
            client_id=plan.client_id,
            org=plan.org,
            credentials=credentials,
            secret_source="environment",
            storage_description=f"environment variable {ENV_CLIENT_SECRET}",
            insecure=False,
            profile=plan.profile,
            overridden=plan.overridden,
            insecure_allowed=plan.insecure_allowed,
        )
    source: SecretSource = "memory" if vault.is_memory else "keyring"
    return ResolvedProfile(
        name=plan.name,
        base_url=plan.base_url,
        client_id=plan.client_id,
        org=plan.org,
        credentials=credentials,
        secret_source=source if secret is not None else None,
        storage_description=info.description,
        insecure=not info.secure,
        profile=plan.profile,
        overridden=plan.overridden,
        insecure_allowed=plan.insecure_allowed,
    )


def resolve_profile(
    store: ConfigStore,
    vault: Vault,
    name: str | None = None,
    base_url_override: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ResolvedProfile:
    """Pick the profile for this run and find its secret (blocking, bounded by the vault timeout).

    Raises ConfigError (ProfileNotFound, NoProfiles) or VaultError, each with a
    message that says what to do. A missing secret is not an error here:
    ``credentials`` is None and ``require_credentials()`` explains.
    """
    plan = _plan(store, name, base_url_override, os.environ if env is None else env)
    if plan.env_secret is not None:
        return _finish(plan, vault, plan.env_secret, None)
    scoped = vault.allowing_insecure(vault.allow_insecure or plan.insecure_allowed)
    secret = scoped.get_secret(plan.base_url, plan.client_id)
    return _finish(plan, scoped, secret, scoped.backend_info())


async def aresolve_profile(
    store: ConfigStore,
    vault: Vault,
    name: str | None = None,
    base_url_override: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ResolvedProfile:
    """``resolve_profile`` for the TUI: the keyring is awaited, the event loop keeps running."""
    # config.toml is read in a thread: a slow home directory must not freeze the TUI.
    plan = await asyncio.to_thread(
        _plan, store, name, base_url_override, os.environ if env is None else env
    )
    if plan.env_secret is not None:
        return _finish(plan, vault, plan.env_secret, None)
    scoped = vault.allowing_insecure(vault.allow_insecure or plan.insecure_allowed)
    secret = await scoped.aget_secret(plan.base_url, plan.client_id)
    return _finish(plan, scoped, secret, await scoped.abackend_info())


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
    if not secret.get_secret_value().strip():
        raise ConfigError("The client secret is empty: paste the whole secret and try again.")
    # A broken config file stops us before any network call; read it off the event loop.
    config = await asyncio.to_thread(store.load)
    existed = profile.name in config.profiles
    scoped = vault.allowing_insecure(
        vault.allow_insecure or profile.insecure_storage or config.allow_insecure_storage
    )
    # Locked, refused, missing or hung keyring: find out now, before a token is minted.
    await scoped.aget_secret(profile.base_url, profile.client_id)
    credentials = Credentials(client_id=profile.client_id, client_secret=secret)
    proof = await verify(credentials) if verify is not None else None
    profile = profile.changed(clock, secret_set_at=clock())
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
    # The verifying exchange produced a token: keep it, so the next call does not mint
    # again. An unverified new secret may be new credentials: an old token must go.
    try:
        if isinstance(proof, AccessToken):
            await scoped.aput_token(profile.base_url, profile.client_id, proof)
        else:
            await scoped.adelete_token(profile.base_url, profile.client_id)
    except VaultError:
        pass  # the secret is saved; the token manager reports cache trouble when it meets it
    return profile


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


def _shares_credentials(config: Config, profile: Profile) -> bool:
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
    if _shares_credentials(config, profile):
        return None
    scoped = vault.allowing_insecure(
        vault.allow_insecure or profile.insecure_storage or config.allow_insecure_storage
    )
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
    if _shares_credentials(config, profile):
        return None
    scoped = vault.allowing_insecure(
        vault.allow_insecure or profile.insecure_storage or config.allow_insecure_storage
    )
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
