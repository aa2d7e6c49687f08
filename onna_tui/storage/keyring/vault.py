"""The keyring vault: where client secrets and cached access tokens live between runs.

Layout in the keyring (one entry per value, plain strings):

* service ``onna-tui:<base URL>``, username ``<client_id>`` — the client secret.
  The base URL is part of the service name so two environments (production,
  staging, the local sandbox) never overwrite each other's entries.
* service ``onna-tui-token:<base URL>``, username ``<client_id>#token`` — the
  cached access token as JSON (``access_token``, ``token_type``,
  ``expires_in``, ``issued_at``, ``expires_at``, ``lifetime_assumed``); never
  the client secret. Tokens have a service of their own, so no client id can
  name a token's slot: before, the token of client ``demo`` and the secret of
  a client whose id is ``demo#token`` shared one entry. A token cached under
  the old key (``<client_id>#token`` in the secret's service) is no longer
  read; removing a profile deletes such an entry only when it holds one of our
  tokens, since it could be the secret of a client id ending in ``#token``.

Every keyring call runs in a daemon thread and is given up after ``timeout``
seconds: a locked keyring waiting on an invisible password prompt, or a D-Bus
daemon that stopped answering, must never hang the CLI or freeze the TUI. The
threads are daemon threads (not a ThreadPoolExecutor, not ``asyncio.to_thread``)
because a hung call must not keep the process alive at exit either — Python
3.11 joins executor threads at shutdown without a time limit.

Plaintext and other non-recommended backends (keyrings.alt's PlaintextKeyring,
``keyring.backends.null``, anything with priority below 1 that is not ours)
are used only after an explicit opt-in (``allow_insecure``); the "fail"
backend means there is no keyring at all.

No message, log line or repr built here contains a secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from pydantic import SecretStr

from onna_tui.core.shell import redact
from onna_tui.core.tokens import AccessToken
from onna_tui.errors import ExitCode, OnnaTuiError

T = TypeVar("T")

#: The prefix of the keyring service names that hold client secrets.
SERVICE_PREFIX = "onna-tui:"
#: The prefix of the keyring service names that hold cached tokens (never a secret).
TOKEN_SERVICE_PREFIX = "onna-tui-token:"
#: Appended to the client id to name the cached-token entry.
TOKEN_SUFFIX = "#token"
#: Version of the token JSON layout; an entry with another version reads as absent.
TOKEN_FORMAT = 1
#: What a person is told to do when there is no usable keyring.
_HOW_TO_GET_A_KEYRING = (
    "On Linux install and start a Secret Service provider such as gnome-keyring or KWallet "
    "(macOS and Windows have one built in), or pick a backend with PYTHON_KEYRING_BACKEND; "
    "or opt in to plaintext storage with `allow_insecure_storage = true` in config.toml; "
    "scripts can instead set ONNA_CLIENT_ID and ONNA_CLIENT_SECRET."
)


def service_name(base_url: str) -> str:
    """The keyring service for one API base URL (trailing slashes do not matter)."""
    return SERVICE_PREFIX + base_url.strip().rstrip("/")


def token_service_name(base_url: str) -> str:
    """The keyring service of cached tokens for one API base URL: never a secret's service,
    since a base URL never starts with "-token:"."""
    return TOKEN_SERVICE_PREFIX + base_url.strip().rstrip("/")


def token_username(client_id: str) -> str:
    return client_id + TOKEN_SUFFIX


# ------------------------------------------------------------------- errors


class VaultError(OnnaTuiError):
    """Base of every keyring failure: ``str(error)`` is a sentence that says what to do."""

    title = "Keyring problem"
    exit_code = ExitCode.STORAGE


class NoKeyringBackend(VaultError):
    title = "No keyring"


class KeyringLocked(VaultError):
    title = "Keyring locked"


class KeyringAccessDenied(VaultError):
    title = "Keyring access denied"


class KeyringTimeout(VaultError):
    title = "Keyring not answering"


class InsecureBackendRefused(VaultError):
    title = "Insecure keyring refused"


# ------------------------------------------------------- in-memory backend


class MemoryKeyring(KeyringBackend):
    """A dict-backed keyring: secrets live in this process only.

    Used by ``onna-tui --sandbox`` (the demo secret never touches a real keyring)
    and by tests. It is never picked by keyring's own autodetection (``viable``
    is False): a headless machine without a keyring must get "no keyring", not
    a store that silently forgets everything at exit.
    """

    priority = 1
    viable = False
    description = "in-memory (this run only)"

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._items: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            if self._items.pop((service, username), None) is None:
                raise keyring.errors.PasswordDeleteError("No such password!")

    def __repr__(self) -> str:
        # Names what is stored, never the values.
        return f"MemoryKeyring({len(self._items)} entries)"


# ------------------------------------------------- describing the backend


def _qualname(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__name__}"


# Known backends by class: (description, secure). Names, not imports, so this
# module loads everywhere (macOS/Windows backends import platform libraries).
_KNOWN_BACKENDS: dict[str, tuple[str, bool]] = {
    "keyring.backends.SecretService.Keyring": ("Secret Service", True),
    "keyring.backends.libsecret.Keyring": ("Secret Service (libsecret)", True),
    "keyring.backends.kwallet.DBusKeyring": ("KWallet", True),
    "keyring.backends.kwallet.DBusKeyringKWallet4": ("KWallet 4", True),
    "keyring.backends.macOS.Keyring": ("macOS Keychain", True),
    "keyring.backends.Windows.WinVaultKeyring": ("Windows Credential Locker", True),
    "keyrings.alt.file.PlaintextKeyring": ("plaintext file — insecure", False),
    "keyrings.alt.file.EncryptedKeyring": (
        "encrypted file (keyrings.alt) — not recommended",
        False,
    ),
    "keyrings.alt.Gnome.Keyring": ("GNOME keyring (legacy) — not recommended", False),
    "keyrings.alt.Windows.RegistryKeyring": ("Windows registry — not recommended", False),
    "keyring.backends.null.Keyring": ("null (discards secrets) — insecure", False),
}

# Process names of Secret Service providers (from /proc/PID/comm, 15 chars max).
_SECRET_SERVICE_PROVIDERS = (
    ("gnome-keyring", "gnome-keyring"),
    ("kwalletd", "KWallet"),
    ("ksecretd", "KWallet"),
    ("keepassxc", "KeePassXC"),
    ("oo7-daemon", "oo7"),
)


@dataclass(frozen=True)
class BackendInfo:
    """What a backend is, in words, and whether we trust it with a secret."""

    description: str
    secure: bool
    #: The "fail" backend, or a chainer with nothing to chain: no keyring at all.
    missing: bool = False


def classify_backend(backend: KeyringBackend) -> BackendInfo:
    """Describe a keyring backend and say whether it may hold secrets without an opt-in."""
    if isinstance(backend, MemoryKeyring):
        return BackendInfo(MemoryKeyring.description, secure=True)
    # Imported here: keyring's chainer module is cheap, but keep the top lean.
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return BackendInfo("no keyring", secure=False, missing=True)
    if isinstance(backend, chainer.ChainerBackend):
        chained = list(backend.backends)
        if not chained:
            return BackendInfo("no keyring", secure=False, missing=True)
        # keyring's chainer writes to its first (highest priority) backend.
        return classify_backend(chained[0])
    known = _KNOWN_BACKENDS.get(_qualname(backend))
    if known is not None:
        return BackendInfo(*known)
    try:
        priority = float(type(backend).priority)
    except Exception:
        priority = 0.0
    name = str(getattr(backend, "description", "") or type(backend).name)
    if priority < 1:
        return BackendInfo(f"{name} — not recommended", secure=False)
    return BackendInfo(name, secure=True)


def _secret_service_provider() -> str | None:
    """Which program owns org.freedesktop.secrets on the session bus (best effort)."""
    try:
        import secretstorage
        from jeepney.bus_messages import message_bus  # type: ignore[import-untyped]

        conn = secretstorage.dbus_init()
        try:
            reply = conn.send_and_get_reply(
                message_bus.GetConnectionUnixProcessID("org.freedesktop.secrets"), timeout=1.0
            )
        finally:
            conn.close()
        pid = int(reply.body[0])
        with open(f"/proc/{pid}/comm", encoding="utf-8") as handle:
            comm = handle.read().strip()
    except Exception:
        return None
    for prefix, provider in _SECRET_SERVICE_PROVIDERS:
        if comm.startswith(prefix):
            return provider
    return None


# ------------------------------------------------------ translating errors


def _reason(exc: BaseException, secrets: tuple[str, ...]) -> str:
    """The underlying error in a few words, with any secret we handled blanked out."""
    text = redact(str(exc).strip(), secrets)
    # Our sentence adds its own full stop; keyring's messages often end with one or two.
    text = " ".join(text.split()).rstrip(".") or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _dbus_error_name(exc: BaseException) -> str:
    """The D-Bus error name carried by a jeepney DBusErrorResponse, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = getattr(current, "name", None)
        if isinstance(name, str) and name.startswith("org."):
            return name
        current = current.__cause__ or current.__context__
    return ""


