"""What the screens and widgets use of the app, as a type: `AppServices`.

Screens reach the running app through ``self.onna``; typing that as the
`OnnaApp` class made every screen import the module that builds them, a
circle. This Protocol names the members they use instead, and
``tui.app`` checks that `OnnaApp` provides them. (It is also the list a
controller without textual would have to offer.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from textual.signal import Signal

    from onna_tui.core.clock import Clock
    from onna_tui.core.tokens import AccessToken
    from onna_tui.tui.early import EarlyExpiry
    from onna_tui.tui.session import Session
    from onna_tui.tui.settings import AppSettings
    from onna_tui.tui.store import ProfileInfo, ProfileStore, Verify


class AppServices(Protocol):
    """The running app's state and operations, as screens and widgets see them."""

    settings: AppSettings
    clock: Clock
    store: ProfileStore | None
    #: The profile in use, if any.
    session: Session | None
    #: Every profile, as last read.
    profiles: list[ProfileInfo]
    #: What the status bar says while there is no session.
    status_hint: str
    #: The cached token's expiry read at start-up, until a session is open (or None).
    early_expiry: EarlyExpiry | None
    token_signal: Signal[AccessToken | None]
    session_signal: Signal[Session | None]
    profiles_signal: Signal[list[ProfileInfo]]
    #: Published once a second by the app's one timer.
    tick_signal: Signal[None]

    def report_error(self, exc: BaseException, action: str) -> None: ...

    def verifier(self, base_url: str) -> Verify: ...

    def try_sandbox(self) -> None: ...

    def toggle_renew_early(self) -> None: ...

    # The rest start workers: what they return is the app's business.
    def reload_profiles(self) -> object: ...

    def activate_profile(self, name: str) -> object: ...

    def after_profile_saved(self, name: str) -> object: ...

    def after_profile_deleted(self, name: str) -> object: ...

    def mint_token(self) -> object: ...

    def forget_token(self) -> object: ...
