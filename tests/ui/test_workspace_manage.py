"""Managing workspaces on the Workspaces screen, against the in-process sandbox over HTTP:
edit, delete, custom fields, the filter and the sort, their keys and palette entries."""

from __future__ import annotations

from typing import Any

from textual.widgets import Button, DataTable, Footer, Input, OptionList
from ui_helpers import record_toasts, screen_text, settle, until

from onna_tui.core.clock import ManualClock
from onna_tui.sandbox.state import SandboxState
from onna_tui.tui.screens.workspaces import WorkspacesScreen
from onna_tui.tui.widgets.custom_field_dialogs import CreateCustomFieldScreen, PickFieldScreen
from onna_tui.tui.widgets.fields import FormField
from onna_tui.tui.widgets.type_to_confirm import TypeToConfirmScreen
from onna_tui.tui.widgets.workspace_details import WorkspaceDetails
from onna_tui.tui.widgets.workspace_edit import WorkspaceEditScreen


def route_count(state: SandboxState, route: str) -> int:
    return int(state.stats()["by_route"].get(route, 0))


PATCH_WS = "PATCH /v1/workspaces/{onna_id}"
DELETE_WS = "DELETE /v1/workspaces/{onna_id}"


async def open_on(pilot: Any, onna_id: str) -> WorkspacesScreen:
    """The Workspaces screen with the list focused and its cursor on ``onna_id``."""
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WorkspacesScreen)
    table = screen.query_one("#ws-table", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(onna_id))
    await settle(pilot)
    assert screen.selected_id == onna_id
    return screen


def field(screen: Any, name: str) -> FormField:
    return screen.query_one(f"#{name}-field", FormField)


def footer_keys(screen: Any) -> list[str]:
    footer = screen.query_one(Footer)
    return [str(key.key) for key in footer.query("FooterKey")]


# ------------------------------------------------------------------ edit


async def test_edit_is_prefilled_previews_the_patch_and_saves_only_what_changed(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Board", "Minutes", ["board", "2026"])
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        toasts = record_toasts(app)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, WorkspaceEditScreen)
        assert (field(dialog, "name").value, field(dialog, "description").value) == (
            "Board",
            "Minutes",
        )
        assert field(dialog, "tags").value == "board, 2026"
        assert '"name"' not in dialog.curl_text  # nothing changed yet: an empty body
        field(dialog, "description").input.value = "Minutes and notes"
        await pilot.pause()
        curl = dialog.curl_text
        assert f"curl --request PATCH 'http://127.0.0.1/v1/workspaces/{ws.onna_id}'" in curl
        assert '"description": "Minutes and notes"' in curl
        assert '"name"' not in curl and '"tags"' not in curl
        assert "Bearer <redacted>" in curl
        assert "Minutes and notes" in screen_text(app)  # the preview is on screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen  # closed once saved
        record = sandbox_state.get_workspace(ws.onna_id)
        assert record is not None
        assert (record.name, record.description, record.tags) == (
            "Board",
            "Minutes and notes",
            ["board", "2026"],
        )
        assert route_count(sandbox_state, PATCH_WS) == 1
        assert "Workspace saved" in toasts.titles()
        assert "Minutes and notes" in screen_text(app)  # the details were read again


