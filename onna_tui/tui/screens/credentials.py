"""The Credentials screen: every profile, where its secret lives, how old it is, its token.

Add and edit open the verify-then-save dialog; delete asks first and says
plainly that deleting here revokes nothing at Onna.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from onna_tui.core.formatting import format_left
from onna_tui.core.profile_rules import secret_is_old
from onna_tui.tui.formatting import age
from onna_tui.tui.messages import ProfilesLoaded
from onna_tui.tui.paths import style
from onna_tui.tui.safe_text import plain
from onna_tui.tui.screens.base import OnnaScreen
from onna_tui.tui.widgets.confirm import ConfirmScreen
from onna_tui.tui.widgets.profile_form import ProfileFormScreen

if TYPE_CHECKING:
    from onna_tui.core.tokens import AccessToken
    from onna_tui.tui.session import Session
    from onna_tui.tui.store import ProfileInfo

COLUMNS = (
    ("", "mark"),
    ("Name", "name"),
    ("Organisation", "org"),
    ("Client id", "client_id"),
    ("Token", "token"),
    ("Secret age", "age"),
    ("Base URL", "base_url"),
    ("Secret stored in", "location"),
)


def delete_warning(profile: ProfileInfo) -> Text:
    """What deleting does and, above all, what it does not do."""
    return Text.assemble(
        "This removes the profile from onna-tui and its client secret and cached token from ",
        plain(profile.secret_location, "bold"),
        ".\n\n",
        ("It does not revoke the credentials at Onna. ", "bold"),
        "They keep working until you delete them in the Platform API app (API credentials). "
        "If the developer role should be revoked too, ask an Onna admin — and delete the "
        "credentials first: old credentials keep working after the role is revoked.",
    )


class CredentialsScreen(OnnaScreen):
    """The profiles table, the selected profile's details, and what can be done with it."""

    SECTION = "Credentials"
    AUTO_FOCUS = "#profiles"
    CSS_PATH = style("credentials.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "add",
            "Add",
            id="credentials.add",
            tooltip="Add a profile: client id and secret, verified with Onna first.",
        ),
        Binding(
            "e",
            "edit",
            "Edit",
            id="credentials.edit",
            tooltip="Change the selected profile or paste a new secret.",
        ),
        Binding(
            "r",
            "rotate",
            "Rotate",
            id="credentials.rotate",
            tooltip="Replace the selected profile's credentials with new ones from Onna.",
        ),
        Binding(
            "d",
            "delete",
            "Delete",
            id="credentials.delete",
            tooltip="Remove the selected profile here (nothing is revoked at Onna).",
        ),
        Binding(
            "s",
            "set_default",
            "Default",
            id="credentials.default",
            tooltip="Open the selected profile when onna-tui starts.",
        ),
        Binding(
            "enter",
            "use",
            "Use",
            id="credentials.use",
            tooltip="Make the selected profile the active one.",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._profiles: list[ProfileInfo] = []
        self._tokens: dict[str, AccessToken | None] = {}

    def compose_body(self) -> ComposeResult:
        with Vertical(id="cred-body"):
            table: DataTable[Text] = DataTable(id="profiles", cursor_type="row", zebra_stripes=True)
            table.border_title = "Profiles"
            yield table
            with VerticalScroll(id="profile-card", classes="card") as card:
                card.border_title = "Selected profile"
                yield Static("", id="profile-details", markup=False)
            yield Static(
                "Enter makes the selected profile active. Deleting a profile here does not "
                "revoke its credentials at Onna.",
                id="cred-hint",
                classes="hint",
            )

    def on_mount(self) -> None:
        table = self.query_one("#profiles", DataTable)
        for label, key in COLUMNS:
            table.add_column(label, key=key)
        self.onna.profiles_signal.subscribe(self, self._on_profiles)
        self.onna.session_signal.subscribe(self, self._on_session)
        self.onna.token_signal.subscribe(self, lambda _token: self._tick())
        # From the app's tick itself (see widgets.visibility): no wake-up of this screen's
        # message loop each second while it is hidden.
        self.onna.tick_signal.subscribe(self, lambda _: self._tick(), immediate=True)
        self._on_profiles(self.onna.profiles)

    def _on_profiles(self, profiles: list[ProfileInfo]) -> None:
        self._profiles = list(profiles)
        self._render_table()
        self.load_tokens()

    def _on_session(self, _session: Session | None) -> None:
        self._render_table()

    def _tick(self) -> None:
        """Once a second: the token column counts down (cells only, the cursor stays put)."""
        if not self._profiles or not self.is_current:
            return
        table = self.query_one("#profiles", DataTable)
        for profile in self._profiles:
            if profile.name in table.rows:
                table.update_cell(profile.name, "token", self._token_text(profile))
        self._render_details()

    # ------------------------------------------------------------ rendering

    @property
    def selected(self) -> ProfileInfo | None:
        table = self.query_one("#profiles", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((p for p in self._profiles if p.name == key), None)

    def _token_of(self, profile: ProfileInfo) -> AccessToken | None:
        session = self.onna.session
        if session is not None and session.name == profile.name and session.tokens is not None:
            return session.tokens.current
        return self._tokens.get(profile.name)

    def _token_text(self, profile: ProfileInfo) -> Text:
        token = self._token_of(profile)
        if token is None:
            return Text("none", style="dim")
        left = token.seconds_left(self.onna.clock())
        if left <= 0:
            return Text("expired", style="red")
        return Text(f"valid {format_left(left)}", style="yellow" if left < 300 else "green")

    def _render_table(self) -> None:
        table = self.query_one("#profiles", DataTable)
        selected = self.selected.name if self.selected else None
        active = self.onna.session.name if self.onna.session else None
        now = self.onna.clock()
        table.clear()
        for profile in self._profiles:
            mark = ("● " if profile.name == active else "  ") + ("★" if profile.is_default else " ")
            # Everything but the marks comes from config.toml, which may be edited by hand.
            table.add_row(
                Text(mark, style="bold"),
                plain(profile.name, "bold" if profile.name == active else ""),
                plain(profile.org) if profile.org else Text("—", style="dim"),
                plain(profile.client_id),
                self._token_text(profile),
                self._age_text(profile, now),
                plain(profile.base_url),
                plain(profile.secret_location),
                key=profile.name,
            )
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected), animate=False)
        self._render_details()
        if not self._profiles:
            table.border_subtitle = "no profiles yet: press a to add credentials"
        else:
            table.border_subtitle = "● active  ★ default"

    @staticmethod
    def _secret_old(profile: ProfileInfo, now: datetime) -> bool:
        return secret_is_old(profile.secret_set_at, now, profile.secret_max_age_days)

    def _age_text(self, profile: ProfileInfo, now: datetime) -> Text:
        text = Text(age(profile.secret_set_at, now))
        if self._secret_old(profile, now):
            text.append(" · rotate", style="bold yellow")
        return text

    def _render_details(self) -> None:
        details = self.query_one("#profile-details", Static)
        profile = self.selected
        if profile is None:
            details.update(
                Text("Press a to add credentials from the Platform API app.", style="italic")
            )
            return
        now = self.onna.clock()
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        active = self.onna.session is not None and self.onna.session.name == profile.name
        state = ", ".join(
            word for word, on_ in (("active", active), ("default", profile.is_default)) if on_
        )
        grid.add_row("Profile", plain(profile.name + (f" ({state})" if state else "")))
        grid.add_row("Organisation", plain(profile.org or "—"))
        grid.add_row("Base URL", plain(profile.base_url))
        grid.add_row("Client id", plain(profile.client_id))
        if profile.secret_set_at is not None:
            grid.add_row(
                "Client secret",
                Text.assemble(
                    ("••••••••", "dim"),
                    f"  stored {age(profile.secret_set_at, now)} in ",
                    plain(profile.secret_location, "bold"),
                ),
            )
            if self._secret_old(profile, now):
                grid.add_row(
                    "",
                    Text(
                        f"Older than {profile.secret_max_age_days} days: rotate it (new "
                        "credentials in the Platform API app, then r here to paste them, then "
                        "delete the old ones there).",
                        style="yellow",
                    ),
                )
        else:
            grid.add_row("Client secret", Text("not stored: press e to paste it", style="yellow"))
        grid.add_row("Token", self._token_text(profile))
        details.update(grid)

    @on(DataTable.RowHighlighted, "#profiles")
    def _highlighted(self) -> None:
        self._render_details()

    @on(DataTable.RowSelected, "#profiles")
    def _selected(self) -> None:
        self.action_use()

    # -------------------------------------------------------------- workers

    @work(exclusive=True, group="cred-tokens")
    async def load_tokens(self) -> None:
        """The cached token of each profile (from the keyring), for the Token column."""
        store = self.onna.store
        if store is None:
            return
        tokens: dict[str, AccessToken | None] = {}
        for profile in list(self._profiles):
            tokens[profile.name] = await store.cached_token(profile)
        self._tokens = tokens
        self.post_message(ProfilesLoaded(self._profiles))

    @on(ProfilesLoaded)
    def _tokens_loaded(self) -> None:
        self._render_table()

    @work(exclusive=True, group="cred-change")
    async def set_default(self, name: str) -> None:
        store = self.onna.store
        if store is None:
            return
        try:
            await store.set_default(name)
        except Exception as exc:
            self.onna.report_error(exc, "set the default profile")
            return
        self.notify(f"onna-tui will open {name!r} when it starts.", title="Default profile")
        self.onna.reload_profiles()

    @work(exclusive=True, group="cred-change")
    async def delete_profile(self, profile: ProfileInfo) -> None:
        store = self.onna.store
        if store is None:
            return
        try:
            await store.delete(profile.name)
        except Exception as exc:
            self.onna.report_error(exc, "delete the profile")
            return
        self.notify(
            f"Profile {profile.name!r} deleted here. Its credentials still work at Onna until "
            "you delete them in the Platform API app.",
            title="Profile deleted",
            timeout=10,
        )
        self.onna.after_profile_deleted(profile.name)

    # -------------------------------------------------------------- actions

    def _need_store(self) -> bool:
        if self.onna.store is None:
            self.notify("Profiles are not available yet.", title="Please wait", severity="warning")
            return False
        return True

    def _need_selection(self) -> ProfileInfo | None:
        profile = self.selected
        if profile is None:
            self.notify(
                "There is no profile yet: press a to add one.",
                title="No profile",
                severity="warning",
            )
        return profile

    def action_add(self) -> None:
        if self._need_store():
            self.app.push_screen(ProfileFormScreen(), self._saved)

    def action_edit(self) -> None:
        profile = self._need_selection()
        if profile is not None and self._need_store():
            self.app.push_screen(ProfileFormScreen(profile), self._saved)

    def action_rotate(self) -> None:
        profile = self._need_selection()
        if profile is not None and self._need_store():
            self.app.push_screen(
                ProfileFormScreen(profile, rotating=True), partial(self._rotated, profile)
            )

    def _rotated(self, old: ProfileInfo, profile: ProfileInfo | None) -> None:
        if profile is None:
            return
        self._saved(profile)
        if profile.client_id != old.client_id:
            said = (
                f"Now delete the old credentials (client id {old.client_id}) in Onna's "
                "Platform API app: they keep working until they are deleted."
            )
        else:
            said = "Same client id: Onna regenerated its secret, so the old one no longer works."
        self.notify(said, title="Credentials rotated", timeout=30)

    def _saved(self, profile: ProfileInfo | None) -> None:
        if profile is not None:
            self.onna.after_profile_saved(profile.name)

    def action_delete(self) -> None:
        profile = self._need_selection()
        if profile is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete_profile(profile)

        self.app.push_screen(
            ConfirmScreen(
                plain(f"Delete profile {profile.name!r}?"), delete_warning(profile), yes="Delete"
            ),
            answered,
        )

    def action_set_default(self) -> None:
        profile = self._need_selection()
        if profile is not None:
            self.set_default(profile.name)

    def action_use(self) -> None:
        profile = self._need_selection()
        if profile is None:
            return
        session = self.onna.session
        if session is not None and session.name == profile.name:
            self.notify(f"{profile.name!r} is already the active profile.", title="Profile")
            return
        self.onna.activate_profile(profile.name)
