"""The screens' view of profiles and secrets: a thin async adapter over config, vault and profiles.

Screens never touch config.toml or the keyring themselves; they await these
methods inside workers. Every keyring call goes through the vault's async,
time-bounded API, so a locked keyring never freezes the UI, and config.toml is
read and written in a thread (an atomic write fsyncs), never on the event loop.
No textual here.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.profile_rules import DEFAULT_SECRET_MAX_AGE_DAYS

if TYPE_CHECKING:
    from pydantic import SecretStr

    from onna_tui.core.tokens import AccessToken, Credentials
    from onna_tui.profiles.resolve import ResolvedProfile
    from onna_tui.storage.config_file import ConfigStore, Profile
    from onna_tui.storage.keyring.vault import Vault

Verify = Callable[["Credentials"], Awaitable[object]]
T = TypeVar("T")


@dataclass(frozen=True)
class ProfileInfo:
    """One profile as the screens show it: never a secret, only where it lives."""

    name: str
    base_url: str
    client_id: str
    org: str | None
    is_default: bool
    #: When the client secret was stored (None: never stored).
    secret_set_at: datetime | None
    #: Where secrets live, in words ("Secret Service (gnome-keyring)", "in-memory (this run only)").
    secret_location: str
    #: config.toml's secret_max_age_days: an older secret is flagged for rotation (0: never).
    secret_max_age_days: int = DEFAULT_SECRET_MAX_AGE_DAYS
    #: After a save: what could not be done although the profile was saved (the old
    #: credentials' keyring entries not removed), as a sentence; None when all went well.
    problem: str | None = None


@dataclass(frozen=True)
class ProfileDraft:
    """What the credentials form asks to save. ``secret`` None keeps the stored secret."""

    name: str
    base_url: str
    client_id: str
    org: str | None
    secret: SecretStr | None
    #: The profile being edited (None when adding).
    editing: str | None = None


def secret_needed(
    old_base_url: str, old_client_id: str, new_base_url: str, new_client_id: str
) -> str | None:
    """Why an edit needs the client secret pasted again, or None when it does not.

    A stored secret is kept for one base URL and client id, and goes to a new host
    only when the person re-enters it: so a changed base URL or client id without a
    new secret is refused, with a sentence that says what to do.
    """
    url_changed = new_base_url.rstrip("/") != old_base_url.rstrip("/")
    id_changed = new_client_id != old_client_id
    if url_changed and id_changed:
        return (
            "The base URL and the client id changed: paste the client secret of that client "
            "id to save. A stored secret is only sent to the base URL it was stored for."
        )
    if url_changed:
        return (
            f"The base URL changed: paste the client secret again to use it with "
            f"{new_base_url}. A stored secret is only sent to the base URL it was stored for."
        )
    if id_changed:
        return (
            "The client id changed: paste the client secret of that client id to save "
            "(each client id has its own secret)."
        )
    return None


class ProfileStore:
    """Profiles from a ConfigStore, secrets and cached tokens from a Vault."""

    def __init__(
        self,
        config: ConfigStore,
        vault: Vault,
        *,
        env: Mapping[str, str] | None = None,
        clock: Clock = system_clock,
        label: str | None = None,
        base_url_override: str | None = None,
    ) -> None:
        self.config = config
        self.vault = vault
        #: The environment consulted for ONNA_* overrides; the sandbox passes {} to stay isolated.
        self.env = env
        self.clock = clock
        #: Shown next to the profile name in the status bar (e.g. "sandbox").
        self.label = label
        #: A base URL that replaces every profile's for this run (``--base-url``).
        self.base_url_override = base_url_override
        #: config.toml is changed in worker threads: one load-modify-save at a time.
        self._write_lock = threading.Lock()

    async def _write(self, change: Callable[..., T], *args: Any) -> T:
        """Run a config.toml change in a thread (it fsyncs), never two at once."""

        def locked() -> T:
            with self._write_lock:
                return change(*args)

        return await asyncio.to_thread(locked)

    def _env(self) -> Mapping[str, str]:
        return os.environ if self.env is None else self.env

    # -------------------------------------------------------------- reading

    def has_env_credentials(self) -> bool:
        """ONNA_CLIENT_ID and ONNA_CLIENT_SECRET are both set: usable with no profile at all."""
        env = self._env()
        return bool(
            env.get("ONNA_CLIENT_ID", "").strip() and env.get("ONNA_CLIENT_SECRET", "").strip()
        )

    async def secret_location(self) -> str:
        """Where secrets are kept, in words (never raises)."""
        from onna_tui.storage.keyring.errors import VaultError

        try:
            info = await self.vault.abackend_info()
        except VaultError:
            return "no keyring"
        return info.description

    async def list_profiles(self) -> list[ProfileInfo]:
        """Every profile in config.toml, sorted by name."""
        config = await asyncio.to_thread(self.config.load)
        location = await self.secret_location()
        return [
            _info(profile, config.default == name, location, config.secret_max_age_days)
            for name, profile in sorted(config.profiles.items())
        ]

    async def resolve(self, name: str | None) -> ResolvedProfile:
        """The profile to use (``name`` or the default) with its secret from the vault."""
        from onna_tui.profiles.resolve import aresolve_profile

        return await aresolve_profile(
            self.config, self.vault, name, self.base_url_override, env=self._env()
        )

    async def cached_token(self, profile: ProfileInfo) -> AccessToken | None:
        """A profile's cached token, for the credentials table (None when none or unreadable)."""
        from onna_tui.storage.keyring.errors import VaultError

        try:
            return await self.vault.aget_token(profile.base_url, profile.client_id)
        except VaultError:
            return None

    # -------------------------------------------------------------- writing

    async def save(self, draft: ProfileDraft, verify: Verify) -> ProfileInfo:
        """Verify-then-save: the credentials are exchanged for a token before anything is stored.

        Editing without a new secret only changes the non-secret settings, which
        is allowed only while the base URL and client id stay the same (the
        secret is stored under those two). When the old credentials' keyring
        entries cannot be removed afterwards, the save still stands: the returned
        ``problem`` says what was left (the same sentence as the CLI's).
        """
        from onna_tui.core.errors import ConfigError
        from onna_tui.profiles.manage import (
            aforget_replaced,
            old_secret_not_removed,
            save_profile_secret,
        )

        existing, profile = await self._drafted(draft)
        problem = None
        if draft.secret is None:
            if existing is None:
                raise ConfigError("Paste the client secret: a new profile needs one.")
            needed = secret_needed(
                existing.base_url, existing.client_id, profile.base_url, profile.client_id
            )
            if needed is not None:
                raise ConfigError(needed)
            saved = await self._write(self.config.put, profile)
        else:
            saved = await save_profile_secret(
                self.config, self.vault, profile, draft.secret, verify, clock=self.clock
            )
            if existing is not None and (existing.base_url, existing.client_id) != (
                saved.base_url,
                saved.client_id,
            ):
                failure = await aforget_replaced(self.config, self.vault, existing)
                problem = old_secret_not_removed(failure) if failure is not None else None
        config = await asyncio.to_thread(self.config.load)
        return _info(
            saved,
            config.default == saved.name,
            await self.secret_location(),
            config.secret_max_age_days,
            problem=problem,
        )

    async def _drafted(self, draft: ProfileDraft) -> tuple[Profile | None, Profile]:
        """The profile being edited (None when adding) and the profile the draft makes."""
        from onna_tui.core.errors import ConfigError
        from onna_tui.storage.config_file import Profile, profile_not_found

        config = await asyncio.to_thread(self.config.load)
        existing = config.profiles.get(draft.editing) if draft.editing else None
        if draft.editing and existing is None:
            raise profile_not_found(draft.editing, config)
        if existing is None and draft.name in config.profiles:
            raise ConfigError(
                f"A profile named {draft.name!r} already exists. Pick another name, or edit "
                "that profile instead."
            )
        if existing is None:
            return None, Profile.new(
                draft.name, draft.client_id, draft.base_url, draft.org, clock=self.clock
            )
        return existing, existing.changed(
            self.clock, base_url=draft.base_url, client_id=draft.client_id, org=draft.org
        )

    async def delete(self, name: str) -> None:
        """Remove the profile and its keyring entries (nothing is revoked at Onna)."""
        from onna_tui.profiles.manage import aremove_profile

        await aremove_profile(self.config, self.vault, name)

    async def set_default(self, name: str) -> None:
        await self._write(self.config.set_default, name)

    async def forget_token(self, profile: ProfileInfo) -> None:
        await self.vault.adelete_token(profile.base_url, profile.client_id)


def _info(
    profile: Any,
    is_default: bool,
    location: str,
    max_age_days: int = DEFAULT_SECRET_MAX_AGE_DAYS,
    *,
    problem: str | None = None,
) -> ProfileInfo:
    return ProfileInfo(
        name=profile.name,
        base_url=profile.base_url,
        client_id=profile.client_id,
        org=profile.org,
        is_default=is_default,
        secret_set_at=profile.secret_set_at,
        secret_location=location,
        secret_max_age_days=max_age_days,
        problem=problem,
    )


def default_store(clock: Clock = system_clock) -> ProfileStore:
    """The person's own config.toml and system keyring."""
    from onna_tui.storage.config_file import ConfigStore
    from onna_tui.storage.keyring.vault import Vault

    return ProfileStore(ConfigStore(clock=clock), Vault(), clock=clock)
