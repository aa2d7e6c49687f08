"""Deterministic apps for the SVG snapshots.

Everything that could differ between two runs is pinned: a frozen ManualClock,
UTC for displayed times, no cursor blink or animations, the in-process sandbox
on a fixed base URL, and the sandbox's random values (ids, the demo secret,
tokens) from a seeded generator. Every generated secret and token starts with
SECRET_MARK, so a test can prove none of them reached an SVG.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from snapshot_support import SeededSecrets

from onna_tui.core.clock import ManualClock
from onna_tui.sandbox import randomness as sandbox_randomness
from onna_tui.storage.config_file import ConfigStore
from onna_tui.storage.keyring.backends import MemoryKeyring
from onna_tui.storage.keyring.vault import Vault
from onna_tui.tui.app import OnnaApp, make_app
from onna_tui.tui.sandbox_mode import start_sandbox
from onna_tui.tui.settings import AppSettings
from onna_tui.tui.store import ProfileStore


@pytest.fixture(autouse=True)
def seeded_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_randomness, "default_random", SeededSecrets(20260101))


@pytest.fixture
def snapshot_clock() -> ManualClock:
    return ManualClock()


AppFactory = Callable[..., OnnaApp]


@pytest.fixture
def sandbox_snapshot_app(snapshot_clock: ManualClock) -> AppFactory:
    """The app as `onna-tui --sandbox` shows it, frozen."""

    def build(**overrides: Any) -> OnnaApp:
        settings = AppSettings(
            clock=snapshot_clock,
            animations=False,
            display_tz=UTC,
            launch_sandbox=True,
            sandbox_starter=partial(start_sandbox, clock=snapshot_clock, in_process=True),
        )
        return make_app(settings, **overrides)

    return build


@pytest.fixture
def first_run_app(snapshot_clock: ManualClock, tmp_path: Path) -> AppFactory:
    """The app with no profile at all (the welcome screen)."""

    def build(**overrides: Any) -> OnnaApp:
        store = ProfileStore(
            ConfigStore(tmp_path / "config.toml", clock=snapshot_clock),
            Vault(MemoryKeyring()),
            env={},
            clock=snapshot_clock,
        )
        settings = AppSettings(
            clock=snapshot_clock,
            animations=False,
            display_tz=UTC,
            store=store,
            sandbox_starter=partial(start_sandbox, clock=snapshot_clock, in_process=True),
        )
        return make_app(settings, **overrides)

    return build
