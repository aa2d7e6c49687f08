"""Fixtures for the vault and profile tests: in-memory keyrings, a private config directory,
a frozen clock, and a keyring that hangs on purpose."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from vault_helpers import ONNA_ENV, SECRET, DictKeyring, HangingKeyring

from onna_tui.core.clock import ManualClock
from onna_tui.storage.config_file import ConfigStore
from onna_tui.storage.keyring.backends import MemoryKeyring
from onna_tui.storage.keyring.vault import Vault


@pytest.fixture(autouse=True)
def _no_onna_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own ONNA_* variables must not leak into these tests."""
    for name in ONNA_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def vault(memory_keyring: MemoryKeyring) -> Vault:
    return Vault(memory_keyring, timeout=5.0)


@pytest.fixture
def dict_keyring() -> DictKeyring:
    return DictKeyring()


@pytest.fixture
def dict_vault(dict_keyring: DictKeyring) -> Vault:
    return Vault(dict_keyring, timeout=5.0)


@pytest.fixture
def hanging_keyring() -> Iterator[HangingKeyring]:
    backend = HangingKeyring()
    yield backend
    backend.release.set()  # let the stuck worker thread finish


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC))


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "config"
    monkeypatch.setenv("ONNA_TUI_CONFIG_DIR", str(directory))
    return directory


@pytest.fixture
def store(config_dir: Path, clock: ManualClock) -> ConfigStore:
    return ConfigStore(config_dir / "config.toml", clock=clock)


@pytest.fixture
def secret() -> SecretStr:
    return SecretStr(SECRET)
