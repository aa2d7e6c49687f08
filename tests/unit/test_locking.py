"""The cross-process locks (filelock underneath): exclusive, bounded, never a hang."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from onna_tui.storage.locks import LockBusy, ahold, hold, lock_path, mint_lock


async def test_mint_lock_lets_one_holder_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "mint.lock"
    inside = 0
    most = 0

    async def mint() -> bool:
        nonlocal inside, most
        async with mint_lock(path, wait=10) as held:
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)  # yield to the other tasks while holding
            inside -= 1
            return held

    results = await asyncio.gather(*(mint() for _ in range(5)))
    assert results == [True] * 5
    assert most == 1


async def test_mint_lock_gives_up_after_its_wait_and_yields_false(tmp_path: Path) -> None:
    path = tmp_path / "mint.lock"
    with hold(path, 1):  # another process minting, and taking too long
        async with mint_lock(path, wait=0.1) as held:
            assert held is False
    async with mint_lock(path, wait=0.1) as held:
        assert held is True


async def test_mint_lock_where_no_lock_can_be_made_yields_false(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    async with mint_lock(blocker / "mint.lock", wait=0.1) as held:
        assert held is False


async def test_mint_lock_does_not_block_the_event_loop_while_waiting(tmp_path: Path) -> None:
    path = tmp_path / "mint.lock"
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    try:
        with hold(path, 1):
            async with mint_lock(path, wait=0.3) as held:
                assert held is False
    finally:
        task.cancel()
    assert ticks >= 5


def test_hold_raises_lock_busy_after_its_wait(tmp_path: Path) -> None:
    path = tmp_path / "config.toml.lock"
    with hold(path, 1):
        with pytest.raises(LockBusy) as caught:
            with hold(path, 0.1):
                pass
    assert caught.value.path == path
    with hold(path, 0.1):
        pass


async def test_ahold_excludes_hold_and_vice_versa(tmp_path: Path) -> None:
    path = tmp_path / "config.toml.lock"
    async with ahold(path, 1):
        with pytest.raises(LockBusy):
            await asyncio.to_thread(lambda: hold(path, 0.1).__enter__())
    with hold(path, 1):
        with pytest.raises(LockBusy):
            async with ahold(path, 0.1):
                pass


def test_mint_lock_files_are_named_by_a_hash(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ONNA_TUI_LOCK_DIR", str(tmp_path))
    path = lock_path("https://api.onna.com/v1", "client-1")
    assert path.parent == tmp_path
    assert "client-1" not in path.name and path.name.startswith("mint-")