def _chain_types(exc: BaseException) -> set[str]:
    names: set[str] = set()
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        names.update(cls.__name__ for cls in type(current).__mro__)
        current = current.__cause__ or current.__context__
    return names


def translate_error(exc: BaseException, action: str, secrets: tuple[str, ...] = ()) -> VaultError:
    """Map a keyring/secretstorage/D-Bus failure to a VaultError with an actionable message.

    ``action`` completes "while trying to ..." (e.g. "read the client secret").
    ``secrets`` are values to blank out should a backend echo them.
    """
    if isinstance(exc, VaultError):
        return exc
    reason = _reason(exc, secrets)
    types = _chain_types(exc)
    dbus_name = _dbus_error_name(exc)
    lowered = reason.lower()

    if isinstance(exc, keyring.errors.KeyringLocked) or "LockedException" in types:
        return KeyringLocked(
            f"The keyring is locked, so onna-tui could not {action} ({reason}). "
            "Unlock your login keyring (log in to the desktop session, or open "
            "'Passwords and Keys' / Seahorse and unlock 'Login'), then try again."
        )
    if dbus_name.endswith("AccessDenied") or isinstance(exc, PermissionError):
        return KeyringAccessDenied(
            f"The keyring refused access, so onna-tui could not {action} ({reason}). "
            "Allow onna-tui (python) to use the keyring in its access settings, then try again."
        )
    if isinstance(exc, keyring.errors.NoKeyringError):
        # keyring's own text suggests keyrings.alt, which we would refuse: say ours only.
        return NoKeyringBackend(f"No system keyring was found to {action}. {_HOW_TO_GET_A_KEYRING}")
    if isinstance(exc, keyring.errors.InitError):
        if "PromptDismissedException" in types or "prompt dismissed" in lowered:
            # The daemon wanted to ask for a password (to unlock or create the
            # login keyring) and nobody could answer: a locked keyring to the user.
            return KeyringLocked(
                f"The keyring needs a password before onna-tui can {action}, and the prompt "
                f"was dismissed ({reason}). Unlock or create your login keyring (for example "
                "with 'Passwords and Keys' / Seahorse), then try again."
            )
        return NoKeyringBackend(
            f"The keyring could not be opened to {action} ({reason}). {_HOW_TO_GET_A_KEYRING}"
        )
    if (
        "SecretServiceNotAvailableException" in types
        or "secretservice" in lowered.replace(" ", "")
        or "d-bus" in lowered
        or "dbus" in lowered
        or isinstance(exc, ConnectionError | FileNotFoundError)
    ):
        return NoKeyringBackend(
            f"The Secret Service keyring is not reachable, so onna-tui could not {action} "
            f"({reason}). {_HOW_TO_GET_A_KEYRING}"
        )
    if isinstance(exc, keyring.errors.PasswordSetError | keyring.errors.PasswordDeleteError):
        return KeyringAccessDenied(
            f"The keyring refused to let onna-tui {action} ({reason}). "
            "Check that the keyring is unlocked and allows changes, then try again."
        )
    if isinstance(exc, RuntimeError) and "backend" in lowered:
        return NoKeyringBackend(
            f"No keyring is available to {action} ({reason}). {_HOW_TO_GET_A_KEYRING}"
        )
    return VaultError(
        f"The keyring failed while onna-tui tried to {action} ({type(exc).__name__}: {reason}). "
        "Check that your keyring is running and unlocked, then try again."
    )


