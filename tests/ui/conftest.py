"""Fixtures for the Pilot tests: the app on the in-process sandbox, a throw-away profile store.

The app, the sandbox and the token manager share one ManualClock
(``sandbox_clock``), so expiry is tested by advancing it, never by sleeping.
Profiles live in a temporary config.toml; secrets in the vault's MemoryKeyring.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import Credentials
from onna_tui.sandbox.state import SandboxState
from onna_tui.storage.config_file import ConfigStore, Profile
from onna_tui.storage.keyring.backends import MemoryKeyring
from onna_tui.storage.keyring.vault import Vault
from onna_tui.tui.app import OnnaApp, make_app
from onna_tui.tui.sandbox_mode import start_sandbox
from onna_tui.tui.settings import AppSettings
from onna_tui.tui.store import ProfileStore

PROFILE = "work"
ORG = "ACMECORP"


@pytest.fixture
def vault() -> Vault:
    return Vault(MemoryKeyring())


@pytest.fixture
def empty_store(tmp_path: Path, vault: Vault, sandbox_clock: ManualClock) -> ProfileStore:
    """No profiles at all: a first run."""
    config = ConfigStore(tmp_path / "config" / "config.toml", clock=sandbox_clock)
    return ProfileStore(config, vault, env={}, clock=sandbox_clock)


@pytest.fixture
def store(
    empty_store: ProfileStore,
    sandbox_credentials: Credentials,
    sandbox_asgi_base_url: str,
    sandbox_clock: ManualClock,
) -> ProfileStore:
    """One profile, ``work``, with the sandbox client's secret in the memory keyring."""
    profile = Profile.new(
        PROFILE, sandbox_credentials.client_id, sandbox_asgi_base_url, ORG, clock=sandbox_clock
    )
    empty_store.config.put(profile.changed(sandbox_clock, secret_set_at=sandbox_clock()))
    empty_store.vault.put_secret(
        sandbox_asgi_base_url, sandbox_credentials.client_id, sandbox_credentials.client_secret
    )
    return empty_store


AppFactory = Callable[..., OnnaApp]


@pytest.fixture
def app_factory(
    sandbox_clock: ManualClock, asgi_transport: httpx.ASGITransport, sandbox_state: SandboxState
) -> AppFactory:
    """Build the app through make_app, on the in-process sandbox; keyword args override."""

    def build(**overrides: Any) -> OnnaApp:
        settings = AppSettings(
            clock=sandbox_clock,
            transport=asgi_transport,
            animations=False,
            display_tz=UTC,
            sandbox_starter=partial(
                start_sandbox, clock=sandbox_clock, in_process=True, state=sandbox_state
            ),
        )
        return make_app(settings, **overrides)

    return build


OTHER = "other"
OTHER_USER = {"id": "second.user@example.com", "account_id": "acct-2", "name": "Second"}


@pytest.fixture
def two_profiles(
    store: ProfileStore,
    sandbox_state: SandboxState,
    sandbox_asgi_base_url: str,
    sandbox_clock: ManualClock,
) -> ProfileStore:
    """``store`` plus a second profile, ``other``, whose client belongs to another user."""
    creds = sandbox_state.add_client("other-client", "other-secret-value-0987", user=OTHER_USER)
    profile = Profile.new(OTHER, creds.client_id, sandbox_asgi_base_url, clock=sandbox_clock)
    store.config.put(profile.changed(sandbox_clock, secret_set_at=sandbox_clock()))
    store.vault.put_secret(sandbox_asgi_base_url, creds.client_id, creds.client_secret)
    return store
