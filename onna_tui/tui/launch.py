"""`onna-tui` without a subcommand: build the app from the command line's options and run it.

The CLI imports this module lazily, so other commands never import textual.
With ``sandbox=True`` the sandbox starts after the first paint (inside the app),
on a free loopback port, with a demo profile held in memory only.
"""

from __future__ import annotations

import signal
import sys
from functools import partial
from typing import TYPE_CHECKING

from onna_tui.errors import ExitCode

if TYPE_CHECKING:
    from onna_tui.tui.early import EarlyExpiry, EarlyRead
    from onna_tui.tui.settings import AppSettings


def build_settings(
    *,
    profile: str | None = None,
    sandbox: bool = False,
    token_ttl: int | None = None,
    base_url: str | None = None,
) -> AppSettings:
    """The settings for one run (separate from run_tui so tests can check the wiring)."""
    from onna_tui.tui.settings import AppSettings

    if token_ttl is not None and token_ttl < 1:
        raise ValueError("--token-ttl must be at least 1 second.")
    settings = AppSettings(
        profile=profile, base_url=base_url, exit_signals=(signal.SIGTERM, signal.SIGHUP)
    )
    if sandbox:
        from onna_tui.core.token_rules import RENEWAL_MARGIN
        from onna_tui.tui.sandbox_mode import renew_margin_for

        settings.launch_sandbox = True
        settings.sandbox_options = {"token_ttl": token_ttl}
        settings.renew_margin = renew_margin_for(token_ttl, RENEWAL_MARGIN)
    return settings


def run_tui(
    *,
    profile: str | None = None,
    sandbox: bool = False,
    token_ttl: int | None = None,
    base_url: str | None = None,
) -> int:
    """Run the terminal UI until the person quits; returns the exit code."""
    if token_ttl is not None and not sandbox:
        print(
            "onna-tui: --token-ttl only applies with --sandbox (Onna's tokens live 1 hour).",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    # First of all, before the settings' imports and textual's: the helper reading the
    # cached token's expiry, so that its answer is in by the first paint.
    early = _start_early_read(profile, sandbox=sandbox, base_url=base_url)
    try:
        try:
            settings = build_settings(
                profile=profile, sandbox=sandbox, token_ttl=token_ttl, base_url=base_url
            )
        except ValueError as exc:
            print(f"onna-tui: {exc}", file=sys.stderr)
            return ExitCode.USAGE
        if early is not None:
            settings.early_expiry = partial(_wait_for, early)
        from onna_tui.tui.app import make_app

        app = make_app(settings)
        try:
            app.run()
        finally:
            if app.sandbox is not None:
                app.sandbox.stop()
    finally:
        if early is not None:
            early.close()  # never left behind, whatever happened
    return app.return_code or 0


def _start_early_read(
    profile: str | None, *, sandbox: bool = False, base_url: str | None = None
) -> EarlyRead | None:
    """Start reading the cached token's expiry in a helper process (on another core, while
    textual loads), for the start screen to count down before the profile is open.

    Not for the sandbox (its profile is not in config.toml) nor a --base-url run (another
    server's token)."""
    if sandbox or base_url is not None:
        return None
    from onna_tui.tui.early import EarlyRead

    return EarlyRead.spawn(profile)


async def _wait_for(early: EarlyRead) -> EarlyExpiry | None:
    """The helper's answer: read at once if it is in (the usual case by the first paint),
    else waited for in a thread (``result`` blocks), not to hold the event loop.

    asyncio is imported here, after the spawn, not before it: its ~35 ms would only
    start the helper later (the app imports it anyway)."""
    if early.answered:
        return early.result()
    import asyncio

    return await asyncio.to_thread(early.result)