# ------------------------------------------------------ the bounded call


@dataclass
class _Outcome:
    value: Any = None
    error: BaseException | None = None


@dataclass
class _Shared:
    """State shared by a Vault and its ``allowing_insecure`` copies."""

    backend: KeyringBackend | None = None
    info: BackendInfo | None = None
    #: A call that timed out may still be stuck (say, on a password prompt).
    #: While it is, new calls fail fast instead of piling up more threads.
    stuck: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _run(fn: Callable[[], Any]) -> _Outcome:
    try:
        return _Outcome(value=fn())
    except BaseException as exc:
        return _Outcome(error=exc)


class Vault:
    """Client secrets and cached tokens in the system keyring, with every call time-bounded.

    ``keyring_backend`` None means keyring's own choice (``keyring.get_keyring()``,
    which honours PYTHON_KEYRING_BACKEND), resolved lazily inside the first
    bounded call because finding a backend already talks to D-Bus.
    """

    def __init__(
        self,
        keyring_backend: KeyringBackend | None = None,
        timeout: float = 5.0,
        allow_insecure: bool = False,
    ) -> None:
        self.timeout = timeout
        self.allow_insecure = allow_insecure
        self._shared = _Shared(backend=keyring_backend)

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
                f"No keyring is available to store client secrets. {_HOW_TO_GET_A_KEYRING}"
            )
        if not info.secure and not self.allow_insecure:
            raise InsecureBackendRefused(
                f"The keyring backend in use ({info.description}) does not protect secrets, "
                "so onna-tui will not use it. Install a secure keyring (gnome-keyring or KWallet "
                "on Linux; macOS Keychain and Windows Credential Locker are built in), or opt in "
                "explicitly with `allow_insecure_storage = true` in config.toml."
            )
        return backend

    def _check_not_stuck(self, action: str) -> None:
        stuck = self._shared.stuck
        if stuck is not None and stuck.is_alive():
            raise KeyringTimeout(
                f"The keyring is still not answering an earlier request, so onna-tui could not "
                f"{action}. Is it waiting for a password prompt? Unlock your keyring and try again."
            )

    def _timeout_error(self, action: str) -> KeyringTimeout:
        return KeyringTimeout(
            f"The keyring did not answer within {self.timeout:g} s while onna-tui tried to "
            f"{action}. Is it waiting for a password prompt? Unlock your keyring (or end a "
            "hung keyring daemon) and try again."
        )

    def _call(self, action: str, fn: Callable[[], T], secrets: tuple[str, ...] = ()) -> T:
        """Run ``fn`` in a daemon thread; give up after ``timeout`` seconds."""
        self._check_not_stuck(action)
        done = threading.Event()
        box: list[_Outcome] = []

        def worker() -> None:
            box.append(_run(fn))
            done.set()

        thread = threading.Thread(target=worker, name="onna-tui-keyring", daemon=True)
        thread.start()
        if not done.wait(self.timeout):
            self._shared.stuck = thread
            raise self._timeout_error(action)
        outcome = box[0]
        if outcome.error is not None:
            raise translate_error(outcome.error, action, secrets) from None
        return outcome.value  # type: ignore[no-any-return]

    async def _acall(self, action: str, fn: Callable[[], T], secrets: tuple[str, ...] = ()) -> T:
        """The async twin of ``_call``: awaits a daemon thread, never blocks the event loop."""
        self._check_not_stuck(action)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_Outcome] = loop.create_future()

        def deliver(outcome: _Outcome) -> None:
            if not future.done():
                future.set_result(outcome)

        def worker() -> None:
            outcome = _run(fn)
            try:
                loop.call_soon_threadsafe(deliver, outcome)
            except RuntimeError:
                pass  # the loop closed while the keyring was busy: nobody is waiting

        thread = threading.Thread(target=worker, name="onna-tui-keyring", daemon=True)
        thread.start()
        try:
            outcome = await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            self._shared.stuck = thread
            raise self._timeout_error(action) from None
        if outcome.error is not None:
            raise translate_error(outcome.error, action, secrets) from None
        return outcome.value  # type: ignore[no-any-return]

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
        if _qualname(backend) == "keyring.backends.SecretService.Keyring":
            provider = _secret_service_provider()
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


# ----------------------------------------------------------- token entries


def encode_token(token: AccessToken) -> str:
    """The JSON kept in the keyring for a cached token (never the client secret)."""
    return json.dumps(
        {
            "format": TOKEN_FORMAT,
            "access_token": token.access_token.get_secret_value(),
            "token_type": token.token_type,
            "expires_in": token.expires_in,
            "issued_at": token.issued_at.isoformat(),
            "expires_at": token.expires_at.isoformat(),
            "lifetime_assumed": token.lifetime_assumed,
        },
        separators=(",", ":"),
    )


def decode_token(raw: str | None) -> AccessToken | None:
    """Read a cached token entry; anything missing, garbled or from another format is None."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != TOKEN_FORMAT:
            return None
        data.pop("format")
        token = AccessToken.model_validate(data)
    except (ValueError, TypeError):  # json and pydantic errors are ValueErrors
        return None
    if not token.access_token.get_secret_value():
        return None
    # A naive datetime would blow up later when compared with the aware clock.
    if not _is_aware(token.issued_at) or not _is_aware(token.expires_at):
        return None
    return token


def _is_aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None


# ------------------------------------------------------------- token cache


class VaultTokenCache:
    """onna_tui.api.cache.TokenCache backed by the vault, for one profile.

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