async def test_a_rename_shows_in_the_list_and_clearing_tags_sends_an_empty_list(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Old name", "", ["x"])
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        field(dialog, "name").input.value = "New name"
        field(dialog, "tags").input.value = ""
        await pilot.pause()
        assert '"tags": []' in dialog.curl_text
        await pilot.press("enter")  # Enter in a field saves too
        await settle(pilot)
        record = sandbox_state.get_workspace(ws.onna_id)
        assert record is not None and (record.name, record.tags) == ("New name", [])
        table = screen.query_one("#ws-table", DataTable)
        assert str(table.get_cell(ws.onna_id, "name")) == "New name"


async def test_saving_nothing_changed_or_a_blank_name_sends_nothing(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Same")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(pilot, ws.onna_id)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert "Nothing to change" in str(dialog.query_one("#edit-result").content)
        field(dialog, "name").input.value = "   "
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert field(dialog, "name").error  # said on the field
        assert route_count(sandbox_state, PATCH_WS) == 0
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, WorkspaceEditScreen)
        assert route_count(sandbox_state, PATCH_WS) == 0


async def test_a_server_422_on_edit_lands_on_its_field_and_keeps_the_dialog(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Taken?")
    sandbox_state.add_fault(
        {
            "path": f"/workspaces/{ws.onna_id}",
            "method": "PATCH",
            "status": 422,
            "body": {
                "errors": [
                    {
                        "status": "422",
                        "code": "invalid",
                        "title": "Invalid value",
                        "detail": "Another workspace has this name.",
                        "source": {"pointer": "/name"},
                    }
                ]
            },
        }
    )
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(pilot, ws.onna_id)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        field(dialog, "name").input.value = "Contracts review"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert field(dialog, "name").error == "Another workspace has this name."
        assert field(dialog, "name").value == "Contracts review"  # kept for correcting
        assert not dialog.query_one("#edit-save", Button).disabled  # may try again
        record = sandbox_state.get_workspace(ws.onna_id)
        assert record is not None and record.name == "Taken?"


# ---------------------------------------------------------------- delete


async def test_delete_asks_for_the_name_then_removes_the_row(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    keep = sandbox_state.create_workspace("Keep me")
    doomed = sandbox_state.create_workspace("Test workspace")
    other = sandbox_state.create_workspace("Keep me too")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, doomed.onna_id)
        toasts = record_toasts(app)
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TypeToConfirmScreen)
        yes = dialog.query_one("#type-yes", Button)
        assert yes.disabled
        await pilot.press(*"Test work", "enter")  # not the whole name
        await settle(pilot)
        assert app.screen is dialog and yes.disabled
        assert route_count(sandbox_state, DELETE_WS) == 0
        await pilot.press(*"space", "enter")  # "Test work" + "space": the whole name
        await settle(pilot)
        assert app.screen is screen
        assert sandbox_state.get_workspace(doomed.onna_id) is None
        assert sandbox_state.get_workspace(keep.onna_id) is not None
        table = screen.query_one("#ws-table", DataTable)
        assert doomed.onna_id not in table.rows and keep.onna_id in table.rows
        assert "Workspace deleted" in toasts.titles()
        assert "was deleted" in toasts.text()
        assert "2 workspaces loaded" in screen_text(app)
        # The details pane says so, over the workspace the cursor moved to.
        notice = screen.query_one("#ws-details-notice")
        assert "'Test workspace'" in str(notice.content) and "was deleted" in str(notice.content)
        assert screen.selected_id == other.onna_id
        await pilot.press("up")
        await settle(pilot)
        assert screen.selected_id == keep.onna_id
        assert not notice.display  # until the person moves on


async def test_escape_in_the_delete_dialog_sends_nothing(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Stays")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, TypeToConfirmScreen)
        await pilot.press(*"Stays", "escape")
        await settle(pilot)
        assert app.screen is screen
        assert route_count(sandbox_state, DELETE_WS) == 0
        assert sandbox_state.get_workspace(ws.onna_id) is not None


async def test_a_delete_whose_answer_was_lost_is_retried_once_and_said_already_deleted(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Flaky")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        toasts = record_toasts(app)
        sandbox_state.add_fault(
            {"path": f"/workspaces/{ws.onna_id}", "method": "DELETE", "drop": "after"}
        )
        await pilot.press("d")
        await settle(pilot)
        await pilot.press(*"Flaky", "enter")
        await settle(pilot)
        assert route_count(sandbox_state, DELETE_WS) == 2
        assert sandbox_state.get_workspace(ws.onna_id) is None
        assert "already deleted" in toasts.text()
        assert not toasts.errors()
        details = screen.query_one("#ws-details")
        assert "was already deleted" in str(details.content)


async def test_a_failed_delete_keeps_the_row_and_says_why(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Protected")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        toasts = record_toasts(app)
        sandbox_state.add_fault(
            {"path": f"/workspaces/{ws.onna_id}", "method": "DELETE", "status": 403}
        )
        await pilot.press("d")
        await settle(pilot)
        await pilot.press(*"Protected", "enter")
        await settle(pilot)
        assert toasts.errors()
        assert ws.onna_id in screen.query_one("#ws-table", DataTable).rows
        assert sandbox_state.get_workspace(ws.onna_id) is not None


# --------------------------------------------------------- custom fields


def fields_scene(state: SandboxState) -> tuple[Any, Any, Any, Any]:
    ws = state.create_workspace("Case 7")
    matter = state.create_custom_field("Matter", "keyword", "The matter number", True)
    due = state.create_custom_field("Due", "date", "", False)
    custodian = state.create_custom_field("Custodian", "keyword", "Whose data", False)
    state.enable_custom_field(ws.onna_id, matter.onna_id)
    state.set_custom_value(ws.onna_id, matter.onna_id, "M-7")
    return ws, matter, due, custodian


async def test_the_details_list_the_enabled_fields_with_types_and_values(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws, matter, _, _ = fields_scene(sandbox_state)
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        table = screen.query_one("#ws-fields", DataTable)
        assert list(table.rows) == [matter.onna_id]
        assert [str(c) for c in table.get_row(matter.onna_id)] == ["Matter", "keyword", "M-7"]
        text = screen_text(app)
        assert "Matter" in text and "M-7" in text


async def test_add_field_offers_only_the_fields_not_enabled_and_enables_the_one_picked(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws, matter, due, custodian = fields_scene(sandbox_state)
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        toasts = record_toasts(app)
        await pilot.press("a")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PickFieldScreen)
        options = picker.query_one("#pick-list", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == [due.onna_id, custodian.onna_id]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert sandbox_state.custom_value(ws.onna_id, custodian.onna_id) is None
        enabled = [f["onna_id"] for f in sandbox_state.list_workspace_custom_fields(ws.onna_id)[0]]
        assert custodian.onna_id in enabled
        assert "Field added" in toasts.titles()
        table = screen.query_one("#ws-fields", DataTable)
        assert set(table.rows) == {matter.onna_id, custodian.onna_id}


async def test_a_value_is_edited_in_place_and_escape_keeps_the_old_one(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws, matter, _, _ = fields_scene(sandbox_state)
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        details = screen.query_one(WorkspaceDetails)
        details.query_one("#ws-fields", DataTable).focus()
        await pilot.pause()
        assert "fields.set-value" in {
            b.binding.id for b in screen.active_bindings.values() if b.binding.id
        }
        await pilot.press("enter")
        editor = details.query_one("#ws-field-value", Input)
        assert editor.display and editor.has_focus and editor.value == "M-7"
        await pilot.press("escape")
        await settle(pilot)
        assert not editor.display
        assert sandbox_state.custom_value(ws.onna_id, matter.onna_id) == "M-7"
        await pilot.press("enter")
        editor.value = "M-8"
        await pilot.press("enter")
        await settle(pilot)
        assert sandbox_state.custom_value(ws.onna_id, matter.onna_id) == "M-8"
        table = details.query_one("#ws-fields", DataTable)
        assert str(table.get_cell(matter.onna_id, "value")) == "M-8"
        assert not editor.display


async def test_an_account_with_no_fields_says_how_to_make_one(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Bare")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        toasts = record_toasts(app)
        assert "No custom fields enabled" in screen_text(app)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is screen
        assert "Create custom field" in toasts.text()


async def test_create_custom_field_from_the_palette(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Any")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        toasts = record_toasts(app)
        titles = [str(c.title) for c in app.get_system_commands(screen)]
        assert "Create custom field" in titles
        command = next(
            c for c in app.get_system_commands(screen) if c.title == "Create custom field"
        )
        command.callback()
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CreateCustomFieldScreen)
        await pilot.press("ctrl+s")  # a blank name is refused here
        await settle(pilot)
        assert field(dialog, "name").error
        field(dialog, "name").input.value = "Jurisdiction"
        field(dialog, "description").input.value = "Where it is heard"
        await pilot.click("#cf-required")
        await pilot.pause()
        assert '"required": true' in dialog.curl_text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        page, _ = sandbox_state.list_custom_fields()
        [made] = [f for f in page if f["name"] == "Jurisdiction"]
        assert (made["type"], made["description"], made["required"]) == (
            "keyword",
            "Where it is heard",
            True,
        )
        assert made["onna_id"] in toasts.text()


async def test_a_create_field_without_an_answer_is_never_sent_twice(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Any")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        toasts = record_toasts(app)
        sandbox_state.add_fault({"path": "/customFields", "method": "POST", "drop": "after"})
        screen.action_create_field()
        await settle(pilot)
        dialog = app.screen
        field(dialog, "name").input.value = "Once"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert route_count(sandbox_state, "POST /v1/customFields") == 1
        page, _ = sandbox_state.list_custom_fields()
        assert [f["name"] for f in page].count("Once") == 1
        assert "before creating it again" in toasts.text()


# ------------------------------------------------------ filter and sort


async def test_the_filter_fetches_pages_until_rows_match_and_escape_clears_it(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    sandbox_state.page_size = 5
    for n in range(14):
        sandbox_state.create_workspace(f"Workspace {n:02d}")
    needle = sandbox_state.create_workspace("Needle in the haystack")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#ws-table", DataTable)
        assert table.row_count == 5
        await pilot.press("ctrl+f")
        assert screen.focused is screen.query_one("#ws-filter")
        await pilot.press(*"NEEDLE")  # case does not matter
        await settle(pilot)
        assert list(table.rows) == [needle.onna_id]
        assert "1 of 15 loaded workspaces match" in screen_text(app)
        screen.query_one("#ws-filter", Input).value = needle.onna_id[-6:]  # by id too
        await settle(pilot)
        assert list(table.rows) == [needle.onna_id]
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == 15
        assert "15 workspaces loaded" in screen_text(app)


async def test_sort_by_name_and_newest_first(
    app_factory, store, sandbox_state: SandboxState, sandbox_clock: ManualClock
) -> None:
    made = []
    for name in ("beta", "Alpha", "gamma"):
        made.append(sandbox_state.create_workspace(name))
        sandbox_clock.advance(60)
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, made[0].onna_id)
        table = screen.query_one("#ws-table", DataTable)

        def names() -> list[str]:
            return [str(table.get_cell(key, "name")) for key in table.rows]

        assert names() == ["beta", "Alpha", "gamma"]  # the server's order
        await pilot.press("s")
        await settle(pilot)
        assert names() == ["Alpha", "beta", "gamma"]
        assert "name" in screen_text(app)
        await pilot.press("s")
        await settle(pilot)
        assert names() == ["gamma", "Alpha", "beta"]  # newest first (dates read per row)
        assert screen.selected_id == made[0].onna_id  # the cursor stayed on its workspace
        await pilot.press("s")
        await settle(pilot)
        assert names() == ["beta", "Alpha", "gamma"]


# ------------------------------------------------------- keys and palette


async def test_list_keys_show_while_the_list_has_focus_and_form_keys_otherwise(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Keys")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        await pilot.pause()
        keys = footer_keys(screen)
        for key in ("e", "d", "a", "s", "slash"):
            assert key in keys
        assert "ctrl+s" not in keys
        screen.query_one("#name").focus()
        await pilot.pause()
        keys = footer_keys(screen)
        assert "ctrl+s" in keys and "ctrl+f" in keys and "e" not in keys


async def test_ctrl_f_reaches_the_filter_from_anywhere_on_the_screen(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws, _, _, _ = fields_scene(sandbox_state)
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_on(pilot, ws.onna_id)
        box = screen.query_one("#ws-filter", Input)
        for place in ("#ws-table", "#ws-fields", "#name"):
            screen.query_one(place).focus()
            await pilot.pause()
            await pilot.press("ctrl+f")
            await pilot.pause()
            assert box.has_focus, place
        screen.query_one("#ws-fields").focus()
        await pilot.pause()
        assert footer_keys(screen).count("ctrl+f") <= 1


async def test_every_action_is_in_the_palette(app_factory, store, sandbox_state) -> None:
    sandbox_state.create_workspace("Palette")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        titles = {str(c.title) for c in app.get_system_commands(app.screen)}
        for title in (
            "Edit workspace",
            "Delete workspace",
            "Enable custom field",
            "Set custom field value",
            "Create custom field",
            "Filter workspaces",
            "Sort workspaces: name",
            "Sort workspaces: newest first",
            "Refresh workspaces",
        ):
            assert title in titles


async def test_edit_and_delete_with_nothing_selected_say_what_to_do(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        toasts = record_toasts(app)
        screen.action_edit()
        screen.action_delete()
        await until(pilot, lambda: len(toasts.toasts) >= 2)
        assert toasts.titles().count("No workspace selected") == 2
        assert route_count(sandbox_state, PATCH_WS) == route_count(sandbox_state, DELETE_WS) == 0


async def test_field_names_and_values_are_data_not_markup(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    ws = sandbox_state.create_workspace("Hostile fields")
    field_ = sandbox_state.create_custom_field("[@click=app.quit]quit", "[b]kw", "", False)
    sandbox_state.enable_custom_field(ws.onna_id, field_.onna_id)
    sandbox_state.set_custom_value(ws.onna_id, field_.onna_id, "x\x1b[2J[/]")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(pilot, ws.onna_id)
        text = screen_text(app)
        assert "[@click=app.quit]quit" in text and "[b]kw" in text
        assert "x\\x1b[2J[/]" in text  # the ESC made visible, the brackets kept
        assert app.is_running
