"""`onna-tui --sandbox` and the welcome screen's "Try the sandbox": a sandbox in this process.

The sandbox runs on a free loopback port (or, for tests, behind an in-process
ASGI transport). Its demo profile lives in a temporary config file and its
secret in the vault's MemoryKeyring, so the person's own config.toml and
keyring are never read or written, and nothing is left behind at exit.
No textual here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onna_tui.core.clock import Clock, system_clock

if TYPE_CHECKING:
    from onna_tui.sandbox.state import SandboxState
    from onna_tui.tui.store import ProfileStore

DEMO_PROFILE = "sandbox"
DEMO_CLIENT_ID = "sandbox-demo-client"
DEMO_ORG = "sandbox"
#: A few workspaces so the list has something to page through on first sight.
DEMO_WORKSPACES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Contracts review", "Supplier contracts due for renewal", ("legal", "2026")),
    ("Litigation hold ACME", "Custodians under hold for ACME v. Example", ("hold",)),
    ("HR investigations", "", ("hr", "confidential")),
)
#: Loopback address used when the sandbox is reached through an in-process transport.
IN_PROCESS_BASE_URL = "http://127.0.0.1:8765/v1"


def renew_margin_for(token_ttl: int | None, default: float) -> float:
    """A renew-early margin that fits a short lifetime: a 60 s token renewed 60 s
    early would be renewed forever, so short tokens get a sixth of their life."""
    if token_ttl is None:
        return default
    return min(default, float(max(1, round(token_ttl / 6))))


@dataclass
class SandboxHandle:
    """A running sandbox and the throw-away profile store that points at it."""

    base_url: str
    store: ProfileStore
    state: SandboxState
    profile: str = DEMO_PROFILE
    #: An httpx transport to reach it (in-process); None: over loopback TCP.
    transport: Any = None
    token_ttl: int | None = None
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def stop(self) -> None:
        """Stop the server and delete the temporary config; safe to call twice."""
        while self._closers:
            closer = self._closers.pop()
            try:
                closer()
            except Exception:  # stopping must go on: the rest still needs closing
                pass


def start_sandbox(
    *,
    token_ttl: int | None = None,
    clock: Clock = system_clock,
    in_process: bool = False,
    state: SandboxState | None = None,
    seed: bool = True,
) -> SandboxHandle:
    """Start a sandbox with a demo client and return a store holding its demo profile."""
    from onna_tui.core.token_rules import DOCUMENTED_TOKEN_LIFETIME
    from onna_tui.sandbox.state import SandboxState
    from onna_tui.storage.config_file import ConfigStore, Profile
    from onna_tui.storage.keyring.backends import MemoryKeyring
    from onna_tui.storage.keyring.vault import Vault
    from onna_tui.tui.store import ProfileStore

    if state is None:
        state = SandboxState(clock=clock, token_ttl=token_ttl or DOCUMENTED_TOKEN_LIFETIME)
    closers: list[Callable[[], None]] = []
    transport: Any = None
    if in_process:
        import httpx

        from onna_tui.sandbox.app import create_app

        transport = httpx.ASGITransport(app=create_app(state))
        base_url = IN_PROCESS_BASE_URL
    else:
        from onna_tui.sandbox.server import SandboxServer

        server = SandboxServer(state).start()
        closers.append(server.stop)
        base_url = server.base_url

    try:
        credentials = state.add_client(DEMO_CLIENT_ID)
        if seed and state.workspace_count() == 0:
            for name, description, tags in DEMO_WORKSPACES:
                state.create_workspace(name, description, list(tags))
        folder = tempfile.TemporaryDirectory(prefix="onna-tui-sandbox-")
        closers.append(folder.cleanup)
        config = ConfigStore(Path(folder.name) / "config.toml", clock=clock)
        vault = Vault(MemoryKeyring())
        vault.put_secret(base_url, credentials.client_id, credentials.client_secret)
        profile = Profile.new(DEMO_PROFILE, credentials.client_id, base_url, DEMO_ORG, clock=clock)
        config.put(profile.changed(clock, secret_set_at=clock()))
    except BaseException:
        for closer in reversed(closers):
            closer()
        raise
    store = ProfileStore(config, vault, env={}, clock=clock, label="sandbox")
    return SandboxHandle(
        base_url=base_url,
        store=store,
        state=state,
        transport=transport,
        token_ttl=token_ttl,
        _closers=closers,
    )
