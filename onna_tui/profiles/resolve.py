"""Which credentials a run uses: the profile, its overrides and its secret.

Between config.toml (storage.config_file), the keyring (storage.keyring) and
the environment, for the CLI and the TUI alike. ``resolve_profile`` /
``aresolve_profile`` pick the profile and find its secret. Precedence for the
profile: explicit ``--profile`` > ONNA_PROFILE > the default profile.
ONNA_CLIENT_ID, ONNA_CLIENT_SECRET and ONNA_BASE_URL override stored values and
are never written anywhere; with both ONNA_CLIENT_ID and ONNA_CLIENT_SECRET set
and no profile named, an ad-hoc "environment" profile is used (scripts and CI
need no config file at all).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import SecretStr

from onna_tui.api.cache import MemoryTokenCache, TokenCache
from onna_tui.core.errors import ConfigError
from onna_tui.core.tokens import Credentials
from onna_tui.core.urls import DEFAULT_BASE_URL
from onna_tui.profiles.environment import (  # re-exported: the names live there
    ENV_BASE_URL,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_EXEC_PROFILE,
    ENV_PROFILE,
)
from onna_tui.storage.config_file import (
    Config,
    ConfigStore,
    NoProfiles,
    Profile,
    normalize_base_url,
    profile_not_found,
)
from onna_tui.storage.keyring.backends import BackendInfo
from onna_tui.storage.keyring.token_cache import VaultTokenCache
from onna_tui.storage.keyring.vault import Vault

#: The name shown for credentials that come only from the environment.
ENVIRONMENT_PROFILE = "environment"

SecretSource = Literal["keyring", "environment", "memory"]


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
    exec_profile = _env(env, ENV_EXEC_PROFILE)
    if exec_profile and exec_profile != profile.name:
        # Inside `onna-tui exec` of another profile, ONNA_BASE_URL is that profile's, put
        # there for the program: it does not move this profile to another server.
        env_base = None
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
