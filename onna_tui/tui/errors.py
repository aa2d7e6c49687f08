"""Turning any exception into a toast's title and sentence, without a traceback or a secret.

Every OnnaTuiError (service layer, config, keyring) already carries a title and
a sentence that says what to do. Anything else is a bug or an environment
problem: its text is not shown (it could quote a value we hold), only its type
and what was being attempted. No textual here.
"""

from __future__ import annotations

from onna_tui.errors import OnnaTuiError


def describe(exc: BaseException, action: str) -> tuple[str, str]:
    """(title, message) for a toast; ``action`` completes "while trying to ..."."""
    if isinstance(exc, OnnaTuiError):
        return exc.title, str(exc)
    return (
        "Unexpected problem",
        f"Something went wrong while trying to {action} ({type(exc).__name__}). "
        "Try again; if it keeps happening, please report it.",
    )
