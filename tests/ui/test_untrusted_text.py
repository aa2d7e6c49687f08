"""Untrusted text is shown, never obeyed: markup and terminal control bytes from names,
descriptions, config.toml, /oauth/user, /health and server error messages.

Each test runs with toasts on (``notifications=True``): a toast parses its text when it
is drawn, so a hidden toast could not crash. The sandbox's own fault injection (its admin
surface, ``POST /_sandbox/faults``) makes the server say hostile things.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual import events
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable
from ui_helpers import record_toasts, screen_text, settle

from onna_tui.core.clock import ManualClock
from onna_tui.sandbox.state import SandboxState
from onna_tui.storage.config_file import ConfigStore, Profile
from onna_tui.tui.safe_text import markup_literal, printable
from onna_tui.tui.screens.credentials import CredentialsScreen
from onna_tui.tui.screens.workspaces import WorkspacesScreen
from onna_tui.tui.store import ProfileStore
from onna_tui.tui.widgets.fields import FormField

#: Names people and attackers give workspaces, each with what the screen must show.
HOSTILE = [
    "[/]",
    "[@click=app.quit]",
    "[@click=app.quit]click me",
    "[link=https://evil.example]x[/link]",
    "x\x1b[2J\x1b[31mRED",
    "[Archive] Case 12",
    "two\nlines",
]
#: What must never reach the terminal from data: ESC and the other C0/C1 controls.
CONTROLS = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]


def no_raw_controls(text: str) -> bool:
    return not any(c in text for c in CONTROLS)


def actions_in(widget: Widget) -> list[str]:
    """Every @click action a widget's rendered lines carry (a link that would run)."""
    width, height = widget.outer_size
    found = []
    for strip in widget.render_lines(Region(0, 0, width, height)):
        for segment in strip:
            meta = segment.style.meta if segment.style is not None else {}
            if "@click" in meta:
                found.append(str(meta["@click"]))
    return found


def squeezed(text: str) -> str:
    """``text`` without whitespace and borders: wrapped lines equal the one-line text."""
    return re.sub(r"[\s\u2500-\u259f]", "", text)


def shows(widget: Widget, text: str) -> bool:
    """Whether ``widget`` shows ``text`` (wrapped over several lines or not)."""
    width, height = widget.outer_size
    lines = widget.render_lines(Region(0, 0, width, height))
    return squeezed(text) in squeezed("".join(strip.text for strip in lines))


def toast_widgets(app: Any) -> list[Widget]:
    from textual.widgets._toast import Toast

    return list(app.screen.query(Toast))


def toasts_show(app: Any, text: str) -> bool:
    return any(shows(toast, text) for toast in toast_widgets(app))


async def click_text(pilot: Any, widget: Widget, text: str) -> bool:
    """Click the first character of ``text`` where ``widget`` shows it (False: not shown)."""
    width, height = widget.outer_size
    for y, strip in enumerate(widget.render_lines(Region(0, 0, width, height))):
        x = strip.text.find(text)
        if x >= 0:
            await pilot.click(widget, offset=(x, y))
            await pilot.pause()
            return True
    return False


async def sandbox_fault(transport: httpx.ASGITransport, **spec: Any) -> None:
    """A fault through the sandbox's admin surface, as any client would add it."""
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as admin:
        answer = await admin.post("/_sandbox/faults", json=spec)
        answer.raise_for_status()


async def open_workspaces(pilot: Any) -> WorkspacesScreen:
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WorkspacesScreen)
    return screen


def test_the_rule_itself() -> None:
    assert printable("x\x1b[2J\x1b[31mRED") == "x\\x1b[2J\\x1b[31mRED"
    assert printable("two\nlines") == "two\\nlines"
    assert printable("two\r\nlines\ttab", multiline=True) == "two\nlines   tab"
    assert printable("\u202eevil\ud800\x85\x9b") == "\\u202eevil\\ud800\\x85\\x9b"
    assert printable("[Archive] Case 12 ✓ é 日本") == "[Archive] Case 12 ✓ é 日本"
    from textual.content import Content

    for name in HOSTILE:
        assert no_raw_controls(printable(name))
        assert Content.from_markup(markup_literal(name)).plain == printable(name)


