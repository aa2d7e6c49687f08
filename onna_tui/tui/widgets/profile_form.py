"""The add/edit credentials dialog: verify with Onna first, then save.

The client secret goes into a password field and is never shown again: when
editing, the field starts empty ("leave empty to keep the stored secret").
Saving exchanges the credentials for a token through the service layer; only
if that works are the secret (keyring) and the profile (config.toml) stored.

Enter in a field moves on to the next one; Enter in the last field (the
secret), the button or ctrl+s saves. When editing, the secret field has the
focus, so a pasted secret never lands in another field. Escape closes the
dialog even while it verifies: nothing is stored before verification succeeds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Static

from onna_tui.core.urls import DEFAULT_BASE_URL
from onna_tui.tui.safe_text import plain
from onna_tui.tui.validators import BaseUrl, ClientId, NotBlank, Organisation, ProfileName
from onna_tui.tui.widgets.fields import FormField

if TYPE_CHECKING:
    from onna_tui.core.tokens import Credentials
    from onna_tui.tui.services import AppServices
    from onna_tui.tui.store import ProfileDraft, ProfileInfo

FIELDS = ("profile-name", "org", "base-url", "client-id", "client-secret")


class ProfileFormScreen(ModalScreen["ProfileInfo | None"]):
    """Add a profile, or edit one (its name stays)."""

    DEFAULT_CSS = """
    ProfileFormScreen { align: center middle; }
    ProfileFormScreen > Vertical {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary 60%;
        border-title-color: $text-accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    ProfileFormScreen #form-scroll { height: auto; }
    ProfileFormScreen #form-intro { color: $text-muted; padding: 0 1 1 1; }
    ProfileFormScreen #form-buttons { height: auto; margin-top: 1; }
    ProfileFormScreen #form-buttons Button { margin-right: 2; }
    ProfileFormScreen #form-status { padding: 0 1; height: auto; }
    ProfileFormScreen #form-status.-busy { color: $text-warning; }
    ProfileFormScreen #form-status.-error { color: $text-error; }
    ProfileFormScreen #form-status.-ok { color: $text-success; }
    ProfileFormScreen.-short > Vertical { height: 100%; border: round $primary; }
    ProfileFormScreen.-short #form-scroll { height: 1fr; }
    ProfileFormScreen.-short #form-intro { padding: 0 1; }
    ProfileFormScreen.-short #form-buttons { margin-top: 0; }
    ProfileFormScreen.-short #form-buttons Button { border: none; height: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "cancel", "Cancel", id="profile-form.cancel", tooltip="Close without saving."
        ),
        Binding(
            "ctrl+s",
            "save",
            "Verify and save",
            id="profile-form.save",
            priority=True,
            tooltip="Exchange the credentials for a token; store them only if that works.",
        ),
    ]
    #: The field that starts with the focus carries this class (the secret, when editing).
    AUTO_FOCUS = "Input.-start"

    def __init__(self, editing: ProfileInfo | None = None, *, rotating: bool = False) -> None:
        super().__init__()
        self.editing = editing
        #: Rotation: new credentials for ``editing`` (a new client id and secret, both asked).
        self.rotating = rotating and editing is not None
        self.busy = False
        #: True once the credentials are verified and being stored: too late to cancel.
        self._storing = False

    @property
    def onna(self) -> AppServices:
        return self.app  # type: ignore[return-value]

    def _title_and_intro(self) -> tuple[str | Text, str]:
        """The box's title and the sentence above the fields (rotating, editing or adding)."""
        editing = self.editing
        if self.rotating and editing is not None:
            return plain(f"Rotate credentials of {editing.name}"), (
                "1. In Onna's Platform API app, create new credentials and copy the secret "
                "(it is shown once). 2. Paste the new client id and secret here: they are "
                "checked with Onna before the old ones are replaced. 3. Then delete the old "
                f"credentials (client id {editing.client_id}) in the Platform API app."
            )
        title = plain(f"Edit profile {editing.name}") if editing else "Add credentials"
        return title, (
            "Client id and secret come from the Platform API app (API credentials). "
            "They are checked with Onna before anything is saved; the secret goes to "
            "your keyring and is not shown again."
        )

    def compose(self) -> ComposeResult:
        editing = self.editing
        with Vertical() as box:
            box.border_title, intro = self._title_and_intro()
            yield Static(plain(intro, multiline=True), id="form-intro")
            with VerticalScroll(id="form-scroll"):
                yield FormField(
                    "Profile name",
                    field_id="profile-name",
                    value=editing.name if editing else "",
                    placeholder="e.g. prod",
                    validators=[ProfileName()],
                    disabled=editing is not None,
                )
                yield FormField(
                    "Organisation (optional: the ORG in enterprise.onna.com/ORG)",
                    field_id="org",
                    value=(editing.org or "") if editing else "",
                    placeholder="e.g. ACMECORP",
                    validators=[Organisation()],
                )
                yield FormField(
                    "Base URL",
                    field_id="base-url",
                    value=editing.base_url if editing else DEFAULT_BASE_URL,
                    validators=[BaseUrl()],
                )
                yield FormField(
                    "Client id",
                    field_id="client-id",
                    value=editing.client_id if editing and not self.rotating else "",
                    placeholder="the new credentials' client id" if self.rotating else "",
                    validators=[ClientId()],
                )
                yield FormField(
                    "Client secret",
                    field_id="client-secret",
                    password=True,
                    placeholder=(
                        "leave empty to keep the stored secret"
                        if editing and not self.rotating
                        else "paste the secret (shown once in Onna)"
                    ),
                    validators=(
                        [] if editing and not self.rotating else [NotBlank("The client secret")]
                    ),
                )
            yield Static("", id="form-status", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button("Verify and save", id="form-save", variant="primary")
                yield Button("Cancel", id="form-cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        start = (
            "client-id" if self.rotating else "client-secret" if self.editing else "profile-name"
        )
        self._field(start).input.add_class("-start")

    def _field(self, name: str) -> FormField:
        return self.query_one(f"#{name}-field", FormField)

    def status(self) -> str:
        return str(self.query_one("#form-status", Static).content)

    def _set_status(self, text: str | Text, state: str) -> None:
        status = self.query_one("#form-status", Static)
        status.update(plain(text, multiline=True) if isinstance(text, str) else text)
        for name in ("-busy", "-error", "-ok"):
            status.set_class(name == state, name)

    # ------------------------------------------------------------- events

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        field = event.input.parent
        if isinstance(field, FormField) and field.error:
            field.show_error(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter: check this field and move to the next; in the last field, save."""
        event.stop()
        field = event.input.parent
        if not isinstance(field, FormField) or field.field_id == FIELDS[-1]:
            self.action_save()
            return
        if not field.check():
            return  # the error is under the field; the focus stays for fixing it
        following = FIELDS[FIELDS.index(field.field_id) + 1 :]
        for name in following:
            nxt = self._field(name).input
            if not nxt.disabled:
                nxt.focus()
                return

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if self._storing:
            # Verified and being written: closing now could leave half of it stored.
            self.notify(
                "The credentials are verified and being stored; the dialog closes "
                "when that is done.",
                title="Saving",
            )
            return
        # Not verified yet (or not started): nothing has been stored, so stopping is safe.
        verifying = self.busy
        self.workers.cancel_group(self, "profile-save")
        if verifying:
            self._set_busy(False)
            self.notify("Verification stopped; nothing was saved.", title="Cancelled")
        self.dismiss(None)

    # -------------------------------------------------------------- saving

    def draft(self) -> ProfileDraft | None:
        """The form as a draft, or None after showing what to fix."""
        fields = [self._field(name) for name in FIELDS]
        if not all([field.check() for field in fields if not field.input.disabled]):
            self._set_status("Fix the highlighted fields.", "-error")
            return None
        from pydantic import SecretStr

        from onna_tui.tui.store import ProfileDraft

        secret = self._field("client-secret").value
        org = self._field("org").value.strip()
        draft = ProfileDraft(
            name=self._field("profile-name").value.strip(),
            base_url=self._field("base-url").value.strip(),
            client_id=self._field("client-id").value.strip(),
            org=org or None,
            # Secrets are used as given (not stripped); an all-space one is treated as none.
            secret=SecretStr(secret) if secret.strip() else None,
            editing=self.editing.name if self.editing else None,
        )
        if self.editing is not None and draft.secret is None:
            from onna_tui.core.urls import normalize_base_url
            from onna_tui.tui.store import secret_needed

            # Said here, before anything is sent: the stored secret never goes to a new host.
            needed = secret_needed(
                self.editing.base_url,
                self.editing.client_id,
                normalize_base_url(draft.base_url),
                draft.client_id,
            )
            if needed is not None:
                secret_field = self._field("client-secret")
                secret_field.show_error(needed)
                secret_field.input.focus()
                self._set_status("Paste the client secret, then save again.", "-error")
                return None
        return draft

    def action_save(self) -> None:
        if self.busy:
            return
        draft = self.draft()
        if draft is not None:
            self.save(draft)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        # query, not query_one: a cancelled save ends here while the dialog is going away.
        for button in self.query("#form-save").results(Button):
            button.disabled = busy

    @work(exclusive=True, group="profile-save")
    async def save(self, draft: ProfileDraft) -> None:
        store = self.onna.store
        if store is None:
            return
        self._set_busy(True)
        if draft.secret is not None:
            self._set_status(f"Verifying the credentials with {draft.base_url}…", "-busy")
        else:
            self._set_status("Saving…", "-busy")
        check = self.onna.verifier(draft.base_url)
        # Without a new secret there is nothing to verify: it is a plain (quick) write.
        self._storing = draft.secret is None

        async def verify_then_store(credentials: Credentials) -> object:
            proof = await check(credentials)
            self._storing = True  # verified: the writes that follow are not cancelled
            return proof

        try:
            saved = await store.save(draft, verify_then_store)
        except Exception as exc:
            from onna_tui.tui.errors import describe

            title, message = describe(exc, "save the profile")
            kept = (
                " Nothing was saved; the stored secret is unchanged."
                if self.editing
                else (" Nothing was saved.")
            )
            self._set_status(
                Text.assemble(plain(title, "bold"), "\n", plain(message, multiline=True), kept),
                "-error",
            )
            self.onna.report_error(exc, "save the profile")
            return
        finally:
            self._storing = False
            self._set_busy(False)
        verified = "verified with Onna and saved" if draft.secret else "saved"
        left_behind = f" {saved.problem}" if saved.problem else ""
        self.notify(
            f"Profile {saved.name!r} {verified}; the secret is in {saved.secret_location}."
            + left_behind,
            title="Credentials saved",
            severity="warning" if saved.problem else "information",
        )
        self.dismiss(saved)
