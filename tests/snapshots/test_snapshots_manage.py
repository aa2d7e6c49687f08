"""Snapshots of the workspace-management dialogs and panes at 80x24 and 120x40.

Regenerate with ``pytest tests/snapshots --snapshot-update`` and look at the SVGs
before committing.
"""

from __future__ import annotations

from typing import Any

import pytest
from snapshot_support import SIZES, quiet, settle, with_token

from onna_tui.tui.widgets.fields import FormField


async def demo(pilot: Any) -> Any:
    """Two custom fields on "Board minutes 2026", the list focused on it."""
    await with_token(pilot)
    state = pilot.app.sandbox.state
    board = state.create_workspace("Board minutes 2026", "Minutes and resolutions", ["board"])
    state.create_workspace("Supplier audit", "", ["audit", "2026"])
    matter = state.create_custom_field("Matter number", "keyword", "The firm's matter", True)
    due = state.create_custom_field("Review due", "date", "", False)
    state.create_custom_field("Custodian", "keyword", "Whose data this is", False)
    for field in (matter, due):
        state.enable_custom_field(board.onna_id, field.onna_id)
    state.set_custom_value(board.onna_id, matter.onna_id, "M-2026-0142")
    await pilot.press("f4")
    await settle(pilot)
    screen = pilot.app.screen
    table = screen.query_one("#ws-table")
    table.focus()
    table.move_cursor(row=table.get_row_index(board.onna_id), animate=False)
    await settle(pilot)
    return screen


@pytest.mark.parametrize("size", SIZES)
def test_workspace_details_with_custom_fields(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await demo(pilot)
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_workspace_value_editor(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        screen = await demo(pilot)
        screen.query_one("#ws-fields").focus()
        await pilot.press("enter")
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_workspace_filter(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await demo(pilot)
        await pilot.press("slash", *"au")
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_workspace_edit_dialog(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await demo(pilot)
        await pilot.press("e")
        await settle(pilot)
        dialog = pilot.app.screen
        dialog.query_one("#description-field", FormField).input.value = "Minutes and notes"
        dialog.query_one("#tags-field", FormField).input.value = "board, 2026"
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_workspace_edit_nothing_changed(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await demo(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_workspace_delete_dialog(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await demo(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press(*"Board min")
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_workspace_deleted(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await demo(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press(*"Board minutes 2026", "enter")
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_enable_field_picker(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await demo(pilot)
        await pilot.press("a")
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_create_custom_field_dialog(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        screen = await demo(pilot)
        screen.action_create_field()
        await settle(pilot)
        dialog = pilot.app.screen
        dialog.query_one("#name-field", FormField).input.value = "Jurisdiction"
        dialog.query_one("#description-field", FormField).input.value = "Where it is heard"
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)
