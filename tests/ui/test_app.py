"""App-wide behaviour: the command palette, the theme toggle, quitting, the launcher's wiring."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.command import CommandPalette
from ui_helpers import screen_text, settle, until

from onna_tui.core.clock import ManualClock
from onna_tui.sandbox.state import SandboxState
from onna_tui.storage.config_file import Profile
from onna_tui.tui.app import OnnaApp, StartScreen
from onna_tui.tui.launch import build_settings, run_tui
from onna_tui.tui.sandbox_mode import start_sandbox
from onna_tui.tui.screens.credentials import CredentialsScreen
from onna_tui.tui.screens.token import TokenScreen
from onna_tui.tui.screens.welcome import WelcomeScreen
from onna_tui.tui.screens.workspaces import WorkspacesScreen
from onna_tui.tui.settings import DARK_THEME, LIGHT_THEME
from onna_tui.tui.store import ProfileStore
from onna_tui.tui.widgets.profile_form import ProfileFormScreen


async def run_command(pilot, text: str) -> None:
    """Open the palette, type ``text``, wait for the search, pick the first hit."""
    await pilot.press("ctrl+p")
    await settle(pilot, rounds=1)
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*text)
    await pilot.pause(0.3)  # the palette searches after a short debounce
    await pilot.press("enter")
    await settle(pilot)


async def search_palette(pilot, text: str) -> None:
    """Type into the open palette and wait for its (debounced) search to list the hits."""
    await pilot.press(*text)
    await pilot.pause(0.3)


def command_titles(app: OnnaApp) -> list[str]:
    return [command.title for command in app.get_system_commands(app.screen)]


@pytest.mark.parametrize(
    ("command", "screen"),
    [("Workspaces", WorkspacesScreen), ("Credentials", CredentialsScreen), ("Token", TokenScreen)],
)
async def test_every_screen_is_in_the_palette(app_factory, store, command, screen) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        if screen is TokenScreen:
            await pilot.press("f4")
            await settle(pilot)
        assert command in command_titles(app)
        await run_command(pilot, command)
        assert isinstance(app.screen, screen)


async def test_switch_profile_from_the_palette(
    app_factory,
    store: ProfileStore,
    sandbox_state: SandboxState,
    sandbox_asgi_base_url: str,
    sandbox_clock: ManualClock,
) -> None:
    other = sandbox_state.add_client("other-client", "other-secret-value-0987")
    profile = Profile.new("zeta", other.client_id, sandbox_asgi_base_url, clock=sandbox_clock)
    store.config.put(profile.changed(sandbox_clock, secret_set_at=sandbox_clock()))
    store.vault.put_secret(sandbox_asgi_base_url, other.client_id, other.client_secret)
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = command_titles(app)
        assert "Switch profile: work" in titles and "Switch profile: zeta" in titles
        await run_command(pilot, "Switch profile: zeta")
        assert app.session is not None and app.session.name == "zeta"


async def test_theme_toggles_between_light_and_dark(app_factory, store) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == DARK_THEME
        await pilot.press("ctrl+t")
        assert app.theme == LIGHT_THEME
        await run_command(pilot, "Toggle light/dark theme")
        assert app.theme == DARK_THEME


async def test_ctrl_q_quits_even_from_a_dialog(app_factory, store) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ProfileFormScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running


def test_sandbox_settings_fit_the_renew_margin_to_a_short_token_ttl() -> None:
    settings = build_settings(sandbox=True, token_ttl=60)
    assert settings.launch_sandbox is True
    assert settings.sandbox_options == {"token_ttl": 60}
    assert settings.renew_margin == 10
    assert build_settings(sandbox=True).renew_margin == 60
    assert build_settings(profile="prod").profile == "prod"


def test_token_ttl_without_the_sandbox_is_refused(capsys) -> None:
    assert run_tui(token_ttl=60) == 2
    assert "--token-ttl only applies with --sandbox" in capsys.readouterr().err


class HeldSandbox:
    """A sandbox starter that waits for ``release()``: the app stays on its start (or
    welcome) screen for exactly as long as the test wants, with no sleep."""

    def __init__(self, clock: ManualClock, state: SandboxState) -> None:
        self._gate = threading.Event()
        self._clock = clock
        self._state = state
        self.asked = threading.Event()

    def __call__(self) -> Any:
        self.asked.set()
        self._gate.wait(timeout=30)
        return start_sandbox(clock=self._clock, in_process=True, state=self._state)

    def release(self) -> None:
        self._gate.set()


@pytest.fixture
def held_sandbox(sandbox_clock: ManualClock, sandbox_state: SandboxState) -> HeldSandbox:
    return HeldSandbox(sandbox_clock, sandbox_state)


async def test_the_palette_opened_during_start_up_then_a_screen_then_the_palette_again(
    app_factory, held_sandbox: HeldSandbox
) -> None:
    app = app_factory(launch_sandbox=True, sandbox_starter=held_sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, held_sandbox.asked.is_set)
        assert isinstance(app.screen, StartScreen)
        await pilot.press("ctrl+p")  # as the app starts
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        held_sandbox.release()  # the start finishes while the palette is open
        await settle(pilot)
        assert app.session is not None and app.session.name == "sandbox"
        assert isinstance(app.screen, CommandPalette)  # not pulled away under the fingers
        await search_palette(pilot, "Workspaces")
        await pilot.press("enter")  # pick a screen
        await settle(pilot)
        assert isinstance(app.screen, WorkspacesScreen)
        await pilot.press("ctrl+p")  # open the palette again: DuplicateIds before
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await search_palette(pilot, "Credentials")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CredentialsScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CredentialsScreen)
        assert app.is_running


async def test_closing_the_start_up_palette_moves_on_to_the_token_screen(
    app_factory, held_sandbox: HeldSandbox
) -> None:
    app = app_factory(launch_sandbox=True, sandbox_starter=held_sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, held_sandbox.asked.is_set)
        await pilot.press("ctrl+p")
        await pilot.pause()
        held_sandbox.release()
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TokenScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TokenScreen)


async def test_a_screen_picked_while_starting_is_kept_when_the_start_finishes(
    app_factory, held_sandbox: HeldSandbox
) -> None:
    app = app_factory(launch_sandbox=True, sandbox_starter=held_sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, held_sandbox.asked.is_set)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await search_palette(pilot, "Workspaces")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WorkspacesScreen)
        held_sandbox.release()
        await settle(pilot, rounds=6)
        assert app.session is not None and app.session.name == "sandbox"
        assert isinstance(app.screen, WorkspacesScreen)  # not yanked to the token screen
        assert "Contracts review" in screen_text(app)  # its list loaded for the new session
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_the_palette_opened_while_the_welcome_screen_starts_the_sandbox(
    app_factory, empty_store, held_sandbox: HeldSandbox
) -> None:
    app = app_factory(store=empty_store, sandbox_starter=held_sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("t")
        await until(pilot, held_sandbox.asked.is_set)
        await pilot.press("ctrl+p")
        await pilot.pause()
        held_sandbox.release()
        await settle(pilot)
        await search_palette(pilot, "Token")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TokenScreen)
        await pilot.press("f2")
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert app.is_running


def test_a_terminal_gets_the_quiet_driver_unless_textual_driver_names_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import textual.constants
    from textual.drivers.headless_driver import HeadlessDriver

    from onna_tui.tui.driver import QuietDriver

    monkeypatch.setattr(textual.constants, "DRIVER", None)
    assert OnnaApp(build_settings()).get_driver_class() is QuietDriver
    monkeypatch.setattr(
        textual.constants, "DRIVER", "textual.drivers.headless_driver:HeadlessDriver"
    )
    assert OnnaApp(build_settings()).get_driver_class() is HeadlessDriver
