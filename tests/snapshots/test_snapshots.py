"""SVG snapshots of every screen at 80x24 and 120x40 (pytest-textual-snapshot).

Plain ``def`` tests: snap_compare runs its own event loop. Regenerate with
``pytest tests/snapshots --snapshot-update`` and look at the SVGs before committing.
"""

from __future__ import annotations

from typing import Any

import pytest
from snapshot_support import SIZES, quiet, settle, with_token

from onna_tui.tui.widgets.fields import FormField


@pytest.mark.parametrize("size", SIZES)
def test_welcome(snap_compare, first_run_app, size) -> None:
    assert snap_compare(first_run_app(), terminal_size=size, run_before=quiet)


@pytest.mark.parametrize("size", SIZES)
def test_add_credentials_form(snap_compare, first_run_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = pilot.app.screen
        values = {
            "profile-name": "prod",
            "org": "ACMECORP",
            "client-id": "3f9c2a71",
            "client-secret": "typed-secret-never-shown",
        }
        for name, value in values.items():
            form.query_one(f"#{name}-field", FormField).input.value = value
        await quiet(pilot)

    assert snap_compare(first_run_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_add_credentials_invalid_secret(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("f2")
        await quiet(pilot)  # before the dialog: a toast under it would not be cleared
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("#client-secret-field", FormField).input.value = "wrong-secret"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_credentials(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await with_token(pilot)
        await pilot.press("f2")
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_delete_confirmation(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("f2")
        await quiet(pilot)  # before the dialog: a toast under it would not be cleared
        await pilot.press("d")
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_token(snap_compare, sandbox_snapshot_app, size) -> None:
    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=with_token)


@pytest.mark.parametrize("size", SIZES)
def test_token_no_token_yet(snap_compare, sandbox_snapshot_app, size) -> None:
    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=quiet)


@pytest.mark.parametrize("size", SIZES)
def test_token_under_a_minute_without_auto_renew(
    snap_compare, sandbox_snapshot_app, snapshot_clock, size
) -> None:
    async def run_before(pilot: Any) -> None:
        await with_token(pilot)
        await pilot.press("a")
        snapshot_clock.advance(3599 - 42)
        pilot.app.screen.query_one("TokenCountdown").tick()
        pilot.app.screen.query_one("StatusBar").refresh_state()
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_token_expired(snap_compare, sandbox_snapshot_app, snapshot_clock, size) -> None:
    async def run_before(pilot: Any) -> None:
        await with_token(pilot)
        await pilot.press("a")
        snapshot_clock.advance(3600)
        pilot.app.screen.query_one("TokenCountdown").tick()
        pilot.app.screen.query_one("StatusBar").refresh_state()
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_token_light_theme(snap_compare, sandbox_snapshot_app, size) -> None:
    assert snap_compare(
        sandbox_snapshot_app(theme="textual-light"), terminal_size=size, run_before=with_token
    )


@pytest.mark.parametrize("size", SIZES)
def test_workspaces(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await with_token(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#name-field", FormField).input.value = "Board minutes"
        screen.query_one("#description-field", FormField).input.value = "Minutes 2026"
        screen.query_one("#tags-field", FormField).input.value = "board, 2026"
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_workspaces_created(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await with_token(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#name-field", FormField).input.value = "Board minutes"
        await pilot.pause()
        await pilot.press("enter")
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_workspaces_blank_name(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await with_token(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


# Untrusted text: shown as it is, never as markup, control characters made visible.
HOSTILE_NAMES = [
    "[/]",
    "[@click=app.quit]click me",
    "[link=https://evil.example]x[/link]",
    "x\x1b[2J\x1b[31mRED",
    "[Archive] Case 12",
    "two\nlines",
]
MARKUP_DETAIL = "[/] [@click=app.quit]quit[/] [link=https://evil.example]x[/link]"


@pytest.mark.parametrize("size", SIZES)
def test_workspaces_hostile_names(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await with_token(pilot)
        state = pilot.app.sandbox.state
        for name in HOSTILE_NAMES:
            state.create_workspace(name, f"About {name}\nsecond line", [name, "ok"])
        await pilot.press("f4")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#name-field", FormField).input.value = "x\x1b[2J\x1b[31mRED"
        await pilot.pause()
        await pilot.press("enter")  # the result panel quotes the created name
        await quiet(pilot)
        table = screen.query_one("#ws-table")
        table.focus()
        click = next(w for w in state.workspaces() if w.name.startswith("[@click"))
        table.move_cursor(row=table.get_row_index(click.onna_id))
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_workspaces_server_error_with_markup(snap_compare, sandbox_snapshot_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await with_token(pilot)
        await pilot.press("f4")
        await quiet(pilot)
        pilot.app.sandbox.state.add_fault(
            {
                "path": "/workspaces",
                "method": "POST",
                "status": 422,
                "body": {
                    "errors": [
                        {
                            "status": "422",
                            "code": "invalid",
                            "title": "[b]Invalid",
                            "detail": MARKUP_DETAIL,
                            "source": {"pointer": "/name"},
                        }
                    ]
                },
            }
        )
        pilot.app.screen.query_one("#name-field", FormField).input.value = "Fine name"
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)  # the error toast stays: it quotes the server's words

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_credentials_hand_edited_client_id(
    snap_compare, sandbox_snapshot_app, snapshot_clock, size
) -> None:
    async def run_before(pilot: Any) -> None:
        from onna_tui.storage.config_file import Profile

        await settle(pilot)
        app = pilot.app
        edited = Profile.new(
            "edited",
            "[@click=app.quit][/]id",
            app.sandbox.base_url,
            "ACMECORP",
            clock=snapshot_clock,
        )
        app.store.config.put(edited)  # as if config.toml had been edited by hand
        app.reload_profiles()
        await pilot.press("f2")
        await quiet(pilot)
        table = app.screen.query_one("#profiles")
        table.move_cursor(row=table.get_row_index("edited"))
        await quiet(pilot)

    assert snap_compare(sandbox_snapshot_app(), terminal_size=size, run_before=run_before)
