"""The one rule for text the TUI did not write itself: it is shown, never obeyed.

Workspace names, descriptions, tags and onna_ids, profile settings from a
config.toml that may be edited by hand, the user and health answers, server
error messages and every other sentence that quotes such a value reach the
screen only through this module:

- as plain Rich ``Text`` (or a plain string for APIs that take only markup,
  escaped with `markup_literal`), never parsed as Rich or Textual markup:
  ``[/]`` is three characters and ``[@click=app.quit]`` is not an action;
- with terminal control characters made visible instead of sent to the
  terminal: ESC shows as ``\\x1b``, so ``x\\x1b[2J`` cannot clear the screen,
  and bidi overrides, lone surrogates and Unicode line separators are shown
  escaped too;
- on one line where one line is expected (a table cell, a title): a newline
  shows as ``\\n``, so a name cannot forge a row.

The escapes are Python's own (``\\n``, ``\\t``, ``\\x1b``, ``\\u202e``), the same
ones ``repr`` uses, so a sentence that quotes a value with ``!r`` and a cell
that shows it agree. Textual itself is not imported here.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 controls but newline and tab (handled below), DEL and the C1 controls, the bidi
# marks, embeddings, overrides and isolates (they reorder what follows in terminals that
# do bidi), the Unicode line and paragraph separators, and lone surrogates (which no
# terminal encoding can write).
_HIDDEN = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ud800-\udfff"
)
_SINGLE_LINE = re.compile(f"[\n\t{_HIDDEN}]")
_MULTILINE = re.compile(f"[{_HIDDEN}]")
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object, *, multiline: bool = False) -> str:
    """``value`` as text that is safe to put on a terminal line, every character visible.

    ``multiline`` keeps line breaks as breaks (a description, a message) and turns tabs
    into spaces; otherwise they show as ``\\n`` and ``\\t``.
    """
    text = value if isinstance(value, str) else str(value)
    if multiline:
        text = _LINE_BREAKS.sub("\n", text).expandtabs(4)
        return _MULTILINE.sub(_escape, text)
    return _SINGLE_LINE.sub(_escape, text)


def plain(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """Untrusted ``value`` as Rich Text: no markup, controls visible (see `printable`).

    Fits everywhere a screen shows data: ``Static.update``, a DataTable cell, a Rich
    table cell, ``Text.assemble``.
    """
    return Text(printable(value, multiline=multiline), style=style, end="")


def without_controls(text: str) -> str:
    """``text`` with the characters `printable` escapes left out, tabs kept: for a paste
    into a text field, which would draw them to the terminal raw."""
    return _MULTILINE.sub("", text).replace("\n", "")


def markup_literal(value: object) -> str:
    """Textual markup that shows ``value`` exactly as `printable` would, for the few
    Textual APIs that parse every string they get (the command palette's hits)."""
    # Textual's parser opens a tag at every "[" not preceded by a backslash and turns
    # each "\[" back into "[": so escaping each "[" once is exact, backslashes included.
    return printable(value).replace("[", "\\[")
