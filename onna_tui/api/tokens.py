"""Tokens: the client-credentials exchange and the token manager.

Onna tokens live 3599 s and cannot be refreshed; a 401 means "mint again".
The manager reuses a valid token, mints a new one ``margin`` seconds before
expiry, makes exactly one exchange when many callers need a token at once, and
tells listeners whenever the token changes.

Policy for an odd ``expires_in`` (the spec's default is 0):
- missing or 0: Onna's documented 3599 s is assumed (``lifetime_assumed``);
- negative: the response is rejected as malformed;
- above 24 h: capped at 24 h (``lifetime_assumed``): a clock that far off is
  more likely a server bug than a real lifetime, and a 401 re-mints anyway.
A ``token_type`` other than bearer (in any case) is rejected.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import timedelta

import httpx

from onna_tui.api.cache import MemoryTokenCache, TokenCache
from onna_tui.api.errors import BadResponse
from onna_tui.api.response_errors import token_endpoint_error
from onna_tui.api.responses import parse_model
from onna_tui.api.sending import DEFAULT_LIMITS, RequestLimits, send
from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.token_rules import (
    DOCUMENTED_TOKEN_LIFETIME,
    MAX_BELIEVED_LIFETIME,
    RENEWAL_MARGIN,
)
from onna_tui.core.tokens import AccessToken, Credentials
from onna_tui.core.wire.auth import TokenResponse

log = logging.getLogger(__name__)

_TOKEN_CHARS = re.compile(r"[\x21-\x7e]+")

TokenListener = Callable[[AccessToken | None], None]


def token_from_response(body: TokenResponse, issued_at_clock: Clock) -> AccessToken:
    """Our token value from the wire response, with the lifetime policy applied."""
    if body.token_type.lower() != "bearer":
        raise BadResponse(
            f"The token endpoint returned a token of type {body.token_type!r}; onna-tui "
            "only speaks bearer tokens. Check that the base URL is the Onna Platform API."
        )
    if not _TOKEN_CHARS.fullmatch(body.access_token.get_secret_value()):
        # It goes into an HTTP header and the keyring: printable ASCII, no spaces.
        raise BadResponse(
            "The token endpoint returned an empty or malformed access token. Check that "
            "the base URL is the Onna Platform API."
        )
    expires_in = body.expires_in
    assumed = False
    if expires_in is None or expires_in == 0:
        expires_in, assumed = DOCUMENTED_TOKEN_LIFETIME, True
    elif expires_in < 0:
        raise BadResponse(
            f"The token endpoint said the token expires in {expires_in} s (negative). "
            "Check that the base URL is the Onna Platform API."
        )
    elif expires_in > MAX_BELIEVED_LIFETIME:
        expires_in, assumed = MAX_BELIEVED_LIFETIME, True
    issued_at = issued_at_clock()
    return AccessToken(
        access_token=body.access_token,
        token_type="bearer",
        expires_in=expires_in,
        issued_at=issued_at,
        expires_at=issued_at + timedelta(seconds=expires_in),
        lifetime_assumed=assumed,
    )


async def exchange_credentials(
    http: httpx.AsyncClient,
    base_url: str,
    credentials: Credentials,
    clock: Clock = system_clock,
    limits: RequestLimits = DEFAULT_LIMITS,
) -> AccessToken:
    """POST {base}/oauth/token exactly like the guide's curl: form-encoded
    client_id, client_secret, grant_type=client_credentials."""
    response = await send(
        http,
        "POST",
        f"{base_url}/oauth/token",
        action="get a token",
        limits=limits,
        data={
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret.get_secret_value(),
            "grant_type": "client_credentials",
        },
    )
    if response.status_code != 200:
        raise token_endpoint_error(response)
    return token_from_response(parse_model(TokenResponse, response), clock)


class TokenManager:
    """Hands out a valid token for one set of credentials."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        base_url: str,
        credentials: Credentials,
        cache: TokenCache | None = None,
        clock: Clock = system_clock,
        margin: float = RENEWAL_MARGIN,
        renew_early: bool = True,
        limits: RequestLimits = DEFAULT_LIMITS,
    ) -> None:
        self._http = http
        self._limits = limits
        self._base_url = base_url
        self._credentials = credentials
        self._cache: TokenCache = cache if cache is not None else MemoryTokenCache()
        self.clock = clock
        self.margin = margin
        #: When off, a token is used until it expires; the next call then mints.
        self.renew_early = renew_early
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()
        #: Counts exchanges made under the lock: a forced mint that waited for
        #: another one to finish returns that fresh token instead of minting again.
        self._mints = 0
        self._listeners: list[TokenListener] = []
        #: Exchanges this manager made (for status displays and tests).
        self.exchanges = 0
        #: The last problem with the cache, if any (the token still works without it).
        self.cache_problem: str | None = None

    # -------------------------------------------------------------- state

    @property
    def current(self) -> AccessToken | None:
        """The token last seen (maybe expired); never triggers a call."""
        return self._token

    @property
    def effective_margin(self) -> float:
        return self.margin if self.renew_early else 0.0

    def usable(self, token: AccessToken | None) -> bool:
        """The token has more than its renewal margin left (see AccessToken.is_fresh)."""
        return token is not None and token.is_fresh(self.clock(), self.effective_margin)

    def subscribe(self, listener: TokenListener) -> Callable[[], None]:
        """Call ``listener(token)`` whenever the token changes; returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _set(self, token: AccessToken | None) -> None:
        changed = token is not self._token
        self._token = token
        if changed:
            for listener in list(self._listeners):
                try:
                    listener(token)
                except Exception:  # a broken listener must not break the token flow
                    log.exception("token listener failed")

    # ------------------------------------------------------------- public

    async def peek_cached(self) -> AccessToken | None:
        """The token in memory or in the cache, without minting (for `status`)."""
        if self._token is not None:
            return self._token
        token = await self._load_cache()
        if token is not None:
            self._set(token)
        return token

    async def at_hand(self) -> AccessToken | None:
        """A token that has not expired, from memory or the cache, or None; never mints
        (for calls such as /health that only send a token when there is one)."""
        now = self.clock()
        token = self._token
        if token is not None and not token.is_expired(now):
            return token
        cached = await self._load_cache()
        if cached is not None and not cached.is_expired(now):
            self._set(cached)
            return cached
        return None

    def _has_left(self, token: AccessToken | None, min_left: float) -> bool:
        if not self.usable(token):
            return False
        assert token is not None
        return min_left <= 0 or token.seconds_left(self.clock()) >= min_left

    async def get(self, min_left: float = 0) -> AccessToken:
        """A token with more than the margin (and at least ``min_left`` seconds) left:
        reused, from the shared cache, or new, minted under the cross-process lock."""
        token = self._token
        if self._has_left(token, min_left):
            assert token is not None
            return token
        async with self._lock:
            token = self._token
            if self._has_left(token, min_left):
                assert token is not None
                return token
            cached = await self._adopt_cached(min_left)
            if cached is not None:
                return cached
            mint_lock = getattr(self._cache, "mint_lock", None)
            if mint_lock is None:
                return await self._mint_locked()
            async with mint_lock():
                # Another process may have minted while we waited for the lock.
                cached = await self._adopt_cached(min_left)
                if cached is not None:
                    return cached
                return await self._mint_locked()

    async def mint(self) -> AccessToken:
        """A new token now, whatever the current one's state (joins a mint in flight)."""
        mints = self._mints
        async with self._lock:
            if self._mints != mints and self._token is not None:
                return self._token
            return await self._mint_locked()

    async def invalidate(self, token: AccessToken) -> None:
        """The server refused ``token``: drop it here and from the shared cache, so no
        process hands it out again and the next get() mints (unless someone already
        replaced it with another token, which is kept)."""
        async with self._lock:
            if self._token is not None and self._token.access_token == token.access_token:
                self._set(None)
            cached = await self._load_cache()
            if cached is not None and cached.access_token == token.access_token:
                await self._clear_cache()

    async def forget(self) -> None:
        """Drop the token here and in the cache (the server still honours it until expiry)."""
        async with self._lock:
            self._set(None)
            await self._clear_cache()

    # ------------------------------------------------------------ private

    async def _mint_locked(self) -> AccessToken:
        token = await exchange_credentials(
            self._http, self._base_url, self._credentials, self.clock, self._limits
        )
        self.exchanges += 1
        self._mints += 1
        self._set(token)
        await self._store_cache(token)
        return token

    async def _adopt_cached(self, min_left: float = 0) -> AccessToken | None:
        cached = await self._load_cache()
        if cached is not None and self._has_left(cached, min_left):
            self._set(cached)
            return cached
        return None

    async def _load_cache(self) -> AccessToken | None:
        try:
            token = await self._cache.load()
        except Exception as exc:  # the cache is an optimisation: mint instead
            self.cache_problem = str(exc)
            return None
        return token

    async def _store_cache(self, token: AccessToken) -> None:
        try:
            await self._cache.store(token)
            self.cache_problem = None
        except Exception as exc:
            self.cache_problem = str(exc)

    async def _clear_cache(self) -> None:
        try:
            await self._cache.clear()
        except Exception as exc:
            self.cache_problem = str(exc)
