"""First run, the credentials dialog (verify-then-save), delete, default, switching profiles."""

from __future__ import annotations

import socket
import threading
from functools import partial
from typing import Any

import pytest
from pydantic import SecretStr
from textual import events
from ui_helpers import record_toasts, screen_text, settle, until

from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import Credentials
from onna_tui.sandbox.state import SandboxState
from onna_tui.storage.config_file import Profile
from onna_tui.tui.sandbox_mode import start_sandbox
from onna_tui.tui.screens.credentials import CredentialsScreen
from onna_tui.tui.screens.token import TokenScreen
from onna_tui.tui.screens.welcome import WelcomeScreen
from onna_tui.tui.store import ProfileDraft, ProfileStore
from onna_tui.tui.widgets.confirm import ConfirmScreen
from onna_tui.tui.widgets.fields import FormField
from onna_tui.tui.widgets.profile_form import ProfileFormScreen
from onna_tui.tui.widgets.status_bar import StatusBar


async def fill_form(pilot, form: ProfileFormScreen, **values: str) -> None:
    for name, value in values.items():
        form.query_one(f"#{name.replace('_', '-')}-field", FormField).input.value = value
    await pilot.pause()


async def test_first_run_welcomes_and_explains_the_steps(app_factory, empty_store) -> None:
    app = app_factory(store=empty_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        text = screen_text(app)
        assert "developer role" in text
        assert "Platform API app" in text
        assert "Add credentials" in text and "Try the sandbox" in text
        assert "no profile yet" in app.screen.query_one(StatusBar).profile_text


async def test_add_credentials_verifies_then_saves(
    app_factory,
    empty_store: ProfileStore,
    sandbox_credentials: Credentials,
    sandbox_asgi_base_url: str,
    sandbox_state: SandboxState,
) -> None:
    secret = sandbox_credentials.client_secret.get_secret_value()
    app = app_factory(store=empty_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        toasts = record_toasts(app)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ProfileFormScreen)
        await pilot.press(*"work")  # the name field has the focus
        await fill_form(
            pilot,
            form,
            org="ACMECORP",
            base_url=sandbox_asgi_base_url,
            client_id=sandbox_credentials.client_id,
            client_secret=secret,
        )
        assert secret not in screen_text(app)  # a password field: bullets only
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TokenScreen)
        profiles = await empty_store.list_profiles()
        assert [p.name for p in profiles] == ["work"]
        assert profiles[0].org == "ACMECORP" and profiles[0].secret_set_at is not None
        stored = empty_store.vault.get_secret(sandbox_asgi_base_url, sandbox_credentials.client_id)
        assert stored is not None and stored.get_secret_value() == secret
        assert sandbox_state.stats()["token_exchanges"] == 1  # verified before saving
        assert "Credentials saved" in toasts.titles()
        assert app.session is not None and app.session.name == "work"
        assert secret not in toasts.text()
        assert secret not in screen_text(app)


async def test_a_new_profile_with_a_wrong_secret_is_not_saved(
    app_factory,
    empty_store: ProfileStore,
    sandbox_credentials: Credentials,
    sandbox_asgi_base_url: str,
) -> None:
    app = app_factory(store=empty_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        toasts = record_toasts(app)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        await fill_form(
            pilot,
            form,
            profile_name="work",
            base_url=sandbox_asgi_base_url,
            client_id=sandbox_credentials.client_id,
            client_secret="not-the-secret-123",
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # still open, for another try
        assert "Onna rejected the client id or client secret" in form.status()
        assert "Nothing was saved" in form.status()
        assert toasts.titles() == ["Invalid credentials"]
        assert await empty_store.list_profiles() == []
        assert "not-the-secret-123" not in toasts.text() + screen_text(app)


async def test_a_wrong_new_secret_keeps_the_old_one(
    app_factory,
    store: ProfileStore,
    sandbox_credentials: Credentials,
    sandbox_asgi_base_url: str,
    sandbox_clock: ManualClock,
) -> None:
    before = (await store.list_profiles())[0]
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, CredentialsScreen)
        sandbox_clock.advance(3600)
        toasts = record_toasts(app)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ProfileFormScreen)
        await fill_form(pilot, form, client_secret="a-wrong-secret-456")
        await pilot.press("enter")
        await settle(pilot)
        assert "Invalid credentials" in form.status()
        assert "the stored secret is unchanged" in form.status()
        assert "Invalid credentials" in toasts.titles()
        kept = store.vault.get_secret(sandbox_asgi_base_url, sandbox_credentials.client_id)
        assert kept == sandbox_credentials.client_secret
        assert (await store.list_profiles())[0].secret_set_at == before.secret_set_at
        await pilot.press("escape")
        assert isinstance(app.screen, CredentialsScreen)


