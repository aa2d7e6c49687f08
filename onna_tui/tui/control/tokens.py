"""`TokenControl`: the active session's token — mint, forget, renew early, tell the screens."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual import on, work

from onna_tui.tui.control.state import AppState
from onna_tui.tui.formatting import local_time
from onna_tui.tui.messages import TokenChanged

if TYPE_CHECKING:
    from datetime import datetime

    from onna_tui.api.tokens import TokenManager
    from onna_tui.core.tokens import AccessToken
    from onna_tui.tui.settings import AppSettings

#: After a failed automatic renewal, wait this long before trying again (no toast storm).
RENEW_RETRY_SECONDS = 30.0


class TokenControl(AppState):
    """Token work runs in workers; the screens hear of every change on ``token_signal``."""

    def __init__(self, settings: AppSettings) -> None:
        super().__init__(settings)
        self._renewing = False
        self._renew_retry_at: datetime | None = None

    def _reset_renewal(self) -> None:
        """A new session (or none): no renewal is running or waiting to retry."""
        self._renewing = False
        self._renew_retry_at = None

    def _token_listener(self, token: AccessToken | None) -> None:
        # Called by the token manager inside whatever worker changed the token: hand
        # it to the message queue so every screen reacts on the app's own turn.
        self.post_message(TokenChanged(token))

    @on(TokenChanged)
    def _token_changed(self, message: TokenChanged) -> None:
        self.token_signal.publish(message.token)

    def _tokens_or_hint(self) -> TokenManager | None:
        session = self.session
        if session is None and self.early_expiry is not None:
            self.notify(
                "The profile is still opening: try again in a moment.",
                title="Opening",
                severity="warning",
            )
            return None
        if session is None:
            self.notify(
                "No profile is active: add or pick one on the Credentials screen (F2).",
                title="No profile",
                severity="warning",
            )
            return None
        if session.tokens is None:
            self.notify(session.missing_secret_message(), title="No secret", severity="warning")
            return None
        return session.tokens

    @work(group="mint")
    async def mint_token(self) -> None:
        """A new token now (the token manager joins a mint already in flight)."""
        tokens = self._tokens_or_hint()
        if tokens is None:
            return
        try:
            token = await tokens.mint()
        except Exception as exc:
            self.report_error(exc, "get a new access token")
            return
        until = local_time(token.expires_at, self.settings.display_tz)
        self.notify(f"New access token, valid until {until}.", title="Token")

    @work(group="forget")
    async def forget_token(self) -> None:
        tokens = self._tokens_or_hint()
        if tokens is None:
            return
        try:
            await tokens.forget()
        except Exception as exc:
            self.report_error(exc, "forget the cached token")
            return
        self.notify(
            "Forgot the token here and in the keyring. Onna keeps honouring it until it "
            "expires; the next call gets a new one.",
            title="Token forgotten",
        )

    def toggle_renew_early(self) -> None:
        self.renew_early = not self.renew_early
        self._renew_retry_at = None
        session = self.session
        if session is not None and session.tokens is not None:
            session.tokens.renew_early = self.renew_early
            self.token_signal.publish(session.tokens.current)
        if self.renew_early:
            self.notify(
                "A new token will be minted shortly before this one expires.", title="Auto-renew on"
            )
        else:
            self.notify(
                "The token will be allowed to expire; the next call mints a new one.",
                title="Auto-renew off",
            )

    def check_renewal(self) -> None:
        """Once a second: mint early when the token has entered the renewal margin."""
        session = self.session
        tokens = session.tokens if session is not None else None
        if tokens is None or not tokens.renew_early or self._renewing:
            return
        token = tokens.current
        if token is None:
            return  # forgotten on purpose: do not bring it back unasked
        if tokens.usable(token):
            return
        now = self.clock()
        if self._renew_retry_at is not None and now < self._renew_retry_at:
            return
        self._renewing = True
        self.renew_token(tokens)

    @work(group="renew")
    async def renew_token(self, tokens: TokenManager) -> None:
        try:
            await tokens.mint()
        except Exception as exc:
            self._renew_retry_at = self.clock() + timedelta(seconds=RENEW_RETRY_SECONDS)
            self.report_error(exc, "renew the access token")
        else:
            self._renew_retry_at = None
            self.notify(
                "The access token was renewed before it expired.", title="Token renewed", timeout=4
            )
        finally:
            self._renewing = False
