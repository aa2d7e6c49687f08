"""The token cache in the keyring: what the token manager (``api.tokens``) keeps between runs."""

from __future__ import annotations

import contextlib

from onna_tui.core.tokens import AccessToken
from onna_tui.storage.keyring.entries import service_name
from onna_tui.storage.keyring.vault import Vault


class VaultTokenCache:
    """``api.cache.TokenCache`` backed by the vault, for one profile.

    Tokens survive between runs, so a script run every minute does not mint a
    new token each time. Last writer wins; an unreadable entry reads as None.
    """

    def __init__(self, vault: Vault, base_url: str, client_id: str) -> None:
        self._vault = vault
        self.base_url = base_url
        self.client_id = client_id

    def __repr__(self) -> str:
        return f"VaultTokenCache({service_name(self.base_url)!r}, {self.client_id!r})"

    async def load(self) -> AccessToken | None:
        return await self._vault.aget_token(self.base_url, self.client_id)

    async def store(self, token: AccessToken) -> None:
        await self._vault.aput_token(self.base_url, self.client_id, token)

    async def clear(self) -> None:
        await self._vault.adelete_token(self.base_url, self.client_id)

    def mint_lock(self) -> contextlib.AbstractAsyncContextManager[bool]:
        """Processes sharing this cache mint one at a time (see storage.locks)."""
        from onna_tui.storage.locks import lock_path, mint_lock

        return mint_lock(lock_path(self.base_url, self.client_id))
