"""OnnaAuth: an ``httpx.Auth`` for scripts, sharing the CLI's and the TUI's token.

    import httpx
    from onna_tui import OnnaAuth

    with httpx.Client(auth=OnnaAuth("work")) as http:
        print(http.get("https://api.onna.com/v1/workspaces").json())

It is built from a profile name (or the default profile, or ONNA_CLIENT_ID /
ONNA_CLIENT_SECRET / ONNA_BASE_URL as for the CLI) and gets its token the way
the CLI does: the one token per profile in the keyring's token cache, reused
until ``margin`` seconds before it expires, minted under the same cross-process
lock (so a script and a concurrent `onna-tui token` make one exchange between
them), and after a 401 dropped from the cache, minted once and the request sent
once more. Environment credentials keep their token in this process only.
Only requests under the profile's base URL get the token.

Sync (``httpx.Client``) and async (``httpx.AsyncClient``, on asyncio) flows share
one token manager, which runs on a small private event loop in a daemon thread:
a token is minted once for every client and thread that uses this auth. No
textual is imported; httpx and keyring are.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.token_rules import RENEWAL_MARGIN
from onna_tui.core.tokens import AccessToken

if TYPE_CHECKING:
    from onna_tui.api.tokens import TokenManager
    from onna_tui.profiles.resolve import ResolvedProfile

T = TypeVar("T")


class _TokenLoop:
    """A token manager on its own event loop in a daemon thread, callable from anywhere."""

    def __init__(self, build: Callable[[httpx.AsyncClient], TokenManager]) -> None:
        #: Makes the token manager, on the loop's thread, around the client it mints with.
        self._build = build
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._manager: TokenManager | None = None
        self._http: httpx.AsyncClient | None = None
        #: The process this loop runs in: a forked child has the object but not the thread.
        self.pid = os.getpid()
        self._thread = threading.Thread(target=self._run, name="onna-tui-token", daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        self._loop.run_forever()

    async def _manager_here(self) -> TokenManager:
        if self._manager is None:
            self._http = httpx.AsyncClient(timeout=httpx.Timeout(30.0))
            self._manager = self._build(self._http)
        return self._manager

    def submit(self, work: Callable[[TokenManager], Awaitable[T]]) -> Future[T]:
        async def run() -> T:
            return await work(await self._manager_here())

        return asyncio.run_coroutine_threadsafe(run(), self._loop)

    def close(self) -> None:
        if self._loop.is_closed():
            return

        async def shut() -> None:
            # Whoever still waits for a token gets CancelledError rather than waiting forever.
            here = asyncio.current_task()
            for task in asyncio.all_tasks():
                if task is not here:
                    task.cancel()
            if self._http is not None:
                await self._http.aclose()

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(shut(), self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()


class OnnaAuth(httpx.Auth):
    """Bearer tokens for one onna-tui profile, for any httpx client.

    ``profile``: a profile name, or None for ONNA_PROFILE / the default profile /
    the environment's credentials, exactly as `onna-tui token` picks. Raises
    ConfigError or VaultError (with a message that says what to do) when the
    profile or its secret cannot be found.
    """

    #: The body is read before sending, so the retry after a 401 can send it again.
    requires_request_body = True

    def __init__(
        self,
        profile: str | None = None,
        *,
        env: Mapping[str, str] | None = None,
        config_path: Path | None = None,
        margin: float = RENEWAL_MARGIN,
        clock: Clock = system_clock,
    ) -> None:
        from onna_tui.profiles.resolve import resolve_profile
        from onna_tui.profiles.session import token_cache_for
        from onna_tui.storage.config_file import ConfigStore
        from onna_tui.storage.keyring.vault import Vault

        vault = Vault()
        resolved = resolve_profile(ConfigStore(config_path, clock=clock), vault, profile, env=env)
        credentials = resolved.require_credentials()
        cache = token_cache_for(resolved, vault)
        self.resolved: ResolvedProfile = resolved
        self.base_url = resolved.base_url
        self.clock = clock

        def build(http: httpx.AsyncClient) -> TokenManager:
            from onna_tui.api.tokens import TokenManager

            return TokenManager(
                http=http,
                base_url=resolved.base_url,
                credentials=credentials,
                cache=cache,
                clock=clock,
                margin=margin,
            )

        self._build = build
        self._tokens: _TokenLoop | None = None
        self._start = threading.Lock()

    def __repr__(self) -> str:
        return f"OnnaAuth(profile={self.resolved.name!r}, base_url={self.base_url!r})"

    # ------------------------------------------------------------- tokens

    def _loop(self) -> _TokenLoop:
        with self._start:
            if self._tokens is None or self._tokens.pid != os.getpid():
                # None yet, or this is a forked child, where the parent's thread is gone.
                self._tokens = _TokenLoop(self._build)
            return self._tokens

    def _token_future(self) -> Future[AccessToken]:
        return self._loop().submit(lambda manager: manager.get())

    def _renew_future(self, refused: AccessToken) -> Future[AccessToken]:
        async def renew(manager: TokenManager) -> AccessToken:
            await manager.invalidate(refused)
            return await manager.get()

        return self._loop().submit(renew)

    def token(self) -> AccessToken:
        """A token with more than the margin left (reused, from the cache, or new)."""
        return self._token_future().result()

    @property
    def exchanges(self) -> int:
        """Token exchanges this auth made itself (others' show in the cache)."""
        manager = self._tokens._manager if self._tokens is not None else None
        return manager.exchanges if manager is not None else 0

    def close(self) -> None:
        """Stop the token thread (it is a daemon thread: exiting without this is fine)."""
        with self._start:
            tokens, self._tokens = self._tokens, None
        if tokens is not None and tokens.pid == os.getpid():
            tokens.close()

    def __enter__(self) -> OnnaAuth:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------- flows

    @staticmethod
    def _authorize(request: httpx.Request, token: AccessToken) -> None:
        request.headers["Authorization"] = token.authorization_header()

    def _for_onna(self, request: httpx.Request) -> bool:
        """Only requests under the profile's base URL carry the token (not, say, a
        download link on another host), and only their 401s touch the shared cache."""
        url = str(request.url)
        return url == self.base_url or url.startswith(self.base_url.rstrip("/") + "/")

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        if not self._for_onna(request):
            yield request
            return
        token = self._token_future().result()
        self._authorize(request, token)
        response = yield request
        if response.status_code != 401:
            return
        # Onna tokens cannot be refreshed; a 401 means "mint again": once, then retry once.
        response.read()
        self._authorize(request, self._renew_future(token).result())
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if not self._for_onna(request):
            yield request
            return
        token = await _wait(self._token_future())
        self._authorize(request, token)
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()
        self._authorize(request, await _wait(self._renew_future(token)))
        yield request


async def _wait(future: Future[Any]) -> Any:
    return await asyncio.wrap_future(future)