async def test_hostile_workspace_names_show_literally_in_the_list_and_the_details(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    for name in HOSTILE:
        sandbox_state.create_workspace(name, f"About {name}\nsecond line", [name, "ok"])
    app = app_factory(store=store)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        screen = await open_workspaces(pilot)
        table = screen.query_one("#ws-table", DataTable)
        details = screen.query_one("#ws-details")
        assert table.row_count == len(HOSTILE)
        assert actions_in(table) == []
        table.focus()
        shown: list[str] = []
        for row in range(table.row_count):
            table.move_cursor(row=row)
            await settle(pilot)
            assert app.is_running
            record = next(w for w in sandbox_state.workspaces() if w.onna_id == screen.selected_id)
            shown.append(record.name)
            text = screen_text(app)
            assert no_raw_controls(text)
            assert printable(record.name) in text  # in the list and in the details
            # The description keeps its line breaks (only), the rest shows as it is.
            first_line = printable(f"About {record.name}", multiline=True).split("\n")[0]
            assert first_line in text
            assert actions_in(details) == []
            # Clicking the name where it shows runs nothing (it is not a link).
            assert await click_text(pilot, details, printable(record.name))
            assert app.is_running
        assert sorted(shown) == sorted(HOSTILE)
        assert await click_text(pilot, table, "[@click=app.quit]click me")
        assert app.is_running
    assert app.return_code is None


@pytest.mark.parametrize("name", HOSTILE)
async def test_creating_a_hostile_name_shows_it_in_the_result_and_the_toast(
    app_factory, store, sandbox_state: SandboxState, name: str
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_workspaces(pilot)
        toasts = record_toasts(app)
        name_input = screen.query_one("#name-field", FormField).input
        if name == "[/]":
            await pilot.press(*name)  # the repro: typed, then ctrl+s
            assert name_input.value == name
        else:
            name_input.value = name
            await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running
        assert [w.name for w in sandbox_state.workspaces()].count(name) == 1
        assert "Workspace created" in toasts.titles(), toasts.text()
        text = screen_text(app)
        assert no_raw_controls(text)
        assert f"Created {printable(name)}" in text  # the result panel
        assert printable(repr(name)) in text  # the toast quotes it
        result = screen.query_one("#ws-result")
        assert actions_in(result) == []
        assert await click_text(pilot, result, printable(name))
        assert app.is_running


SERVER_MARKUP = "[/] [@click=app.quit]quit[/] [link=https://evil.example]x[/link]"
#: The service layer may drop the ESC itself; either way none reaches the terminal.
SERVER_DETAIL = SERVER_MARKUP + " \x1b[2J"


async def test_server_error_messages_show_literally_in_toasts_and_field_errors(
    app_factory, store, asgi_transport: httpx.ASGITransport
) -> None:
    body = {
        "errors": [
            {
                "status": "422",
                "code": "invalid",
                "title": "Invalid [b]value",
                "detail": SERVER_DETAIL,
                "source": {"pointer": "/name"},
            }
        ]
    }
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_workspaces(pilot)
        toasts = record_toasts(app)
        await sandbox_fault(
            asgi_transport, path="/workspaces", method="POST", status=422, body=body
        )
        screen.query_one("#name-field", FormField).input.value = "Fine name"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running
        assert "Rejected by the server" in toasts.titles()
        name_field = screen.query_one("#name-field", FormField)
        assert name_field.error.startswith(SERVER_MARKUP)
        assert no_raw_controls(name_field.error)
        text = screen_text(app)
        assert no_raw_controls(text)
        assert shows(screen.query_one("#name-error"), SERVER_MARKUP)
        assert toasts_show(app, SERVER_MARKUP)
        assert [action for toast in toast_widgets(app) for action in actions_in(toast)] == []
        toast = next(t for t in toast_widgets(app) if shows(t, "[@click=app.quit]quit"))
        assert await click_text(pilot, toast, "[@click=app.quit]quit")
        assert app.is_running
        assert actions_in(screen.query_one("#name-error")) == []

        # A 500 on the list, whose JSON:API detail is markup, in the error toast.
        await sandbox_fault(
            asgi_transport,
            path="/workspaces",
            method="GET",
            status=500,
            body={
                "errors": [
                    {"status": "500", "code": "[/]", "title": "[/]", "detail": SERVER_DETAIL}
                ]
            },
        )
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.is_running
        assert len(toasts.errors()) == 2, toasts.text()
        assert toasts_show(app, SERVER_MARKUP)
        assert toasts_show(app, "HTTP 500")
        assert no_raw_controls(screen_text(app))


async def test_a_hostile_owner_and_health_show_literally_on_the_token_screen(
    app_factory,
    tmp_path: Path,
    vault,
    sandbox_state: SandboxState,
    asgi_transport: httpx.ASGITransport,
    sandbox_asgi_base_url: str,
    sandbox_clock: ManualClock,
) -> None:
    user = {
        "id": "evil@example.com",
        "account_id": "[/]acct\x1b[2J",
        "name": "[@click=app.quit]Mallory\x1b[31m",
    }
    creds = sandbox_state.add_client("evil-client", "evil-secret-value-0987", user=user)
    config = ConfigStore(tmp_path / "config.toml", clock=sandbox_clock)
    profile = Profile.new("evil", creds.client_id, sandbox_asgi_base_url, clock=sandbox_clock)
    config.put(profile.changed(sandbox_clock, secret_set_at=sandbox_clock()))
    vault.put_secret(sandbox_asgi_base_url, creds.client_id, creds.client_secret)
    live = ProfileStore(config, vault, env={}, clock=sandbox_clock)
    await sandbox_fault(
        asgi_transport,
        path="/health",
        method="GET",
        status=200,
        body={
            "status": "pass",
            "version": "[/]1.0\x1b[2J",
            "release_id": "[@click=app.quit]r1",
        },
    )
    app = app_factory(store=live)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.is_running
        text = screen_text(app)
        assert no_raw_controls(text)
        assert printable("[@click=app.quit]Mallory\x1b[31m") in text
        assert printable("[/]acct\x1b[2J") in text
        assert printable("[/]1.0\x1b[2J") in text and "[@click=app.quit]r1" in text
        for card in ("#who", "#health"):
            assert actions_in(app.screen.query_one(card)) == []
        assert await click_text(pilot, app.screen.query_one("#who"), "[@click=app.quit]")
        assert app.is_running


def hand_edited_config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


HOSTILE_CLIENT_IDS = {
    "brackets": "[/]",
    "click": "[@click=app.quit]",
    "link": "[link=https://evil.example]x[/link]",
}


async def test_client_ids_from_a_hand_edited_config_show_literally(
    app_factory,
    tmp_path: Path,
    vault,
    sandbox_clock: ManualClock,
    sandbox_asgi_base_url: str,
) -> None:
    entries = "".join(
        f'[profiles.{name}]\nclient_id = "{client_id}"\nbase_url = "{sandbox_asgi_base_url}"\n'
        "created_at = 2026-01-01T00:00:00Z\nupdated_at = 2026-01-01T00:00:00Z\n\n"
        for name, client_id in HOSTILE_CLIENT_IDS.items()
    )
    path = hand_edited_config(tmp_path / "config.toml", 'default = "click"\n\n' + entries)
    store = ProfileStore(ConfigStore(path, clock=sandbox_clock), vault, env={}, clock=sandbox_clock)
    app = app_factory(store=store)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CredentialsScreen)
        table = screen.query_one("#profiles", DataTable)
        details = screen.query_one("#profile-details")
        table.focus()
        for row, client_id in enumerate(sorted(HOSTILE_CLIENT_IDS.items())):
            table.move_cursor(row=row)
            await settle(pilot)
            text = screen_text(app)
            assert client_id[1] in text, client_id
            assert actions_in(details) == [] and actions_in(table) == []
            assert await click_text(pilot, details, client_id[1])
            assert app.is_running
        # The palette lists them too (its titles and help are markup in Textual).
        await pilot.press("ctrl+p")
        await pilot.press(*"Switch profile")
        await pilot.pause(0.3)
        await settle(pilot, rounds=2)
        text = screen_text(app)
        for client_id in HOSTILE_CLIENT_IDS.values():
            assert f"Use client {client_id} at" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


async def test_a_broken_hand_edited_config_is_quoted_literally_in_the_toast(
    app_factory,
    tmp_path: Path,
    vault,
    sandbox_clock: ManualClock,
) -> None:
    path = hand_edited_config(
        tmp_path / "config.toml",
        (
            '[profiles."[/]"]\nclient_id = "x"\nbase_url = "http://127.0.0.1/v1"\n'
            'org = "[@click=app.quit]\\u001b[2J"\n'
            "created_at = 2026-01-01T00:00:00Z\nupdated_at = 2026-01-01T00:00:00Z\n"
        ),
    )
    store = ProfileStore(ConfigStore(path, clock=sandbox_clock), vault, env={}, clock=sandbox_clock)
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert app.is_running
        assert no_raw_controls(screen_text(app))
        assert toasts_show(app, "'[/]' is not a valid profile name")
        assert toasts_show(app, "'[@click=app.quit]\\x1b[2J' is not an organization name")


async def test_a_paste_into_a_field_leaves_control_characters_out(app_factory, store) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workspaces(pilot)
        name = screen.query_one("#name-field", FormField).input
        name.post_message(events.Paste("x\x1b[2J\x1b[31mRED\x07 [Archive] Case 12\nsecond line"))
        await pilot.pause()
        assert name.value == "x[2J[31mRED [Archive] Case 12"  # one line, no control byte
        assert no_raw_controls(screen_text(app))
        name.value = ""
        name.post_message(events.Paste("plain [/] text"))  # nothing to leave out
        await pilot.pause()
        assert name.value == "plain [/] text"
