"""Untrusted text made safe for a terminal: the one sanitiser of the CLI and the TUI.

Standard library only (the TUI's Rich side of it is ``tui.safe_text``).

Names, descriptions, ids and server messages are data. Printed raw, an ESC
could clear the screen or recolour it, a newline or carriage return could forge
a table row, and a bidi override could reverse what follows it. ``printable``
renders every such character as a visible escape and keeps all other text, accents,
CJK and emoji included, as it is:

- C0 controls, DEL and C1 controls (U+0000-U+001F, U+007F-U+009F): ``\\n``,
  ``\\r``, ``\\t``, otherwise ``\\x1b`` style;
- bidi embeddings, overrides, isolates and marks (U+202A-U+202E,
  U+2066-U+2069, U+200E, U+200F, U+061C), the line and paragraph separators
  U+2028 and U+2029, and lone surrogates (which cannot even be encoded):
  ``\\u202e`` style.

The rendering is idempotent (its output holds none of these characters), so
text that passes through two layers is not escaped twice. A backslash is left
as it is, so a name that really contains the four characters ``\\x1b`` looks
like one that contains an ESC: ``--json`` gives the exact data.

``printable_block`` is the same rule for a block of lines on a screen (line
breaks kept as breaks), and ``without_controls`` drops those characters from
a paste instead of showing them.

``json_safe`` applies the same rule to JSON text: ``json.dumps(...,
ensure_ascii=False)`` escapes U+0000-U+001F but leaves the other characters
above raw, so they become ``\\u`` escapes, and ``json.loads`` gives back
exactly the same value.
"""

from __future__ import annotations

import re
import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

#: Characters that steer a terminal, or can break or reorder a line of output.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_UNSAFE_EXCEPT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]"
)
_UNSAFE_EXCEPT_TAB = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]"
)
#: Every way of breaking a line: each becomes one ``\n`` in a block of text.
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
#: What json.dumps(ensure_ascii=False) leaves raw of the above (it escapes U+0000-U+001F).
_UNSAFE_IN_JSON = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` (or ``str(text)``) with every terminal control and bidi control shown as an
    escape: one line, whatever it holds.

    ``keep_newlines`` keeps ``\\n`` as a line break (for multi-line text such as
    a traceback); everything else, ``\\r`` included, is still escaped.
    """
    pattern = _UNSAFE_EXCEPT_NEWLINE if keep_newlines else _UNSAFE
    return pattern.sub(_escape, text if isinstance(text, str) else str(text))


def printable_block(text: object) -> str:
    """``text`` as a block of lines for a screen (a description, a message): every line
    break (``\\r\\n``, ``\\r``, U+0085, U+2028, U+2029) becomes one ``\\n``, tabs become
    spaces, and every other control is shown as an escape, as `printable` shows it."""
    text = text if isinstance(text, str) else str(text)
    return _UNSAFE_EXCEPT_NEWLINE.sub(_escape, _LINE_BREAKS.sub("\n", text).expandtabs(4))


def without_controls(text: str) -> str:
    """``text`` with the characters `printable` escapes left out, tabs kept: for a paste
    into a text field, which would draw them to the terminal raw."""
    return _UNSAFE_EXCEPT_TAB.sub("", text)


def json_safe(json_text: str) -> str:
    """JSON text from ``json.dumps(..., ensure_ascii=False)`` without raw terminal controls.

    Those characters can only occur inside JSON strings, where ``\\uXXXX`` means the
    same character, so the document still loads to an equal value.
    """
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", json_text)


def display_width(text: str) -> int:
    """The columns ``text`` takes in a terminal: wide (CJK, most emoji) count 2,
    combining marks and other zero-width characters 0.

    An approximation without a wcwidth table: an emoji sequence joined with
    U+200D counts each of its parts, so it may come out wider than drawn.
    """
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` display columns."""
    return text + " " * max(0, width - display_width(text))


def confirms_name(typed: str, name: str) -> bool:
    """True when ``typed`` is ``name``, or ``name`` as it is shown (with its escapes).

    What a person must type to confirm a delete: a name holding characters a
    keyboard cannot type may be typed as printed. Surrounding spaces do not count.
    """
    wanted = {name.strip(), printable(name).strip()}
    return bool(typed.strip()) and typed.strip() in wanted