async def test_the_credentials_table_shows_where_the_secret_lives_and_its_age(
    app_factory,
    store: ProfileStore,
    sandbox_clock: ManualClock,
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sandbox_clock.advance(3 * 86400)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(app)
        for expected in (
            "work",
            "ACMECORP",
            "test-client",
            "http://127.0.0.1/v1",
            "in-memory (this run only)",
            "3 days ago",
            "valid 59:59",
        ):
            assert expected in text, expected


async def test_rotate_asks_for_new_credentials_verifies_and_says_to_delete_the_old(
    app_factory,
    store: ProfileStore,
    sandbox_state: SandboxState,
    sandbox_credentials: Credentials,
    sandbox_asgi_base_url: str,
) -> None:
    sandbox_state.add_client(client_id="new-client", client_secret="new-secret-789")
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        toasts = record_toasts(app)
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ProfileFormScreen) and form.rotating
        text = screen_text(app)
        assert "Rotate credentials of work" in text
        assert f"client id {sandbox_credentials.client_id}" in text
        assert form.query_one("#client-id-field", FormField).value == ""
        await pilot.press("ctrl+s")  # no secret: refused here, nothing sent
        await settle(pilot)
        assert app.screen is form
        await fill_form(pilot, form, client_id="new-client", client_secret="new-secret-789")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CredentialsScreen)
        [saved] = await store.list_profiles()
        assert saved.client_id == "new-client"
        assert store.vault.get_secret(sandbox_asgi_base_url, "new-client") == SecretStr(
            "new-secret-789"
        )
        assert store.vault.get_secret(sandbox_asgi_base_url, sandbox_credentials.client_id) is None
        assert "Credentials rotated" in toasts.titles()
        assert f"delete the old credentials (client id {sandbox_credentials.client_id})" in (
            toasts.text()
        )
        assert "new-secret-789" not in toasts.text() + screen_text(app)


