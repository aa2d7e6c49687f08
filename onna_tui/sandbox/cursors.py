"""Signed paging cursors: a garbled or invented cursor is refused (422), never read as
"start somewhere".

A cursor names the ``seq`` of the last item served, signed with a key of this
process. A fresh key per process means cursors do not survive a restart, which
clients must cope with anyway. ``kind`` tells lists apart: one list's cursor is
refused by another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Sequence
from typing import TypeVar

from onna_tui.sandbox.refusals import InvalidCursor

T = TypeVar("T")


class CursorSigner:
    """Makes and checks the cursors of every list the sandbox pages."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, kind: str, payload: str) -> str:
        return hmac.new(self._key, (kind + payload).encode(), hashlib.sha256).hexdigest()[:16]

    def encode(self, seq: int, kind: str = "") -> str:
        payload = base64.urlsafe_b64encode(str(seq).encode()).decode().rstrip("=")
        return f"{payload}.{self._mac(kind, payload)}"

    def decode(self, cursor: str, kind: str = "") -> int:
        """The ``seq`` a cursor of this ``kind`` names, or InvalidCursor."""
        if not cursor.isascii():  # ours never are; compare_digest refuses non-ASCII str
            raise InvalidCursor("The cursor is not valid: use the cursor of a previous page.")
        payload, _, mac = cursor.partition(".")
        if not mac or not hmac.compare_digest(mac, self._mac(kind, payload)):
            raise InvalidCursor("The cursor is not valid: use the cursor of a previous page.")
        try:
            return int(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (binascii.Error, ValueError):  # pragma: no cover - signed, so ours
            raise InvalidCursor("The cursor is not valid.") from None

    def page(
        self, remaining: Sequence[T], size: int, seq: Callable[[T], int], kind: str = ""
    ) -> tuple[list[T], str | None]:
        """The first ``size`` of ``remaining``, and the next page's cursor (None on the last)."""
        page = list(remaining[:size])
        more = len(remaining) > size
        return page, (self.encode(seq(page[-1]), kind) if more else None)
