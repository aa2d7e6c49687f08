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
that shows it agree; they are the CLI's too (``core.text``). Textual itself is
not imported here.
"""

from __future__ import annotations

from rich.text import Text

from onna_tui.core.text import printable as _printable
from onna_tui.core.text import printable_block


def printable(value: object, *, multiline: bool = False) -> str:
    """``value`` as text that is safe to put on a terminal line, every character visible.

    ``multiline`` keeps line breaks as breaks (a description, a message) and turns tabs
    into spaces; otherwise they show as ``\\n`` and ``\\t``. The rule itself is
    ``core.text``'s, the one the CLI prints with.
    """
    return printable_block(value) if multiline else _printable(value)


def plain(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """Untrusted ``value`` as Rich Text: no markup, controls visible (see `printable`).

    Fits everywhere a screen shows data: ``Static.update``, a DataTable cell, a Rich
    table cell, ``Text.assemble``.
    """
    return Text(printable(value, multiline=multiline), style=style, end="")


def markup_literal(value: object) -> str:
    """Textual markup that shows ``value`` exactly as `printable` would, for the few
    Textual APIs that parse every string they get (the command palette's hits)."""
    # Textual's parser opens a tag at every "[" not preceded by a backslash and turns
    # each "\[" back into "[": so escaping each "[" once is exact, backslashes included.
    return printable(value).replace("[", "\\[")