async def test_a_secret_older_than_the_configured_age_is_flagged_for_rotation(
    app_factory,
    store: ProfileStore,
    sandbox_clock: ManualClock,
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert "rotate" not in screen_text(app)
        sandbox_clock.advance(91 * 86400)
        app.reload_profiles()
        await settle(pilot)
        text = screen_text(app)
        assert "91 days ago · rotate" in text
        assert "Older than 90 days: rotate it" in text
        path = store.config.path
        path.write_text("secret_max_age_days = 0\n" + path.read_text())
        app.reload_profiles()
        await settle(pilot)
        assert "rotate" not in screen_text(app)


async def test_delete_asks_first_and_says_nothing_is_revoked_at_onna(
    app_factory,
    store: ProfileStore,
    sandbox_credentials: Credentials,
    sandbox_asgi_base_url: str,
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "does not revoke the credentials at Onna" in screen_text(app)
        text = " ".join(str(app.screen.query_one("#confirm-body").content).split())
        assert "Platform API app" in text and "admin" in text
        assert "keep working after the role is revoked" in text
        await pilot.press("escape")
        await settle(pilot)
        assert len(await store.list_profiles()) == 1

        toasts = record_toasts(app)
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#confirm-yes")
        await settle(pilot)
        assert await store.list_profiles() == []
        assert store.vault.get_secret(sandbox_asgi_base_url, sandbox_credentials.client_id) is None
        assert "Profile deleted" in toasts.titles()
        assert app.session is None


async def test_set_default_and_switch_profiles(
    app_factory,
    store: ProfileStore,
    sandbox_state: SandboxState,
    sandbox_asgi_base_url: str,
    sandbox_clock: ManualClock,
) -> None:
    other = sandbox_state.add_client("other-client", "other-secret-value-0987")
    profile = Profile.new("other", other.client_id, sandbox_asgi_base_url, clock=sandbox_clock)
    store.config.put(profile.changed(sandbox_clock, secret_set_at=sandbox_clock()))
    store.vault.put_secret(sandbox_asgi_base_url, other.client_id, other.client_secret)
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.session.name == "work"  # the default
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CredentialsScreen)
        await pilot.press("down")  # "other" sorts after... no: profiles sort by name
        assert screen.selected is not None
        target = screen.selected.name
        assert target == "work" or target == "other"
        while screen.selected.name != "other":
            await pilot.press("up")
        await pilot.press("s")
        await settle(pilot)
        assert store.config.load().default == "other"
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.name == "other"
        assert "other" in app.screen.query_one(StatusBar).profile_text


async def test_try_the_sandbox_from_the_welcome_screen(app_factory, empty_store) -> None:
    app = app_factory(store=empty_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        toasts = record_toasts(app)
        await pilot.press("t")
        await settle(pilot, rounds=6)
        assert isinstance(app.screen, TokenScreen)
        assert app.session is not None and app.session.name == "sandbox"
        assert "(sandbox)" in app.screen.query_one(StatusBar).profile_text
        assert "Sandbox running" in toasts.titles()
        assert app.store is not empty_store  # the person's store is left alone
        assert await empty_store.list_profiles() == []
        await pilot.press("n")
        await settle(pilot)
        assert app.session.tokens.current is not None


async def test_a_server_that_is_down_gives_a_toast_not_a_traceback(
    app_factory,
    empty_store: ProfileStore,
    sandbox_credentials: Credentials,
    sandbox_clock: ManualClock,
) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/v1"
    profile = Profile.new("down", sandbox_credentials.client_id, base_url, clock=sandbox_clock)
    empty_store.config.put(profile.changed(sandbox_clock, secret_set_at=sandbox_clock()))
    empty_store.vault.put_secret(
        base_url,
        sandbox_credentials.client_id,
        SecretStr(sandbox_credentials.client_secret.get_secret_value()),
    )
    app = app_factory(store=empty_store, transport=None)
    async with app.run_test(size=(80, 24)) as pilot:
        toasts = record_toasts(app)
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        errors = toasts.errors()
        assert errors, toasts.text()
        assert {t.title for t in errors} == {"Cannot reach the server"}
        assert any("refused the connection" in t.message for t in errors)
        assert "Traceback" not in toasts.text()
        assert sandbox_credentials.client_secret.get_secret_value() not in toasts.text()
        assert app.is_running and app.return_code is None
        await pilot.press("f4")
        await settle(pilot)
        assert app.is_running


#: What a pasted client secret looks like (43 URL-safe characters): never an organisation.
PASTED_SECRET = "Zm9vYmFyYmF6LXF1eF9jb3JnZS1ncmF1bHQtZ2FycGx"


async def open_edit_form(pilot) -> ProfileFormScreen:
    await settle(pilot)
    await pilot.press("f2")
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, ProfileFormScreen)
    return form


def form_field(form: ProfileFormScreen, name: str) -> FormField:
    return form.query_one(f"#{name}-field", FormField)


async def test_editing_starts_in_the_secret_field_and_a_secret_is_no_organisation(
    app_factory,
    store: ProfileStore,
) -> None:
    assert len(PASTED_SECRET) == 43
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_edit_form(pilot)
        assert form.focused is form_field(form, "client-secret").input
        org = form_field(form, "org")
        org.input.value = PASTED_SECRET
        org.input.focus()
        await pilot.pause()
        await pilot.press("enter")  # Enter checks the field and stays on it: nothing is saved
        await settle(pilot)
        assert app.screen is form
        assert "Too long for an organisation" in org.error
        assert "enterprise.onna.com/ORG" in org.error and "ACMECORP" in org.error
        assert PASTED_SECRET not in org.error
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "Fix the highlighted fields" in form.status()
        assert (await store.list_profiles())[0].org == "ACMECORP"


async def test_enter_moves_to_the_next_field_and_saves_from_the_last(
    app_factory,
    empty_store: ProfileStore,
    sandbox_credentials: Credentials,
    sandbox_asgi_base_url: str,
) -> None:
    app = app_factory(store=empty_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ProfileFormScreen)
        assert form.focused is form_field(form, "profile-name").input
        await pilot.press(*"work", "enter")
        assert form.focused is form_field(form, "org").input
        await pilot.press("enter")  # optional: Enter moves on
        assert form.focused is form_field(form, "base-url").input
        await fill_form(
            pilot, form, base_url=sandbox_asgi_base_url, client_id=sandbox_credentials.client_id
        )
        await pilot.press("enter")
        assert form.focused is form_field(form, "client-id").input
        await pilot.press("enter")
        assert form.focused is form_field(form, "client-secret").input
        assert await empty_store.list_profiles() == []  # nothing saved on the way
        await fill_form(
            pilot, form, client_secret=sandbox_credentials.client_secret.get_secret_value()
        )
        await pilot.press("enter")
        await settle(pilot)
        assert [p.name for p in await empty_store.list_profiles()] == ["work"]


async def test_escape_stops_a_slow_verification_and_saves_nothing(
    app_factory,
    empty_store: ProfileStore,
    sandbox_credentials: Credentials,
    sandbox_asgi_base_url: str,
    sandbox_state: SandboxState,
) -> None:
    sandbox_state.add_fault({"path": "/v1/oauth/token", "method": "POST", "latency": 1.0})
    app = app_factory(store=empty_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ProfileFormScreen)
        await fill_form(
            pilot,
            form,
            profile_name="work",
            base_url=sandbox_asgi_base_url,
            client_id=sandbox_credentials.client_id,
            client_secret=sandbox_credentials.client_secret.get_secret_value(),
        )
        toasts = record_toasts(app)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: sandbox_state.stats()["by_route"].get("POST /v1/oauth/token"))
        assert form.busy
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not form
        assert "Cancelled" in toasts.titles()
        assert await empty_store.list_profiles() == []
        stored = empty_store.vault.get_secret(sandbox_asgi_base_url, sandbox_credentials.client_id)
        assert stored is None


