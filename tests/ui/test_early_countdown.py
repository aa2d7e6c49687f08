"""The early countdown: the cached token's expiry, read while the app starts, is counted down
on the start screen (and on the Token screen, if the person goes there) before the profile is
open, then gives way to the session's own token on the Token screen.

The helper process itself is tested in tests/unit/test_early_helper.py and, on the real
Secret Service, in tests/vault/test_secret_service.py; here its answer is injected
(``AppSettings.early_expiry``) and opening the profile is held back by a gate on
the store, so the moment between the two can be looked at.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
from ui_helpers import record_toasts, screen_text, settle, until

from onna_tui.api.http import make_http_client
from onna_tui.api.tokens import exchange_credentials
from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import AccessToken, Credentials
from onna_tui.tui.app import OnnaApp, StartScreen
from onna_tui.tui.early import EarlyExpiry
from onna_tui.tui.screens.credentials import CredentialsScreen
from onna_tui.tui.screens.token import TokenScreen
from onna_tui.tui.store import ProfileStore
from onna_tui.tui.widgets.countdown import TokenCountdown
from onna_tui.tui.widgets.status_bar import StatusBar


async def _cache_token(
    store: ProfileStore,
    creds: Credentials,
    base_url: str,
    clock: ManualClock,
    transport: httpx.ASGITransport,
) -> AccessToken:
    """A token the sandbox minted ten minutes ago, in the keyring as the app caches it."""
    async with make_http_client(transport) as http:
        token = await exchange_credentials(http, base_url, creds, clock)
    clock.advance(600)
    store.vault.put_token(base_url, creds.client_id, token)
    return token


def _gate(store: ProfileStore) -> asyncio.Event:
    """Hold ``list_profiles`` (the first step of opening the profile) until the event is set."""
    gate = asyncio.Event()
    original = store.list_profiles

    async def gated():  # type: ignore[no-untyped-def]
        await gate.wait()
        return await original()

    store.list_profiles = gated  # type: ignore[method-assign]
    return gate


def _answer(expiry: EarlyExpiry | None) -> Callable[[], Awaitable[EarlyExpiry | None]]:
    async def early() -> EarlyExpiry | None:
        return expiry

    return early


def _start_countdown(app: OnnaApp) -> TokenCountdown | None:
    """The countdown on the start screen, once the early answer is shown there."""
    if not isinstance(app.screen, StartScreen):
        return None
    found = app.screen.query("#start-token TokenCountdown")
    return found.first(TokenCountdown) if found else None


async def test_the_cached_expiry_counts_down_before_the_profile_is_open(
    app_factory, store, sandbox_credentials, sandbox_asgi_base_url, sandbox_clock, asgi_transport
) -> None:
    cached = await _cache_token(
        store, sandbox_credentials, sandbox_asgi_base_url, sandbox_clock, asgi_transport
    )
    gate = _gate(store)
    early = EarlyExpiry("work", cached.expires_at, cached.expires_in)
    app = app_factory(store=store, early_expiry=_answer(early))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _start_countdown(app) is not None)
        await pilot.pause()
        countdown = _start_countdown(app)
        assert countdown is not None
        assert app.session is None  # the profile is not open yet…
        assert countdown.token is early  # …and its token already counts down
        assert countdown.text == "49:59"
        text = screen_text(app)
        assert "left · expires at" in text
        assert "Opening your profile" in text and "profile work" in text
        assert cached.masked not in text  # the early answer never holds the token
        bar = app.screen.query_one(StatusBar)
        assert bar.profile_text == "work · opening…"
        assert bar.token_text == "token 49:59"  # the status bar agrees with the countdown

        # The clock moves on: the early countdown follows it like any other.
        sandbox_clock.advance(59)
        app.tick_signal.publish(None)
        await pilot.pause()
        assert countdown.text == "49:00"

        gate.set()
        await settle(pilot)
        # Open: the Token screen takes over, with the session's own token.
        assert app.session is not None and app.session.tokens is not None
        assert app.early_expiry is None
        assert isinstance(app.screen, TokenScreen)
        current = app.session.tokens.current
        assert current is not None and current.fingerprint == cached.fingerprint
        token_countdown = app.screen.query_one(TokenCountdown)
        assert token_countdown.token is current
        assert token_countdown.text == "49:00"
        assert app.screen.query_one(StatusBar).profile_text.startswith("work")
        assert "opening" not in app.screen.query_one(StatusBar).profile_text
        text = screen_text(app)
        assert cached.fingerprint in text
        assert "opening the profile" not in text


async def test_the_profile_opens_only_once_the_early_card_is_laid_out_and_drawn(
    app_factory, store, sandbox_credentials, sandbox_asgi_base_url, sandbox_clock, asgi_transport
) -> None:
    # Opening the profile blocks the event loop with imports for a tenth of a second or
    # more: if it began when the card was merely mounted, the countdown would wait for it.
    cached = await _cache_token(
        store, sandbox_credentials, sandbox_asgi_base_url, sandbox_clock, asgi_transport
    )
    early = EarlyExpiry("work", cached.expires_at, cached.expires_in)
    app = app_factory(store=store, early_expiry=_answer(early))
    when_opening: list[tuple[bool, str]] = []
    original = store.list_profiles

    async def recording():  # type: ignore[no-untyped-def]
        cards = app.screen.query("#start-token")
        laid_out = bool(cards) and bool(cards.first().region)
        when_opening.append((laid_out, screen_text(app)))
        return await original()

    store.list_profiles = recording  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: bool(when_opening))
        laid_out, text = when_opening[0]
        assert laid_out
        assert "left · expires at" in text
        await settle(pilot)
        assert isinstance(app.screen, TokenScreen)


async def test_the_early_answer_shows_without_waiting_for_the_start_worker(
    app_factory, store, sandbox_clock
) -> None:
    """The answer is waited for from the app's mount, not from the start worker, which
    runs only after the first paint: here the start never runs at all, and the
    countdown shows anyway (it did not before)."""
    early = EarlyExpiry("work", sandbox_clock() + timedelta(minutes=30), 3599)
    app = app_factory(store=store, early_expiry=_answer(early))
    started: list[bool] = []
    app.start = lambda: started.append(True)  # type: ignore[assignment,method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _start_countdown(app) is not None)
        await pilot.pause()
        countdown = _start_countdown(app)
        assert countdown is not None and countdown.token is early
        assert countdown.text == "30:00"
        assert "left · expires at" in screen_text(app)
        assert started == [True] and app.session is None


async def test_the_token_screen_shows_the_early_countdown_if_the_person_goes_there(
    app_factory, store, sandbox_credentials, sandbox_asgi_base_url, sandbox_clock, asgi_transport
) -> None:
    cached = await _cache_token(
        store, sandbox_credentials, sandbox_asgi_base_url, sandbox_clock, asgi_transport
    )
    gate = _gate(store)
    early = EarlyExpiry("work", cached.expires_at, cached.expires_in)
    app = app_factory(store=store, early_expiry=_answer(early))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _start_countdown(app) is not None)
        await pilot.press("f3")  # the Token screen's key, before the profile is open
        await until(pilot, lambda: isinstance(app.screen, TokenScreen))
        await pilot.pause()
        countdown = app.screen.query_one(TokenCountdown)
        assert app.session is None
        assert countdown.token is early
        assert countdown.text == "49:59"
        text = screen_text(app)
        assert "left · expires at" in text
        assert "opening the profile" in text
        assert cached.masked not in text

        # Keys that need the session say it is on its way (not "no profile").
        toasts = record_toasts(app)
        await pilot.press("n")
        await pilot.pause()
        assert [toast.title for toast in toasts.toasts] == ["Opening"]

        gate.set()
        await settle(pilot)
        assert isinstance(app.screen, TokenScreen)  # the person's move stands
        assert app.session is not None and app.session.tokens is not None
        current = app.session.tokens.current
        assert current is not None and countdown.token is current
        assert "opening the profile" not in screen_text(app)


async def test_without_an_early_answer_the_profile_opens_as_ever(app_factory, store) -> None:
    for answer in (_answer(None), _raises):
        app = app_factory(store=store, early_expiry=answer)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, TokenScreen)
            assert app.session is not None and app.early_expiry is None
            assert app.screen.query_one(TokenCountdown).text == "no token"


async def _raises() -> EarlyExpiry | None:
    raise OSError("the helper is gone")


async def test_a_profile_that_does_not_open_leaves_the_early_countdown(
    app_factory, store, sandbox_clock
) -> None:
    """The early answer named a profile the full path cannot open: the Credentials screen,
    as without it, and no countdown of a token nobody has."""
    early = EarlyExpiry("gone", sandbox_clock() + timedelta(minutes=30), 3599)
    app = app_factory(store=store, profile="gone", early_expiry=_answer(early))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CredentialsScreen)
        assert app.session is None and app.early_expiry is None
        await app.switch_mode("token")
        await pilot.pause()
        assert app.screen.query_one(TokenCountdown).text == "no token"


async def test_an_early_answer_for_another_profile_is_not_shown_for_this_one(
    app_factory, two_profiles, sandbox_clock
) -> None:
    early = EarlyExpiry("other", sandbox_clock() + timedelta(minutes=30), 3599)
    app = app_factory(store=two_profiles, profile="work", early_expiry=_answer(early))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.session is not None and app.session.name == "work"
        assert app.screen.query_one(TokenCountdown).text == "no token"


async def test_an_untrusted_profile_name_is_shown_as_text(
    app_factory, store, sandbox_clock
) -> None:
    gate = _gate(store)
    name = "[bold]x[/bold]"
    early = EarlyExpiry(name, sandbox_clock() + timedelta(minutes=30), 3599)
    app = app_factory(store=store, early_expiry=_answer(early))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _start_countdown(app) is not None)
        await pilot.pause()
        assert f"profile {name}" in screen_text(app)
        assert app.screen.query_one(StatusBar).profile_text == f"{name} · opening…"
        gate.set()
        await settle(pilot)
