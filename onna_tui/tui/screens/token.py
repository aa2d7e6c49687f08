"""The Token screen: a live countdown of the active profile's access token, and what to do with it.

The raw token is shown only after an explicit "reveal" (for that one token of
that one profile); otherwise the masked form (last four characters) and a
SHA-256 fingerprint tell tokens apart. Answers that arrive after another profile
became active are dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from onna_tui.errors import OnnaTuiError
from onna_tui.tui.formatting import local_time
from onna_tui.tui.messages import HealthFailed, HealthLoaded, UserFailed, UserLoaded
from onna_tui.tui.paths import style
from onna_tui.tui.safe_text import plain
from onna_tui.tui.screens.base import OnnaScreen
from onna_tui.tui.widgets.countdown import TokenCountdown

if TYPE_CHECKING:
    from onna_tui.core.tokens import AccessToken
    from onna_tui.tui.early import EarlyExpiry
    from onna_tui.tui.session import Session


class TokenScreen(OnnaScreen):
    """Countdown, lifetime bar, details, owner and API health of the active token."""

    SECTION = "Token"
    CSS_PATH = style("token.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n",
            "new_token",
            "New token",
            id="token.new",
            tooltip="Exchange the client credentials for a new access token now.",
        ),
        Binding(
            "c",
            "copy_token",
            "Copy",
            id="token.copy",
            tooltip="Copy the access token to the clipboard.",
        ),
        Binding(
            "h",
            "copy_header",
            "Copy header",
            id="token.copy-header",
            tooltip="Copy an 'Authorization: Bearer …' header line to the clipboard.",
        ),
        Binding(
            "f",
            "forget",
            "Forget",
            id="token.forget",
            tooltip="Drop the cached token here and in the keyring.",
        ),
        Binding(
            "a",
            "toggle_renew",
            "Auto-renew",
            id="token.auto-renew",
            tooltip="Switch re-minting before expiry on or off.",
        ),
        Binding(
            "v",
            "toggle_reveal",
            "Reveal",
            id="token.reveal",
            tooltip="Show or hide the raw access token.",
        ),
        Binding(
            "u",
            "refresh",
            "Refresh",
            id="token.refresh",
            show=False,
            tooltip="Ask again who the token belongs to and how the API is.",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        #: True while the raw token is on screen (only after the reveal action).
        self.revealed = False
        #: The fingerprint of the token that was revealed (another token starts hidden).
        self._revealed_for: str | None = None
        #: The fingerprint of the token the owner was last asked for.
        self._user_for: str | None = None
        self._user_loading = False

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="token-body"):
            with Horizontal(id="token-top"):
                with Vertical(id="token-card", classes="card") as card:
                    card.border_title = "Access token"
                    yield TokenCountdown(
                        self.onna.clock, self.onna.settings.display_tz, id="countdown"
                    )
                    yield Static("", id="renew-state")
                with Vertical(id="token-side"):
                    with Vertical(id="who-card", classes="card") as who:
                        who.border_title = "Belongs to"
                        yield Static("—", id="who", markup=False)
                    with Vertical(id="health-card", classes="card") as health:
                        health.border_title = "API health"
                        yield Static("—", id="health", markup=False)
            with Vertical(id="details-card", classes="card") as details:
                details.border_title = "Details"
                yield Static("", id="token-details", markup=False)
            with Vertical(id="use-card", classes="card") as use:
                use.border_title = "Use it"
                yield Static("", id="token-use", markup=False)

    # ---------------------------------------------------------------- life

    def on_mount(self) -> None:
        self.onna.token_signal.subscribe(self, self._on_token)
        self.onna.session_signal.subscribe(self, self._on_session)
        self._on_session(self.onna.session)

    def _on_session(self, session: Session | None) -> None:
        # What was asked of the previous profile is moot: cancel it, start afresh.
        self.workers.cancel_group(self, "token-user")
        self.workers.cancel_group(self, "token-health")
        self._user_loading = False
        self._user_for = None
        self.revealed = False
        self._revealed_for = None
        self.query_one("#who-card").remove_class("-error")
        self.query_one("#health-card").remove_class("-error")
        self.query_one("#health", Static).update("—")
        self._render_use(session)
        self.query_one("#who", Static).update(
            "—" if session is None else "No token yet: press n to get one."
        )
        if session is not None and not session.has_credentials:
            self.query_one("#who", Static).update(
                plain(session.missing_secret_message(), "italic", multiline=True)
            )
        self._on_token(session.tokens.current if session and session.tokens else None)
        if session is not None:
            self.load_health()
        else:
            self.query_one("#health", Static).update(plain(self.onna.status_hint))

    def _on_token(self, token: AccessToken | None) -> None:
        early = self._early_expiry() if token is None else None
        if early is not None:
            # The expiry read at start-up, until the profile is open (moments later).
            self.query_one(TokenCountdown).token = early
            self._render_early(early)
            return
        if self.revealed and (token is None or token.fingerprint != self._revealed_for):
            self.revealed = False  # a new token is not shown until it is asked for
            self._revealed_for = None
        self.query_one(TokenCountdown).token = token
        self._render_details(token)
        self._render_renew_state()
        if token is not None and not self._user_loading and token.fingerprint != self._user_for:
            self.load_user()

    def _early_expiry(self) -> EarlyExpiry | None:
        """The start-up expiry, while it is for the profile being opened (else None)."""
        early = self.onna.early_expiry
        session = self.onna.session
        if early is None or (session is not None and session.name != early.profile):
            return None
        return early

    # ------------------------------------------------------------ rendering

    def _render_early(self, early: EarlyExpiry) -> None:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row("Profile", plain(early.profile))
        grid.add_row("Expires at", local_time(early.expires_at, self.onna.settings.display_tz))
        grid.add_row("Token", Text("cached · opening the profile…", style="italic"))
        self.query_one("#token-details", Static).update(grid)
        self.query_one("#renew-state", Static).update("")

    @property
    def countdown(self) -> TokenCountdown:
        return self.query_one(TokenCountdown)

    def _render_details(self, token: AccessToken | None) -> None:
        details = self.query_one("#token-details", Static)
        if token is None:
            details.update(Text("No token. Press n for a new one.", style="italic"))
            return
        tz = self.onna.settings.display_tz
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row("Issued at", local_time(token.issued_at, tz))
        grid.add_row("Expires at", local_time(token.expires_at, tz))
        lifetime = f"{token.expires_in} s" + (" (assumed)" if token.lifetime_assumed else "")
        # The token type and the token itself are the server's words.
        grid.add_row("Type", plain(f"{token.token_type} · lifetime {lifetime}"))
        if self.revealed:
            grid.add_row("Token", plain(token.access_token.get_secret_value(), "reverse"))
        else:
            grid.add_row(
                "Token", Text.assemble(plain(token.masked), ("  · press v to reveal", "dim"))
            )
        grid.add_row("Fingerprint", token.fingerprint)
        details.update(grid)

    def _render_use(self, session: Session | None) -> None:
        base = session.base_url if session is not None else "https://api.onna.com/v1"
        self.query_one("#token-use", Static).update(
            Text.assemble(
                plain(f"curl --header 'Authorization: Bearer <token>' '{base}/oauth/user'", "bold"),
                "\n",
                ("h", "bold"),
                " copies the header line, ",
                ("c", "bold"),
                " the token. Tokens "
                "live one hour and cannot be refreshed: after a 401, get a new one (",
                ("n", "bold"),
                ").",
            )
        )

    def _render_renew_state(self) -> None:
        session = self.onna.session
        line = self.query_one("#renew-state", Static)
        tokens = session.tokens if session else None
        if tokens is None:
            line.update("")
            line.set_class(False, "-on")
            return
        if tokens.renew_early:
            line.update(
                f"⟳ Auto-renew on: a new token is minted {tokens.margin:g} s before expiry."
            )
        else:
            line.update("Auto-renew off: the token runs out; the next call mints a new one.")
        line.set_class(tokens.renew_early, "-on")

    # -------------------------------------------------------------- workers

    def _is_current(self, session: Session) -> bool:
        """Whether ``session`` is still the active one (else its answers are dropped)."""
        return session is self.onna.session

    @work(exclusive=True, group="token-health")
    async def load_health(self) -> None:
        session = self.onna.session
        if session is None:
            return
        try:
            health = await session.client.health()
        except Exception as exc:
            if self._is_current(session):
                self.onna.report_error(exc, "check the API health")
                self.post_message(HealthFailed(_sentence(exc), session))
            return
        if self._is_current(session):
            self.post_message(HealthLoaded(health, session))

    @work(exclusive=True, group="token-user")
    async def load_user(self) -> None:
        session = self.onna.session
        tokens = session.tokens if session is not None else None
        if session is None or tokens is None:
            return
        if self._user_for is None:
            self.query_one("#who", Static).update(
                Text("Asking Onna who this token belongs to…", style="italic")
            )
        self._user_loading = True
        try:
            user = await session.client.current_user()
        except Exception as exc:
            if self._is_current(session):
                self.onna.report_error(exc, "read the current user")
                title = exc.title if isinstance(exc, OnnaTuiError) else "Problem"
                self.post_message(UserFailed(title, _sentence(exc), session))
            return
        finally:
            if self._is_current(session):
                self._user_loading = False
                current = tokens.current
                self._user_for = current.fingerprint if current else None
        if self._is_current(session):
            self.post_message(UserLoaded(user, session))

    @on(UserLoaded)
    def _user_loaded(self, message: UserLoaded) -> None:
        if not self._is_current(message.session):
            return
        user = message.user
        self.query_one("#who", Static).update(
            Text.assemble(plain(user.display_name, "bold"), "\naccount ", plain(user.account_id))
        )
        self.query_one("#who-card").remove_class("-error")

    @on(UserFailed)
    def _user_failed(self, message: UserFailed) -> None:
        if not self._is_current(message.session):
            return
        self.query_one("#who", Static).update(
            Text.assemble(
                plain(message.title, "bold"), "\n", plain(message.message, multiline=True)
            )
        )
        self.query_one("#who-card").add_class("-error")

    @on(HealthLoaded)
    def _health_loaded(self, message: HealthLoaded) -> None:
        if not self._is_current(message.session):
            return
        health = message.health
        mark = plain("● " + health.status, "bold green" if health.passing else "bold red")
        self.query_one("#health", Static).update(
            Text.assemble(
                mark, plain(f" · version {health.version}"), "\nrelease ", plain(health.release_id)
            )
        )
        self.query_one("#health-card").set_class(not health.passing, "-error")

    @on(HealthFailed)
    def _health_failed(self, message: HealthFailed) -> None:
        if not self._is_current(message.session):
            return
        self.query_one("#health", Static).update(plain(message.message, multiline=True))
        self.query_one("#health-card").add_class("-error")

    # -------------------------------------------------------------- actions

    def action_new_token(self) -> None:
        self.onna.mint_token()

    def action_forget(self) -> None:
        self.onna.forget_token()

    def action_toggle_renew(self) -> None:
        self.onna.toggle_renew_early()
        self._render_renew_state()

    def action_toggle_reveal(self) -> None:
        token = self._token()
        self.revealed = not self.revealed and token is not None
        self._revealed_for = token.fingerprint if self.revealed and token is not None else None
        self._render_details(token)

    def action_refresh(self) -> None:
        self.load_health()
        if self._token() is not None:
            self.load_user()

    def action_copy_token(self) -> None:
        token = self._token_or_hint()
        if token is not None:
            self.app.copy_to_clipboard(token.access_token.get_secret_value())
            self.notify("The access token is on the clipboard.", title="Copied")

    def action_copy_header(self) -> None:
        token = self._token_or_hint()
        if token is not None:
            self.app.copy_to_clipboard(f"Authorization: {token.authorization_header()}")
            self.notify("An Authorization header line is on the clipboard.", title="Copied")

    def _token(self) -> AccessToken | None:
        session = self.onna.session
        return session.tokens.current if session and session.tokens else None

    def _token_or_hint(self) -> AccessToken | None:
        token = self._token()
        if token is None:
            self.notify(
                "There is no token yet: press n to get one.", title="No token", severity="warning"
            )
        return token


def _sentence(exc: BaseException) -> str:
    """The service layer's sentence for a known error; a neutral one otherwise (never raw text)."""
    from onna_tui.tui.errors import describe

    return describe(exc, "do that")[1]