async def test_a_multi_line_paste_into_the_secret_field_is_refused(
    app_factory,
    store: ProfileStore,
) -> None:
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_edit_form(pilot)
        secret = form_field(form, "client-secret")
        secret.input.post_message(events.Paste("first-line-of-it\nsecond-line-of-it\n"))
        await pilot.pause()
        assert secret.value == ""  # no fragment kept
        assert secret.error == "The paste had 2 lines; paste the client secret alone."
        assert "first-line-of-it" not in screen_text(app)
        secret.input.post_message(events.Paste("  \n  the-whole-secret-123 \r\n"))
        await pilot.pause()
        assert secret.value == "the-whole-secret-123"  # trimmed
        assert secret.error == ""
        # Other fields paste as before (the first line).
        org = form_field(form, "org")
        org.input.value = ""
        org.input.post_message(events.Paste("NEWORG\nmore"))
        await pilot.pause()
        assert org.value == "NEWORG"


async def test_a_double_try_the_sandbox_starts_one_sandbox(
    app_factory,
    empty_store,
    sandbox_clock: ManualClock,
    sandbox_state: SandboxState,
) -> None:
    gate = threading.Event()
    started: list[int] = []

    def starter() -> Any:
        started.append(1)
        gate.wait(timeout=10)  # still starting when the second press comes
        return start_sandbox(clock=sandbox_clock, in_process=True, state=sandbox_state)

    app = app_factory(store=empty_store, sandbox_starter=partial(starter))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("t")
        await until(pilot, lambda: started)
        await pilot.press("t")
        await pilot.pause()
        gate.set()
        await settle(pilot, rounds=6)
        assert len(started) == 1
        assert isinstance(app.screen, TokenScreen)
        assert app.session is not None and app.session.name == "sandbox"


async def test_config_is_read_and_written_off_the_event_loop(
    store: ProfileStore,
    sandbox_asgi_base_url: str,
    sandbox_credentials: Credentials,
) -> None:
    loop_thread = threading.get_ident()
    seen: list[tuple[str, int]] = []
    config = store.config
    for name in ("load", "put", "set_default"):
        original = getattr(config, name)

        def spy(*args: Any, _name: str = name, _original: Any = original) -> Any:
            seen.append((_name, threading.get_ident()))
            return _original(*args)

        setattr(config, name, spy)
    await store.list_profiles()
    await store.set_default("work")
    draft = ProfileDraft(
        name="work",
        base_url=sandbox_asgi_base_url,
        client_id=sandbox_credentials.client_id,
        org="NEWORG",
        secret=None,
        editing="work",
    )
    saved = await store.save(draft, verify=None)  # type: ignore[arg-type]
    assert saved.org == "NEWORG"
    assert {name for name, _ in seen} == {"load", "put", "set_default"}
    assert all(thread != loop_thread for _, thread in seen), seen


