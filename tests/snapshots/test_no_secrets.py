"""No SVG snapshot may contain a secret: the sandbox's demo secret, a token, or a test secret.

The seeded sandbox marks every secret and token it hands out with SECRET_MARK,
so one search covers them all. A positive control proves the search would
find a token that did reach the screen (the reveal action puts it there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from snapshot_support import SECRET_MARK, SNAPSHOTS

# The secrets of tests/conftest.py's sandbox client and of the snapshot forms.
KNOWN_SECRETS = ("test-secret-value-1234567890", "typed-secret-never-shown", "wrong-secret")


def snapshot_files() -> list[Path]:
    return sorted(SNAPSHOTS.rglob("*.svg"))


def test_there_are_snapshots_to_check() -> None:
    assert len(snapshot_files()) >= 20


def test_no_snapshot_contains_a_secret_or_a_token() -> None:
    for path in snapshot_files():
        svg = path.read_text(encoding="utf-8")
        assert SECRET_MARK not in svg, f"{path.name} shows a sandbox secret or token"
        for secret in KNOWN_SECRETS:
            assert secret not in svg, f"{path.name} shows {secret!r}"


async def settle(pilot: Any) -> None:
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_the_check_would_catch_a_revealed_token(sandbox_snapshot_app) -> None:
    app = sandbox_snapshot_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert SECRET_MARK not in app.export_screenshot()
        await pilot.press("v")
        assert SECRET_MARK in app.export_screenshot()
