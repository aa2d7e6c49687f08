"""Turning any exception into a toast's title and sentence, without a traceback or a secret.

OnnaError (service layer, config) and VaultError (keyring) already carry a
title and a sentence that says what to do. Anything else is a bug or an
environment problem: its text is not shown (it could quote a value we hold),
only its type and what was being attempted. No textual here.
"""

from __future__ import annotations

import sys


def is_known(exc: BaseException) -> bool:
    """True for errors whose message was written for people (OnnaError, VaultError)."""
    from onna_tui.service.errors import OnnaError

    if isinstance(exc, OnnaError):
        return True
    # Only look for VaultError if the vault was ever imported: then it can be one.
    vault = sys.modules.get("onna_tui.vault")
    return vault is not None and isinstance(exc, vault.VaultError)


def describe(exc: BaseException, action: str) -> tuple[str, str]:
    """(title, message) for a toast; ``action`` completes "while trying to ..."."""
    if is_known(exc):
        return str(getattr(exc, "title", "Problem")), str(exc)
    return (
        "Unexpected problem",
        f"Something went wrong while trying to {action} ({type(exc).__name__}). "
        "Try again; if it keeps happening, please report it.",
    )
