"""Text that shows a command or a message without giving anything away. Standard library only.

``shell_quote`` quotes one word for a POSIX shell (the curl previews of the
TUI and of ``onna-tui sandbox``); ``redact`` blanks out secrets that a message
might quote (the CLI's last line of defence, the keyring's error messages).
"""

from __future__ import annotations

from collections.abc import Iterable

#: What a blanked-out secret looks like.
REDACTION = "•••"


def shell_quote(text: str) -> str:
    """Single-quote for a POSIX shell (a ' inside becomes '\\'')."""
    return "'" + text.replace("'", "'\\''") + "'"


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every one of ``secrets`` replaced by bullets, the longest first (so a
    secret that contains another is blanked whole); empty ones are ignored."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTION)
    return text
