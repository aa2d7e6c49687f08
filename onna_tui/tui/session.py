"""The active profile's live objects: its resolved settings, OnnaClient and token manager.

A session is opened inside a worker (it imports httpx and reads the keyring)
and closed when another profile is switched to — once its writes are done: a
request that changes something at Onna (creating a workspace) is never cut off
by a profile switch. No textual here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onna_tui.api.client import OnnaClient
    from onna_tui.api.tokens import TokenManager
    from onna_tui.profiles.resolve import ResolvedProfile
    from onna_tui.tui.settings import AppSettings
    from onna_tui.tui.store import ProfileStore


@dataclass
class Session:
    """One profile in use. ``client.tokens`` is None when no secret is stored for it."""

    resolved: ResolvedProfile
    client: OnnaClient
    #: Shown next to the profile name ("sandbox"), if any.
    label: str | None = None
    #: How many writes (POSTs) are in flight on this session's client.
    _writes: int = field(default=0, init=False, repr=False, compare=False)
    _idle: asyncio.Event | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.resolved.name

    @property
    def base_url(self) -> str:
        return self.client.base_url

    @property
    def tokens(self) -> TokenManager | None:
        return self.client.tokens

    @property
    def has_credentials(self) -> bool:
        return self.client.tokens is not None

    def missing_secret_message(self) -> str:
        """What to do when the profile has no stored secret (a sentence, no secret)."""
        return (
            f"No client secret is stored for profile {self.name!r} "
            f"({self.resolved.storage_description}). Edit the profile on the Credentials "
            "screen and paste the secret."
        )

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Mark a write in flight: the client stays open until it is over."""
        self._writes += 1
        try:
            yield
        finally:
            self._writes -= 1
            if self._writes == 0 and self._idle is not None:
                self._idle.set()

    @property
    def is_writing(self) -> bool:
        return self._writes > 0

    async def aclose(self) -> None:
        await self.client.aclose()

    async def aclose_when_idle(self) -> None:
        """Close the client once no write is in flight (at once when none is)."""
        while self._writes:
            self._idle = asyncio.Event()
            await self._idle.wait()
        await self.aclose()


async def open_session(
    store: ProfileStore,
    name: str | None,
    settings: AppSettings,
    *,
    renew_early: bool,
    transport: Any = None,
) -> Session:
    """Resolve ``name`` (or the default profile) and build its client."""
    from onna_tui.profiles.session import open_client

    resolved = await store.resolve(name)
    client = open_client(
        resolved,
        transport=transport,
        vault=store.vault,
        clock=settings.clock,
        margin=settings.renew_margin,
        renew_early=renew_early,
    )
    return Session(resolved=resolved, client=client, label=store.label)
