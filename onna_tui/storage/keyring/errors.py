"""Every keyring failure as a VaultError whose message says what to do.

``translate_error`` reads what keyring, secretstorage or D-Bus raised (a locked
collection, a refused prompt, no Secret Service on the bus, a backend that
refuses to change an entry) and says it in a sentence, with any secret the
backend might echo blanked out.
"""

from __future__ import annotations

import keyring.errors

from onna_tui.core.shell import redact
from onna_tui.errors import ExitCode, OnnaTuiError

#: What a person is told to do when there is no usable keyring.
HOW_TO_GET_A_KEYRING = (
    "On Linux install and start a Secret Service provider such as gnome-keyring or KWallet "
    "(macOS and Windows have one built in), or pick a backend with PYTHON_KEYRING_BACKEND; "
    "or opt in to plaintext storage with `allow_insecure_storage = true` in config.toml; "
    "scripts can instead set ONNA_CLIENT_ID and ONNA_CLIENT_SECRET."
)


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


def _init_error(action: str, reason: str, types: set[str]) -> VaultError:
    """A keyring backend that could not be opened."""
    if "PromptDismissedException" in types or "prompt dismissed" in reason.lower():
        # The daemon wanted to ask for a password (to unlock or create the
        # login keyring) and nobody could answer: a locked keyring to the user.
        return KeyringLocked(
            f"The keyring needs a password before onna-tui can {action}, and the prompt "
            f"was dismissed ({reason}). Unlock or create your login keyring (for example "
            "with 'Passwords and Keys' / Seahorse), then try again."
        )
    return NoKeyringBackend(
        f"The keyring could not be opened to {action} ({reason}). {HOW_TO_GET_A_KEYRING}"
    )


def _secret_service_unreachable(exc: BaseException, types: set[str], lowered: str) -> bool:
    """True when the failure says the Secret Service (D-Bus) cannot be reached."""
    return (
        "SecretServiceNotAvailableException" in types
        or "secretservice" in lowered.replace(" ", "")
        or "d-bus" in lowered
        or "dbus" in lowered
        or isinstance(exc, ConnectionError | FileNotFoundError)
    )


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
        return NoKeyringBackend(f"No system keyring was found to {action}. {HOW_TO_GET_A_KEYRING}")
    if isinstance(exc, keyring.errors.InitError):
        return _init_error(action, reason, types)
    if _secret_service_unreachable(exc, types, lowered):
        return NoKeyringBackend(
            f"The Secret Service keyring is not reachable, so onna-tui could not {action} "
            f"({reason}). {HOW_TO_GET_A_KEYRING}"
        )
    if isinstance(exc, keyring.errors.PasswordSetError | keyring.errors.PasswordDeleteError):
        return KeyringAccessDenied(
            f"The keyring refused to let onna-tui {action} ({reason}). "
            "Check that the keyring is unlocked and allows changes, then try again."
        )
    if isinstance(exc, RuntimeError) and "backend" in lowered:
        return NoKeyringBackend(
            f"No keyring is available to {action} ({reason}). {HOW_TO_GET_A_KEYRING}"
        )
    return VaultError(
        f"The keyring failed while onna-tui tried to {action} ({type(exc).__name__}: {reason}). "
        "Check that your keyring is running and unlocked, then try again."
    )
