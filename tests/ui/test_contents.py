"""The Contents dialog of a workspace: folders, uploads with progress, resume, delete — Pilot
against the in-process sandbox over HTTP, with local records in a temporary state dir."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from test_workspace_manage import open_on
from textual.widgets import Input, ProgressBar, Static, Tree
from ui_helpers import record_toasts, screen_text, settle, until

from onna_tui.sandbox.state import SandboxState
from onna_tui.tui.screens.contents import ContentsScreen
from onna_tui.tui.widgets.content_dialogs import (
    NamePromptScreen,
    UploadPickScreen,
    parse_paths,
    paths_problem,
)
from onna_tui.tui.widgets.type_to_confirm import TypeToConfirmScreen


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "state"
    monkeypatch.setenv("ONNA_TUI_STATE_DIR", str(directory))
    return directory


async def open_contents(pilot: Any, onna_id: str) -> ContentsScreen:
    await open_on(pilot, onna_id)
    await pilot.press("o")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ContentsScreen)
    return screen


def labels(screen: ContentsScreen) -> list[str]:
    tree = screen.query_one("#contents-tree", Tree)
    found: list[str] = []

    def walk(node: Any) -> None:
        for child in node.children:
            found.append(str(child.label))
            walk(child)

    walk(tree.root)
    return found


async def make_folder(pilot: Any, name: str) -> None:
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, NamePromptScreen)
    pilot.app.screen.query_one(Input).value = name
    await pilot.press("enter")
    await settle(pilot)


async def test_a_folder_and_an_upload_into_it_by_keys(
    app_factory, store, sandbox_state: SandboxState, tmp_path: Path
) -> None:
    ws = sandbox_state.create_workspace("Matter [b]7[/b]")
    data = tmp_path / "report.bin"
    data.write_bytes(os.urandom(300_000))
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_contents(pilot, ws.onna_id)
        assert "API cannot list" in screen_text(app)
        assert "Matter [b]7[/b]" in screen_text(app)  # a name is data, never markup
        await make_folder(pilot, "Inbox")
        assert any("Inbox" in label for label in labels(screen))
        tree = screen.query_one("#contents-tree", Tree)
        tree.focus()
        tree.move_cursor(tree.root.children[0])
        await settle(pilot)
        await pilot.press("u")
        # Not settle(): the picker's DirectoryTree keeps a loader worker running.
        await until(pilot, lambda: isinstance(app.screen, UploadPickScreen))
        picker = app.screen
        assert isinstance(picker, UploadPickScreen)
        assert "folder 'Inbox'" in screen_text(app)
        picker.query_one("#upload-path", Input).value = str(tmp_path / "missing")
        await pilot.press("enter")
        await pilot.pause()
        assert "does not exist" in str(picker.query_one("#upload-path-error", Static).render())
        picker.query_one("#upload-path", Input).value = str(data)
        await pilot.press("enter")
        await until(pilot, lambda: not screen.uploading and "Uploaded" in screen_text(app))
        [upload] = sandbox_state.contents.uploads.by_id.values()
        assert upload.sha256() == hashlib.sha256(data.read_bytes()).hexdigest()
        folder_id = tree.root.children[0].data.onna_id
        file_node = tree.root.children[0].children[0]
        assert file_node.data.parent_id == folder_id and "293.0 KiB" in str(file_node.label)


async def test_escape_stops_an_upload_and_r_resumes_it_without_resending(
    app_factory, store, sandbox_state: SandboxState, tmp_path: Path
) -> None:
    from onna_tui.sandbox.faults import Fault

    ws = sandbox_state.create_workspace("Slow")
    data = tmp_path / "big.bin"
    data.write_bytes(os.urandom(6 * 1024 * 1024))
    sandbox_state.add_fault(Fault(path="/upload", method="PATCH", latency=0.2, count=1000))
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contents(pilot, ws.onna_id)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, UploadPickScreen))
        app.screen.query_one("#upload-path", Input).value = str(data)
        await pilot.press("enter")

        def part_way() -> bool:
            uploads = list(sandbox_state.contents.uploads.by_id.values())
            return bool(uploads) and uploads[0].offset > 0

        await until(pilot, part_way)
        assert screen.query_one("#contents-progress", ProgressBar).display
        await pilot.press("escape")
        await until(pilot, lambda: not screen.uploading)
        assert isinstance(app.screen, ContentsScreen)  # Escape stopped it, did not close
        assert "r resumes it" in screen_text(app)
        [upload] = sandbox_state.contents.uploads.by_id.values()
        stored, received = upload.offset, upload.bytes_received
        assert 0 < stored < data.stat().st_size
        assert any("upload not finished" in label for label in labels(screen))

        sandbox_state.clear_faults()
        await pilot.press("r")
        await until(pilot, lambda: not screen.uploading and "Finished 1 upload" in screen_text(app))
        assert upload.sha256() == hashlib.sha256(data.read_bytes()).hexdigest()
        assert upload.bytes_received - received == data.stat().st_size - stored


async def test_deleting_a_folder_says_it_deletes_everything_inside(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Tidy")
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contents(pilot, ws.onna_id)
        toasts = record_toasts(app)
        await make_folder(pilot, "Old")
        tree = screen.query_one("#contents-tree", Tree)
        tree.focus()
        tree.move_cursor(tree.root.children[0])
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TypeToConfirmScreen)
        assert "Everything in it is deleted too" in screen_text(app)
        await pilot.press(*"Old", "enter")
        await settle(pilot)
        await until(pilot, lambda: sandbox_state.contents.counts()["folders"] == 0)
        await settle(pilot)
        assert "was deleted" in screen_text(app), screen_text(app)
        assert sandbox_state.contents.counts()["folders"] == 0
        assert labels(screen) == []
        assert not toasts.titles() or "Delete" not in toasts.titles()


async def test_several_files_picked_in_the_tree_upload_with_an_overall_bar(
    app_factory, store, sandbox_state: SandboxState, tmp_path: Path, monkeypatch
) -> None:
    from textual.widgets import DirectoryTree

    ws = sandbox_state.create_workspace("Batch")
    pick = tmp_path / "pick"
    pick.mkdir()
    first, second = pick / "a one.bin", pick / "b.bin"  # a name with a space is quoted
    first.write_bytes(os.urandom(200_000))
    second.write_bytes(os.urandom(300_000))
    monkeypatch.chdir(pick)
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contents(pilot, ws.onna_id)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, UploadPickScreen))
        picker = app.screen
        directory = picker.query_one(DirectoryTree)
        await until(pilot, lambda: len(directory.root.children) == 2)
        field = picker.query_one("#upload-path", Input)
        for line in (1, 2):  # pick each file in the tree by keys
            directory.focus()
            directory.cursor_line = line
            await pilot.press("enter")
            await until(pilot, lambda: field.has_focus)
        assert parse_paths(field.value) == [first, second]
        assert "2 files chosen" in screen_text(app)
        # Nothing selected after a pick: a key typed adds to the list, never replaces it.
        assert field.selection.is_empty and field.cursor_position == len(field.value)
        overall = screen.query_one("#contents-overall", ProgressBar)
        seen: list[tuple[str, bool, float]] = []
        say = screen._say

        def recording(text: Any) -> None:  # every status line, with the overall bar then
            seen.append((str(text), overall.display, overall.percentage or 0.0))
            say(text)

        monkeypatch.setattr(screen, "_say", recording)
        await pilot.press("enter")
        await until(pilot, lambda: not screen.uploading and "Uploaded" in screen_text(app))
        lines = [line for line, shown, _ in seen if shown]
        assert any(line.startswith("[1/2] a one.bin") for line in lines), seen
        assert any(line.startswith("[2/2] b.bin") and "all " in line for line in lines), seen
        percentages = [pct for _, shown, pct in seen if shown]
        assert percentages == sorted(percentages) and 0 < percentages[-1] <= 1
        assert "Uploaded 2 files" in screen_text(app)
        assert not screen.query_one("#contents-overall", ProgressBar).display
        digests = sorted(u.sha256() for u in sandbox_state.contents.uploads.by_id.values())
        expected = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second))
        assert digests == expected
        assert sum("KiB" in label for label in labels(screen)) == 2


async def test_escape_in_a_batch_says_which_files_were_not_started(
    app_factory, store, sandbox_state: SandboxState, tmp_path: Path
) -> None:
    from onna_tui.sandbox.faults import Fault

    ws = sandbox_state.create_workspace("Stop")
    big, later = tmp_path / "big.bin", tmp_path / "later.bin"
    big.write_bytes(os.urandom(6 * 1024 * 1024))
    later.write_bytes(b"x" * 10)
    sandbox_state.add_fault(Fault(path="/upload", method="PATCH", latency=0.2, count=1000))
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_contents(pilot, ws.onna_id)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, UploadPickScreen))
        app.screen.query_one("#upload-path", Input).value = f"{big} {later}"
        await pilot.press("enter")
        await until(
            pilot,
            lambda: any(u.offset > 0 for u in sandbox_state.contents.uploads.by_id.values()),
        )
        await pilot.press("escape")
        await until(pilot, lambda: not screen.uploading)
        text = str(screen.query_one("#contents-status", Static).render())
        assert "r resumes it" in text and "1 file after it was not started" in text
        assert len(sandbox_state.contents.uploads.by_id) == 1  # later.bin was never created


def test_paths_in_the_field_are_shell_words_unless_the_whole_text_is_one_path(
    tmp_path: Path,
) -> None:
    spaced = tmp_path / "with space.txt"
    spaced.write_text("x")
    other = tmp_path / "o.txt"
    other.write_text("y")
    assert parse_paths(f"  {spaced}  ") == [spaced]  # typed unquoted, still one file
    assert parse_paths(f"'{spaced}' {other} {other}") == [spaced, other]
    assert parse_paths("") == []
    paths, problem = paths_problem(f"{other} {tmp_path / 'gone'}")
    assert len(paths) == 2 and problem is not None and "does not exist" in problem
    assert "is not a file" in (paths_problem(str(tmp_path))[1] or "")


async def test_a_path_longer_than_the_field_stays_visible_while_typed(
    app_factory, store, sandbox_state: SandboxState, tmp_path: Path
) -> None:
    # A global horizontal-scrollbar rule once gave every Input a scrollbar that took its
    # only row, so a long value vanished as soon as the field scrolled.
    ws = sandbox_state.create_workspace("Long")
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_contents(pilot, ws.onna_id)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, UploadPickScreen))
        field = app.screen.query_one("#upload-path", Input)
        await pilot.press(*("/very/long/" * 10), *"tail-of-the-path.bin")
        await pilot.pause()
        assert field.scroll_x > 0  # it did scroll
        assert "tail-of-the-path.bin" in screen_text(app)
