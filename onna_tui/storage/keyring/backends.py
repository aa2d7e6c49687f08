"""Keyring backends: the in-memory one of ours, and what any backend is, in words.

Plaintext and other non-recommended backends (keyrings.alt's PlaintextKeyring,
``keyring.backends.null``, anything with priority below 1 that is not ours)
are used only after an explicit opt-in (``allow_insecure``); the "fail"
backend means there is no keyring at all.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import keyring.errors
from keyring.backend import KeyringBackend


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


def qualname(backend: KeyringBackend) -> str:
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
    known = _KNOWN_BACKENDS.get(qualname(backend))
    if known is not None:  # an exact class, so neither the fail backend nor a chainer
        return BackendInfo(*known)
    # Imported here: the common case above (a known backend) does without them.
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return BackendInfo("no keyring", secure=False, missing=True)
    if isinstance(backend, chainer.ChainerBackend):
        chained = list(backend.backends)
        if not chained:
            return BackendInfo("no keyring", secure=False, missing=True)
        # keyring's chainer writes to its first (highest priority) backend.
        return classify_backend(chained[0])
    try:
        priority = float(type(backend).priority)
    except Exception:
        priority = 0.0
    name = str(getattr(backend, "description", "") or type(backend).name)
    if priority < 1:
        return BackendInfo(f"{name} — not recommended", secure=False)
    return BackendInfo(name, secure=True)


def secret_service_provider() -> str | None:
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
