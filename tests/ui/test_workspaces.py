"""The Workspaces screen against the in-process sandbox: create, validate, page, details."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sandbox_admin import Admin
from textual import events
from textual.widgets import DataTable, Label, Static
from ui_helpers import record_toasts, screen_text, settle, until

from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import Credentials
from onna_tui.sandbox.server import SandboxServer
from onna_tui.sandbox.state import SandboxState
from onna_tui.storage.config_file import ConfigStore, Profile
from onna_tui.tui.curl import create_workspace_curl
from onna_tui.tui.screens import workspaces_create as workspaces_screen
from onna_tui.tui.screens.workspaces import WorkspacesScreen
from onna_tui.tui.store import ProfileStore
from onna_tui.tui.widgets.fields import FormField


async def open_workspaces(pilot) -> WorkspacesScreen:
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WorkspacesScreen)
    return screen


def field(screen: WorkspacesScreen, name: str) -> FormField:
    return screen.query_one(f"#{name}-field", FormField)


async def fill(pilot, screen: WorkspacesScreen, **values: str) -> None:
    """Set fields directly (typing is tested once; pressing every key is slow)."""
    for name, value in values.items():
        field(screen, name).input.value = value
    await pilot.pause()  # let the Changed messages land before the next key


async def test_create_a_workspace_shows_its_onna_id_and_refreshes_the_list(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workspaces(pilot)
        toasts = record_toasts(app)
        assert screen.focused is field(screen, "name").input  # AUTO_FOCUS on the first field
        await pilot.press(*"Foo", "tab", *"Bar", "tab", *"legal, 2026")
        curl = screen.curl_text
        assert "curl --request POST 'http://127.0.0.1/v1/workspaces'" in curl
        assert "--header 'Content-Type: application/json'" in curl
        assert "--header 'Authorization: Bearer <redacted>'" in curl
        assert '"name": "Foo"' in curl and '"description": "Bar"' in curl
        assert '"legal"' in curl and '"2026"' in curl

        await pilot.press("enter")
        await settle(pilot)
        created = [w for w in sandbox_state.workspaces() if w.name == "Foo"]
        assert len(created) == 1
        onna_id = created[0].onna_id
        assert created[0].description == "Bar" and created[0].tags == ["legal", "2026"]
        assert screen.created_id == onna_id
        assert onna_id in screen_text(app)
        assert "Workspace created" in toasts.titles()
        table = screen.query_one("#ws-table", DataTable)
        assert onna_id in table.rows
        assert field(screen, "name").value == ""  # ready for the next one
        await pilot.press("ctrl+o")
        assert app.clipboard == onna_id
        await pilot.press("ctrl+y")
        assert "<redacted>" in app.clipboard
        token = app.session.tokens.current.access_token.get_secret_value()
        assert token not in app.clipboard and token not in toasts.text()


async def test_a_blank_name_is_refused_before_anything_is_sent(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_workspaces(pilot)
        sandbox_state.reset_stats()
        await fill(pilot, screen, name="   ", description="only a description")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert field(screen, "name").error == "A name is required."
        assert field(screen, "name").has_class("-invalid")
        assert sandbox_state.stats()["by_route"].get("POST /v1/workspaces", 0) == 0
        assert screen.focused is field(screen, "name").input
        await pilot.press(*"x")  # typing clears the error
        assert field(screen, "name").error == ""


async def test_an_empty_tag_is_refused_locally(app_factory, store) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workspaces(pilot)
        await fill(pilot, screen, name="Name", tags="a,,b")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "empty" in field(screen, "tags").error


async def test_a_server_422_is_shown_on_the_field_it_names(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    sandbox_state.add_fault(
        {
            "path": "/workspaces",
            "method": "POST",
            "status": 422,
            "body": {
                "errors": [
                    {
                        "status": "422",
                        "code": "invalid",
                        "title": "Invalid value",
                        "detail": "A workspace with this name already exists.",
                        "source": {"pointer": "/name"},
                    }
                ]
            },
        }
    )
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workspaces(pilot)
        toasts = record_toasts(app)
        await fill(pilot, screen, name="Contracts review")
        await pilot.press("enter")
        await settle(pilot)
        assert field(screen, "name").error == "A workspace with this name already exists."
        assert "Rejected by the server" in toasts.titles()
        assert field(screen, "name").value == "Contracts review"  # kept for correcting


async def test_a_post_without_an_answer_is_reported_never_retried(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    sandbox_state.add_fault({"path": "/workspaces", "method": "POST", "drop": "after"})
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workspaces(pilot)
        toasts = record_toasts(app)
        await fill(pilot, screen, name="Maybe")
        await pilot.press("enter")
        await settle(pilot)
        assert "Outcome unknown" in toasts.titles()
        assert "may have been created" in str(screen.query_one("#ws-result").content)
        # Created exactly once (dropped after the fact), and not posted again.
        assert [w.name for w in sandbox_state.workspaces()].count("Maybe") == 1
        assert sandbox_state.stats()["by_route"]["POST /v1/workspaces"] == 1
        maybe = next(w for w in sandbox_state.workspaces() if w.name == "Maybe")
        assert maybe.onna_id in screen.query_one("#ws-table", DataTable).rows  # list refreshed


async def test_the_list_pages_lazily_through_the_cursor(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    sandbox_state.page_size = 5
    for n in range(12):
        sandbox_state.create_workspace(f"Workspace {n:02d}")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workspaces(pilot)
        table = screen.query_one("#ws-table", DataTable)
        assert table.row_count == 5
        assert "more on the server" in screen_text(app)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert table.row_count == 10
        table.focus()
        table.move_cursor(row=9)  # near the end: the next page comes by itself
        await settle(pilot)
        assert table.row_count == 12
        assert "12 workspaces loaded" in screen_text(app)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert table.row_count == 5


async def test_selecting_a_workspace_shows_its_details(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    sandbox_state.create_workspace("First", "the first one", ["a"])
    second = sandbox_state.create_workspace("Second", "the second one", ["b", "c"])
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workspaces(pilot)
        table = screen.query_one("#ws-table", DataTable)
        table.focus()
        await pilot.press("down")
        await settle(pilot)
        assert screen.selected_id == second.onna_id
        text = screen_text(app)
        assert "the second one" in text and "b, c" in text
        assert sandbox_state.stats()["by_route"]["GET /v1/workspaces/{onna_id}"] >= 1


def posts(sandbox_state: SandboxState) -> int:
    return int(sandbox_state.stats()["by_route"].get("POST /v1/workspaces", 0))


async def test_a_double_enter_sends_one_post(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workspaces(pilot)
        sandbox_state.reset_stats()
        # A slow answer: the second Enter comes while the first POST is in flight.
        sandbox_state.add_fault({"path": "/v1/workspaces", "method": "POST", "latency": 0.5})
        await fill(pilot, screen, name="Twice")
        await pilot.press("enter")
        await until(pilot, lambda: posts(sandbox_state) == 1)
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert posts(sandbox_state) == 1
        assert [w.name for w in sandbox_state.workspaces()].count("Twice") == 1
        assert screen.created_id is not None
        # Once the answer is in, the next Create works again.
        await fill(pilot, screen, name="Again")
        await pilot.press("enter")
        await settle(pilot)
        assert posts(sandbox_state) == 2


async def test_switching_profile_clears_the_created_panel_and_the_details(
    app_factory, two_profiles: ProfileStore, sandbox_state: SandboxState
) -> None:
    app = app_factory(store=two_profiles)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workspaces(pilot)
        await fill(pilot, screen, name="Only in work")
        await pilot.press("enter")
        await settle(pilot)
        created = screen.created_id
        assert created is not None and created in screen_text(app)
        # The other profile's list fails, so nothing of its own is selected either.
        sandbox_state.add_fault({"path": "/v1/workspaces", "method": "GET", "status": 403})
        toasts = record_toasts(app)
        app.activate_profile("other")
        await settle(pilot)
        assert app.session is not None and app.session.name == "other"
        assert screen.created_id is None
        assert not screen.query_one("#ws-result", Static).display
        assert created not in screen_text(app)
        assert "Select a workspace" in str(screen.query_one("#ws-details", Static).content)
        await pilot.press("ctrl+o")
        assert app.clipboard != created
        assert "Nothing to copy" in toasts.titles()


async def test_a_field_error_wraps_at_80_columns(app_factory, store) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_workspaces(pilot)
        await fill(pilot, screen, name="Name", tags="a,,b")
        await pilot.press("ctrl+s")
        await settle(pilot)
        tags = field(screen, "tags")
        assert tags.error == "A tag is empty: remove the extra comma."
        error = screen.query_one("#tags-error", Label)
        assert error.region.right <= tags.content_region.right  # not wider than its field
        assert error.region.height >= 2  # wrapped
        assert "comma." in screen_text(app)  # the "what to do" half is on screen


# --------------------------------------------------------- over real HTTP


async def test_a_profile_switch_does_not_cut_off_a_create(
    app_factory,
    tmp_path: Path,
    vault,
    sandbox_server: SandboxServer,
    admin: Admin,
    sandbox_state: SandboxState,
    sandbox_credentials: Credentials,
    sandbox_clock: ManualClock,
) -> None:
    # Real sockets: closing a client for real would cut its request off.
    base_url = sandbox_server.base_url
    other = sandbox_state.add_client("other-client", "other-secret-value-0987")
    config = ConfigStore(tmp_path / "config.toml", clock=sandbox_clock)
    live = ProfileStore(config, vault, env={}, clock=sandbox_clock)
    for name, creds in (("work", sandbox_credentials), ("other", other)):
        profile = Profile.new(name, creds.client_id, base_url, clock=sandbox_clock)
        config.put(profile.changed(sandbox_clock, secret_set_at=sandbox_clock()))
        vault.put_secret(base_url, creds.client_id, creds.client_secret)
    config.set_default("work")
    app = app_factory(store=live, transport=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workspaces(pilot)
        admin.fault(path="/v1/workspaces", method="POST", latency=1.0)
        toasts = record_toasts(app)
        await fill(pilot, screen, name="Mid-switch")
        await pilot.press("enter")
        await until(pilot, lambda: admin.stats()["by_route"].get("POST /v1/workspaces") == 1)
        app.activate_profile("other")
        await settle(pilot)
        assert app.session is not None and app.session.name == "other"
        assert [w.name for w in sandbox_state.workspaces()].count("Mid-switch") == 1
        assert "Outcome unknown" not in toasts.titles(), toasts.text()
        done = [t for t in toasts.toasts if t.title == "Workspace created"]
        assert len(done) == 1 and "'work'" in done[0].message, toasts.text()
        assert screen.created_id is None  # not shown as the other profile's


async def test_a_burst_of_keys_redraws_the_curl_preview_once_typing_settles(
    app_factory, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 5000 keys at once, as a terminal delivers a fast typist or a tmux send-keys: the
    # preview (the whole body, quoted and wrapped) used to be rebuilt for every one.
    built: list[int] = []

    def counted(base_url: str, body: dict[str, Any]) -> str:
        built.append(1)
        return create_workspace_curl(base_url, body)

    monkeypatch.setattr(workspaces_screen, "create_workspace_curl", counted)
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workspaces(pilot)
        name = field(screen, "name").input
        assert screen.focused is name
        built.clear()
        keys = 5000
        for _ in range(keys - 1):
            app.post_message(events.Key("a", "a"))
        app.post_message(events.Key("Z", "Z"))
        await until(pilot, lambda: len(name.value) == keys, rounds=100_000)
        await settle(pilot)
        assert len(built) <= 100  # was one per key: 5000
        # Once typing settles the preview is exactly what it always was.
        shown = str(screen.query_one("#ws-curl", Static).content)
        assert shown == screen.curl_text
        assert '"name": "' + "a" * (keys - 1) + 'Z"' in shown


async def test_the_curl_preview_follows_each_typed_key(app_factory, store) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workspaces(pilot)
        curl = screen.query_one("#ws-curl", Static)
        typed = ""
        for key in "Minutes":
            await pilot.press(key)
            await pilot.pause()
            typed += key
            assert f'"name": "{typed}"' in str(curl.content)