NEW_BASE_URL = "http://localhost/v1"  # the same in-process sandbox, under another name


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            {"base-url": NEW_BASE_URL},
            f"The base URL changed: paste the client secret again to use it with {NEW_BASE_URL}.",
        ),
        (
            {"client-id": "another-client"},
            "The client id changed: paste the client secret of that client id",
        ),
        (
            {"base-url": NEW_BASE_URL, "client-id": "another-client"},
            "The base URL and the client id changed: paste the client secret",
        ),
    ],
    ids=["base-url", "client-id", "both"],
)
async def test_a_new_base_url_or_client_id_needs_the_secret_pasted_again(
    app_factory,
    store: ProfileStore,
    sandbox_state: SandboxState,
    sandbox_credentials: Credentials,
    change: dict[str, str],
    said: str,
) -> None:
    # One rule for both front ends: a stored secret goes to a new host only when the
    # person re-enters it. The TUI says so on the secret field, before sending anything.
    before = (await store.list_profiles())[0]
    sandbox_state.reset_stats()
    app = app_factory(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_edit_form(pilot)
        for name, value in change.items():
            form_field(form, name).input.value = value
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        secret = form_field(form, "client-secret")
        assert app.screen is form
        assert secret.error.startswith(said), secret.error
        assert "Paste the client secret, then save again." in form.status()
        assert form.focused is secret.input
        assert sandbox_state.stats()["token_exchanges"] == 0  # nothing was sent anywhere
        assert (await store.list_profiles())[0] == before
        # Re-entered, the secret is verified at the new URL and saved with it.
        if "client-id" in change:
            sandbox_state.add_client("another-client", "another-secret-value-0987")
        secret.input.value = (
            "another-secret-value-0987"
            if "client-id" in change
            else sandbox_credentials.client_secret.get_secret_value()
        )
        await pilot.pause()
        assert secret.error == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CredentialsScreen)
        after = (await store.list_profiles())[0]
        assert after.base_url == change.get("base-url", before.base_url)
        assert after.client_id == change.get("client-id", before.client_id)
        assert sandbox_state.stats()["token_exchanges"] == 1


async def test_the_store_refuses_a_new_base_url_without_a_secret_too(
    store: ProfileStore,
    sandbox_state: SandboxState,
) -> None:
    before = (await store.list_profiles())[0]
    draft = ProfileDraft(
        name=before.name,
        base_url=NEW_BASE_URL,
        client_id=before.client_id,
        org=before.org,
        secret=None,
        editing=before.name,
    )

    async def verify(_credentials: Any) -> object:
        raise AssertionError("nothing may be sent to the new URL")

    with pytest.raises(Exception, match="paste the client secret again") as raised:
        await store.save(draft, verify)
    assert type(raised.value).__name__ == "ConfigError"
    assert (await store.list_profiles())[0] == before


async def test_a_save_whose_only_failure_is_removing_the_old_entries_says_what_was_saved(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onna_tui.storage.keyring.errors import KeyringLocked

    before = (await store.list_profiles())[0]

    async def locked(_base_url: str, _client_id: str) -> None:
        raise KeyringLocked("The keyring is locked: unlock it and try again.")

    async def verify(_credentials: Any) -> object:
        return object()

    monkeypatch.setattr(store.vault, "aforget_profile", locked)
    draft = ProfileDraft(
        name=before.name,
        base_url=before.base_url,
        client_id="new-client-id",
        org=before.org,
        secret=SecretStr("the-new-secret"),
        editing=before.name,
    )
    saved = await store.save(draft, verify)
    assert saved.client_id == "new-client-id"
    assert saved.problem == (
        "The old secret could not be removed from the keyring: "
        "The keyring is locked: unlock it and try again."
    )
    assert (await store.list_profiles())[0].client_id == "new-client-id"
    stored = store.vault.get_secret(before.base_url, "new-client-id")
    assert stored is not None and stored.get_secret_value() == "the-new-secret"


async def test_the_form_says_when_the_old_secret_stayed_in_the_keyring(
    app_factory,
    store: ProfileStore,
    sandbox_state: SandboxState,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from onna_tui.storage.keyring.errors import KeyringLocked

    new_secret = sandbox_state.add_client(client_id="rotated-client").client_secret

    async def locked(_base_url: str, _client_id: str) -> None:
        raise KeyringLocked("The keyring is locked: unlock it and try again.")

    monkeypatch.setattr(store.vault, "aforget_profile", locked)
    app = app_factory(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_edit_form(pilot)
        toasts = record_toasts(app)
        await fill_form(
            pilot, form, client_id="rotated-client", client_secret=new_secret.get_secret_value()
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Credentials saved" in toasts.titles()
        assert "The old secret could not be removed from the keyring" in toasts.text()
        assert "Nothing was saved" not in toasts.text()
        assert new_secret.get_secret_value() not in toasts.text()
