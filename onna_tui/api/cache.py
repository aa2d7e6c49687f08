"""Where the token manager keeps its token between calls (and, with the vault, between processes).

A cache is bound to one profile (one base URL and client id); it holds the
token, its type, issued-at and expires-at — never the client secret. An entry
that cannot be read counts as absent; the last writer wins.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from onna_tui.core.tokens import AccessToken


@runtime_checkable
class TokenCache(Protocol):
    """What the token manager needs from a cache. Implementations must not raise on
    a missing or unreadable entry (return None); they may raise
    ``storage.keyring.errors.VaultError`` when the store itself fails.

    A cache that other processes read too may also offer ``mint_lock()``, an
    async context manager the token manager mints under, so processes that find
    it empty at the same moment make one exchange (see storage.locks)."""

    async def load(self) -> AccessToken | None: ...

    async def store(self, token: AccessToken) -> None: ...

    async def clear(self) -> None: ...


class MemoryTokenCache:
    """The default cache: this process only."""

    def __init__(self) -> None:
        self._token: AccessToken | None = None

    async def load(self) -> AccessToken | None:
        return self._token

    async def store(self, token: AccessToken) -> None:
        self._token = token

    async def clear(self) -> None:
        self._token = None
