"""What the app is built from: the collaborators and switches `make_app` takes.

Plain data with no textual import, so the launcher, the tests and the
screenshot script describe an app the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.token_rules import RENEWAL_MARGIN

if TYPE_CHECKING:
    from onna_tui.tui.early import EarlyExpiry
    from onna_tui.tui.sandbox_mode import SandboxHandle
    from onna_tui.tui.store import ProfileStore

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


@dataclass
class AppSettings:
    """Everything `make_app` needs; every field has a production default."""

    #: The profile to open (``--profile``); None opens the default profile.
    profile: str | None = None
    #: The one source of "now" (tests and snapshots pass a ManualClock).
    clock: Clock = system_clock
    #: Profiles and secrets. None: the person's config.toml and system keyring, built lazily
    #: so that keyring and pydantic are not imported before the first paint.
    store: ProfileStore | None = None
    #: An ``httpx.AsyncBaseTransport`` (the in-process sandbox in tests); None: the network.
    transport: Any = None
    #: Re-mint this many seconds before expiry while renewing early is on.
    renew_margin: float = RENEWAL_MARGIN
    #: Renewing early starts switched on (the person can switch it off).
    renew_early: bool = True
    #: Time zone for issued-at / expires-at; None means the machine's local time.
    display_tz: tzinfo | None = None
    #: False for snapshots and screenshots: no blinking cursor, no animations.
    animations: bool = True
    #: Start in the dark or the light theme.
    theme: str = DARK_THEME
    #: Start a sandbox right after the first paint and open its demo profile (``--sandbox``).
    launch_sandbox: bool = False
    #: A sandbox already running (tests), used instead of starting one; stopped at exit.
    sandbox: SandboxHandle | None = None
    #: A base URL that overrides the profile's for this run (``--base-url``).
    base_url: str | None = None
    #: Starts a sandbox for the welcome screen's "Try the sandbox"; None uses the real one.
    sandbox_starter: Callable[[], SandboxHandle] | None = None
    #: Extra keyword arguments for the sandbox the welcome screen starts (e.g. token_ttl).
    sandbox_options: dict[str, Any] = field(default_factory=dict)
    #: Signals that end the app the way ctrl+q does (the launcher passes SIGTERM and
    #: SIGHUP), with exit code 128 + the signal's number; empty in tests.
    exit_signals: tuple[int, ...] = ()
    #: Answers when the profile's cached token expires, read while the app starts (the
    #: launcher's helper process, ``tui.early``): the Token screen counts it down until
    #: the profile is open. None: no early answer, the profile opens the full way.
    early_expiry: Callable[[], Awaitable[EarlyExpiry | None]] | None = None
