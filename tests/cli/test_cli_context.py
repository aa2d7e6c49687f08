"""`run(argv, make_context=...)`: the commands use the collaborators they are given.

Like gh's Factory: a test (or an embedding program) hands the command its own
config store, vault and clock, and nothing of the person's config.toml or
keyring is read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from onna_tui.cli.context import Context
from onna_tui.cli.runner import run
from onna_tui.core.clock import ManualClock
from onna_tui.storage.config_file import ConfigStore
from onna_tui.storage.config_model import Profile
from onna_tui.storage.keyring.backends import MemoryKeyring
from onna_tui.storage.keyring.vault import Vault


def test_commands_run_on_the_injected_store_vault_and_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The default context would read this (empty) place: nothing may appear there.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    clock = ManualClock()
    store = ConfigStore(tmp_path / "config.toml", clock=clock)
    vault = Vault(MemoryKeyring())
    for name in ("alpha", "beta"):
        profile = Profile.new(name, f"client-{name}", clock=clock)
        store.add(profile.changed(clock, secret_set_at=clock()))
    clock.advance(10 * 86400)
    made: list[Context] = []

    def make_context(args: argparse.Namespace) -> Context:
        made.append(Context(args, store=store, vault=vault, clock=clock))
        return made[-1]

    assert run(["profile", "default", "beta"], make_context=make_context) == 0
    assert store.load().default == "beta"
    capsys.readouterr()

    assert run(["profile", "list", "--json"], make_context=make_context) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(item["name"], item["default"]) for item in listed] == [
        ("alpha", False),
        ("beta", True),
    ]
    # Ten days on the injected clock, not the machine's: its clock made this age.
    assert {item["secret_age_days"] for item in listed} == {10}
    assert len(made) == 2 and all(ctx.store is store for ctx in made)
    assert not (tmp_path / "elsewhere").exists()
