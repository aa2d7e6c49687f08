"""The keyring vault: where client secrets and cached access tokens live between runs.

`Vault` reads, writes and deletes the entries described in ``entries``, each
call bounded in time (``bounded``), with the insecure-storage policy applied
to the backend (``backends``); failures are VaultErrors (``errors``).

No message, log line or repr built here contains a secret.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from pydantic import SecretStr

from onna_tui.core.tokens import AccessToken
from onna_tui.storage.keyring.backends import (
    BackendInfo,
    MemoryKeyring,
    classify_backend,
    qualname,
    secret_service_provider,
)
from onna_tui.storage.keyring.bounded import DEFAULT_TIMEOUT, Shared, acall, call
from onna_tui.storage.keyring.entries import (
    decode_token,
    encode_token,
    service_name,
    token_service_name,
    token_username,
)
from onna_tui.storage.keyring.errors import (
    HOW_TO_GET_A_KEYRING,
    InsecureBackendRefused,
    KeyringTimeout,
    NoKeyringBackend,
    VaultError,
)

T = TypeVar("T")


class Vault:
    """Client secrets and cached tokens in the system keyring, with every call time-bounded.

    ``keyring_backend`` None means keyring's own choice (``keyring.get_keyring()``,
    which honours PYTHON_KEYRING_BACKEND), resolved lazily inside the first
    bounded call because finding a backend already talks to D-Bus.
    """

    def __init__(
        self,
        keyring_backend: KeyringBackend | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        allow_insecure: bool = False,
    ) -> None:
        self.timeout = timeout
        self.allow_insecure = allow_insecure
        self._shared = Shared(backend=keyring_backend)

    def __repr__(self) -> str:
        chosen = self._shared.backend
        backend = type(chosen).__name__ if chosen is not None else "auto"
        return (
            f"Vault(backend={backend}, timeout={self.timeout:g}, "
            f"allow_insecure={self.allow_insecure})"
        )

    def allowing_insecure(self, allow: bool = True) -> Vault:
        """A vault on the same backend with a different insecure-storage opt-in."""
        if allow == self.allow_insecure:
            return self
        other = Vault(timeout=self.timeout, allow_insecure=allow)
        other._shared = self._shared  # same backend, same stuck-call tracking
        return other

    # -------------------------------------------------------------- plumbing

    def _resolve_backend(self) -> KeyringBackend:
        """Runs inside the worker thread."""
        shared = self._shared
        if shared.backend is None:
            backend = keyring.get_keyring()
            with shared.lock:
                if shared.backend is None:
                    shared.backend = backend
        assert shared.backend is not None
        return shared.backend

    def _usable_backend(self) -> KeyringBackend:
        """The backend, after the security policy has had its say (worker thread)."""
        backend = self._resolve_backend()
        info = classify_backend(backend)
        if info.missing:
            raise NoKeyringBackend(
                f"No keyring is available to store client secrets. {HOW_TO_GET_A_KEYRING}"
            )
        if not info.secure and not self.allow_insecure:
            raise InsecureBackendRefused(
                f"The keyring backend in use ({info.description}) does not protect secrets, "
                "so onna-tui will not use it. Install a secure keyring (gnome-keyring or KWallet "
                "on Linux; macOS Keychain and Windows Credential Locker are built in), or opt in "
                "explicitly with `allow_insecure_storage = true` in config.toml."
            )
        return backend

    def _call(self, action: str, fn: Callable[[], T], secrets: tuple[str, ...] = ()) -> T:
        """Run ``fn`` in a daemon thread; give up after ``timeout`` seconds (see bounded)."""
        return call(self._shared, self.timeout, action, fn, secrets)

    async def _acall(self, action: str, fn: Callable[[], T], secrets: tuple[str, ...] = ()) -> T:
        """The async twin of ``_call``: never blocks the event loop."""
        return await acall(self._shared, self.timeout, action, fn, secrets)

    # ------------------------------------------------- the operations (sync)

    def _op_get_secret(self, base_url: str, client_id: str) -> Callable[[], SecretStr | None]:
        def op() -> SecretStr | None:
            value = self._usable_backend().get_password(service_name(base_url), client_id)
            return SecretStr(value) if value else None

        return op

    def _op_put_secret(
        self, base_url: str, client_id: str, secret: SecretStr
    ) -> Callable[[], None]:
        value = secret.get_secret_value()
        if not value:
            raise ValueError("The client secret is empty: paste the whole secret and try again.")
        if not client_id:
            raise ValueError("The client id is empty.")

        def op() -> None:
            self._usable_backend().set_password(service_name(base_url), client_id, value)

        return op

    def _delete(self, service: str, username: str) -> None:
        """Delete one entry; a missing entry is not an error (worker thread)."""
        backend = self._usable_backend()
        try:
            backend.delete_password(service, username)
        except keyring.errors.PasswordDeleteError:
            # Backends raise this both for "not there" and for "refused": tell them apart.
            if backend.get_password(service, username) is not None:
                raise

    def _op_delete_secret(self, base_url: str, client_id: str) -> Callable[[], None]:
        return lambda: self._delete(service_name(base_url), client_id)

    def _delete_legacy_token(self, base_url: str, client_id: str) -> None:
        """Remove a token cached under the old key (the secret's service, ``<client id>#token``),
        but only if it holds one of our tokens: it may be the secret of a client id that ends
        in ``#token`` (worker thread)."""
        service, username = service_name(base_url), token_username(client_id)
        raw = self._usable_backend().get_password(service, username)
        if decode_token(raw) is not None:
            self._delete(service, username)

    def _op_delete_token(self, base_url: str, client_id: str) -> Callable[[], None]:
        def op() -> None:
            self._delete(token_service_name(base_url), token_username(client_id))
            self._delete_legacy_token(base_url, client_id)

        return op

    def _op_get_token(self, base_url: str, client_id: str) -> Callable[[], AccessToken | None]:
        def op() -> AccessToken | None:
            raw = self._usable_backend().get_password(
                token_service_name(base_url), token_username(client_id)
            )
            return decode_token(raw)

        return op

    def _op_put_token(
        self, base_url: str, client_id: str, token: AccessToken
    ) -> Callable[[], None]:
        value = encode_token(token)

        def op() -> None:
            self._usable_backend().set_password(
                token_service_name(base_url), token_username(client_id), value
            )

        return op

    def _op_forget(self, base_url: str, client_id: str) -> Callable[[], None]:
        delete_token = self._op_delete_token(base_url, client_id)

        def op() -> None:
            delete_token()
            self._delete(service_name(base_url), client_id)

        return op

    def get_secret(self, base_url: str, client_id: str) -> SecretStr | None:
        """The stored client secret, or None when there is none."""
        return self._call("read the client secret", self._op_get_secret(base_url, client_id))

    def put_secret(self, base_url: str, client_id: str, secret: SecretStr) -> None:
        """Store (or replace) the client secret."""
        self._call(
            "store the client secret",
            self._op_put_secret(base_url, client_id, secret),
            (secret.get_secret_value(),),
        )

    def delete_secret(self, base_url: str, client_id: str) -> None:
        self._call("delete the client secret", self._op_delete_secret(base_url, client_id))

    def get_token(self, base_url: str, client_id: str) -> AccessToken | None:
        """The cached access token; None when missing or unreadable."""
        return self._call("read the cached access token", self._op_get_token(base_url, client_id))

    def put_token(self, base_url: str, client_id: str, token: AccessToken) -> None:
        self._call(
            "cache the access token",
            self._op_put_token(base_url, client_id, token),
            (token.access_token.get_secret_value(),),
        )

    def delete_token(self, base_url: str, client_id: str) -> None:
        self._call("delete the cached access token", self._op_delete_token(base_url, client_id))

    def forget_profile(self, base_url: str, client_id: str) -> None:
        """Remove both the client secret and the cached token."""
        self._call("remove the profile's secret and token", self._op_forget(base_url, client_id))

    def _op_check(self, base_url: str | None, client_id: str | None) -> Callable[[], None]:
        def op() -> None:
            backend = self._usable_backend()
            if base_url is not None and client_id is not None:
                # A real read: a locked keyring says so only when an entry is asked for.
                backend.get_password(service_name(base_url), client_id)

        return op

    def check(self, base_url: str | None = None, client_id: str | None = None) -> None:
        """Raise the VaultError a real operation would raise (no backend, refused, hung).

        Given a base URL and client id, that entry is read too (and discarded),
        so a locked keyring is found as well, before anything depends on it.
        """
        self._call("open the keyring", self._op_check(base_url, client_id))

    # ------------------------------------------------ the operations (async)

    async def aget_secret(self, base_url: str, client_id: str) -> SecretStr | None:
        return await self._acall("read the client secret", self._op_get_secret(base_url, client_id))

    async def aput_secret(self, base_url: str, client_id: str, secret: SecretStr) -> None:
        await self._acall(
            "store the client secret",
            self._op_put_secret(base_url, client_id, secret),
            (secret.get_secret_value(),),
        )

    async def adelete_secret(self, base_url: str, client_id: str) -> None:
        await self._acall("delete the client secret", self._op_delete_secret(base_url, client_id))

    async def aget_token(self, base_url: str, client_id: str) -> AccessToken | None:
        return await self._acall(
            "read the cached access token", self._op_get_token(base_url, client_id)
        )

    async def aput_token(self, base_url: str, client_id: str, token: AccessToken) -> None:
        await self._acall(
            "cache the access token",
            self._op_put_token(base_url, client_id, token),
            (token.access_token.get_secret_value(),),
        )

    async def adelete_token(self, base_url: str, client_id: str) -> None:
        await self._acall(
            "delete the cached access token", self._op_delete_token(base_url, client_id)
        )

    async def aforget_profile(self, base_url: str, client_id: str) -> None:
        await self._acall(
            "remove the profile's secret and token", self._op_forget(base_url, client_id)
        )

    async def acheck(self, base_url: str | None = None, client_id: str | None = None) -> None:
        await self._acall("open the keyring", self._op_check(base_url, client_id))

    # ------------------------------------------------------------ describing

    def _op_info(self) -> BackendInfo:
        backend = self._resolve_backend()
        info = classify_backend(backend)
        if qualname(backend) == "keyring.backends.SecretService.Keyring":
            provider = secret_service_provider()
            if provider:
                info = BackendInfo(f"Secret Service ({provider})", info.secure, info.missing)
        self._shared.info = info
        return info

    def backend_info(self) -> BackendInfo:
        """What the backend is and whether it is trusted (bounded; raises VaultError)."""
        if self._shared.info is not None:
            return self._shared.info
        return self._call("find the keyring", self._op_info)

    async def abackend_info(self) -> BackendInfo:
        if self._shared.info is not None:
            return self._shared.info
        return await self._acall("find the keyring", self._op_info)

    def backend_description(self) -> str:
        """Where secrets go, in words: "Secret Service (gnome-keyring)", "macOS Keychain", ...

        Never raises: a keyring that cannot be found or does not answer is described as such.
        """
        try:
            return self.backend_info().description
        except KeyringTimeout:
            return "keyring not answering"
        except VaultError:
            return "no keyring"

    def backend_is_secure(self) -> bool:
        """True when the backend may hold secrets without the insecure-storage opt-in."""
        try:
            return self.backend_info().secure
        except VaultError:
            return False

    @property
    def is_memory(self) -> bool:
        """True for the in-memory backend (``--sandbox`` and tests)."""
        return isinstance(self._shared.backend, MemoryKeyring)
