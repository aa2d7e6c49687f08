"""The Token screen against the in-process sandbox: mint, countdown, renew, copy, forget."""

from __future__ import annotations

from ui_helpers import record_toasts, screen_text, settle, until

from onna_tui.core.clock import ManualClock
from onna_tui.sandbox.state import SandboxState
from onna_tui.tui.app import OnnaApp
from onna_tui.tui.screens.token import TokenScreen
from onna_tui.tui.store import ProfileStore
from onna_tui.tui.widgets.countdown import TokenCountdown
from onna_tui.tui.widgets.status_bar import StatusBar


def raw_token(app: OnnaApp) -> str:
    assert app.session is not None and app.session.tokens is not None
    token = app.session.tokens.current
    assert token is not None
    return token.access_token.get_secret_value()


async def test_opens_the_default_profile_on_the_token_screen(app_factory, store) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TokenScreen)
        bar = app.screen.query_one(StatusBar)
        assert "work" in bar.profile_text and "ACMECORP" in bar.profile_text
        assert "no token" in bar.token_text
        assert app.screen.query_one(TokenCountdown).text == "no token"


async def test_new_token_shows_countdown_masked_token_and_owner(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        toasts = record_toasts(app)
        await pilot.press("n")
        await settle(pilot)
        countdown = app.screen.query_one(TokenCountdown)
        assert countdown.text == "59:59"
        assert countdown.state == "-ok"
        assert sandbox_state.stats()["token_exchanges"] == 1
        text = screen_text(app)
        token = raw_token(app)
        assert token not in text
        assert "••••••••" + token[-4:] in text
        assert "sha256:" in text
        assert "sandbox.developer@example.com" in text
        assert "pass" in text
        assert "token 59:59" in app.screen.query_one(StatusBar).token_text
        assert "Token" in toasts.titles()
        assert token not in toasts.text()


async def test_countdown_ticks_from_the_clock_and_changes_colour(
    app_factory, store, sandbox_clock: ManualClock
) -> None:
    app = app_factory(store=store, renew_early=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        countdown = app.screen.query_one(TokenCountdown)
        sandbox_clock.advance(1)
        countdown.tick()
        assert countdown.text == "59:58"
        assert countdown.has_class("-ok")

        sandbox_clock.advance(3599 - 1 - 299)  # 299 s left: under five minutes
        countdown.tick()
        assert countdown.text == "04:59"
        assert countdown.has_class("-warning") and not countdown.has_class("-ok")

        sandbox_clock.advance(299 - 59)  # 59 s left: under a minute
        countdown.tick()
        assert countdown.text == "00:59"
        assert countdown.has_class("-critical") and not countdown.has_class("-warning")

        sandbox_clock.advance(59)
        countdown.tick()
        assert countdown.text == "expired"
        assert countdown.has_class("-expired")
        bar = app.screen.query_one(StatusBar)
        bar.refresh_state()
        assert "token expired" in bar.token_text


async def test_auto_renew_mints_when_the_token_enters_the_margin(
    app_factory, store, sandbox_clock: ManualClock, sandbox_state: SandboxState
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        toasts = record_toasts(app)
        first = app.session.tokens.current
        assert "Auto-renew on" in screen_text(app)

        sandbox_clock.advance(3599 - 61)  # 61 s left: outside the 60 s margin
        app.check_renewal()
        await settle(pilot)
        assert app.session.tokens.current is first

        sandbox_clock.advance(2)  # 59 s left: inside it
        app.check_renewal()
        await settle(pilot)
        renewed = app.session.tokens.current
        assert renewed is not None and renewed.fingerprint != first.fingerprint
        assert sandbox_state.stats()["token_exchanges"] == 2
        assert "Token renewed" in toasts.titles()
        assert app.screen.query_one(TokenCountdown).text == "59:59"


async def test_with_auto_renew_off_the_token_expires_and_the_next_call_mints(
    app_factory, store, sandbox_clock: ManualClock, sandbox_state: SandboxState
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("a")
        assert app.session.tokens.renew_early is False
        assert "Auto-renew off" in screen_text(app)

        sandbox_clock.advance(3600)
        app.check_renewal()
        await settle(pilot)
        countdown = app.screen.query_one(TokenCountdown)
        countdown.tick()
        assert countdown.text == "expired"
        assert sandbox_state.stats()["token_exchanges"] == 1

        await pilot.press("f4")  # the workspace list needs a token: minted on demand
        await settle(pilot)
        assert sandbox_state.stats()["token_exchanges"] == 2
        assert app.session.tokens.current.seconds_left(sandbox_clock()) == 3599


async def test_forget_drops_the_token_here_and_in_the_keyring(app_factory, store) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        profile = (await store.list_profiles())[0]
        assert await store.cached_token(profile) is not None
        toasts = record_toasts(app)
        await pilot.press("f")
        await settle(pilot)
        assert app.session.tokens.current is None
        assert await store.cached_token(profile) is None
        assert app.screen.query_one(TokenCountdown).text == "no token"
        assert "Token forgotten" in toasts.titles()
        # Forgotten on purpose: auto-renew must not bring it straight back.
        app.check_renewal()
        await settle(pilot)
        assert app.session.tokens.current is None


async def test_copy_token_and_header_without_showing_them(app_factory, store) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        token = raw_token(app)
        toasts = record_toasts(app)
        await pilot.press("c")
        assert app.clipboard == token
        await pilot.press("h")
        assert app.clipboard == f"Authorization: Bearer {token}"
        assert toasts.titles() == ["Copied", "Copied"]
        assert token not in toasts.text()
        assert token not in screen_text(app)


async def test_reveal_shows_the_raw_token_only_on_request(app_factory, store) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        token = raw_token(app)
        assert token not in screen_text(app)
        await pilot.press("v")
        assert token in screen_text(app)
        await pilot.press("v")
        assert token not in screen_text(app)


async def test_a_refused_fresh_token_shows_the_authorization_message(
    app_factory, store, sandbox_state: SandboxState
) -> None:
    sandbox_state.add_fault({"path": "/oauth/user", "status": 401, "count": 2})
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        toasts = record_toasts(app)
        await pilot.press("n")
        await settle(pilot)
        assert "Not authorized" in toasts.titles()
        text = screen_text(app)
        assert "Not authorized" in text
        assert app.screen.query_one("#who-card").has_class("-error")
        assert raw_token(app) not in toasts.text()


def who(app: OnnaApp) -> str:
    return str(app.screen.query_one("#who").content)


async def test_an_owner_lookup_of_the_old_profile_never_lands_on_the_new_one(
    app_factory, two_profiles: ProfileStore, sandbox_state: SandboxState
) -> None:
    app = app_factory(store=two_profiles)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.session is not None and app.session.name == "work"
        sandbox_state.reset_stats()
        sandbox_state.add_fault({"path": "/v1/oauth/user", "method": "GET", "latency": 1.0})
        await pilot.press("n")  # a token for "work", then a slow "who is this?"
        await until(pilot, lambda: sandbox_state.stats()["by_route"].get("GET /v1/oauth/user"))
        app.activate_profile("other")
        await until(pilot, lambda: app.session is not None and app.session.name == "other")
        assert "Sandbox Developer" not in who(app)
        await pilot.press("n")  # the new profile's token: its owner is asked for at once
        await settle(pilot)
        assert "Second" in who(app), who(app)
        assert "Sandbox Developer" not in who(app)


async def test_reveal_ends_with_a_profile_switch_and_with_a_new_token(
    app_factory, two_profiles: ProfileStore
) -> None:
    app = app_factory(store=two_profiles)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("v")
        assert raw_token(app) in screen_text(app)
        await pilot.press("n")  # another token: hidden until asked for
        await settle(pilot)
        assert raw_token(app) not in screen_text(app)
        await pilot.press("v")
        assert raw_token(app) in screen_text(app)
        app.activate_profile("other")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.session is not None and app.session.name == "other"
        screen = app.screen
        assert isinstance(screen, TokenScreen) and not screen.revealed
        assert raw_token(app) not in screen_text(app)
