"""How the CLI prints: results on stdout, everything else on stderr, never a raw control.

Results go to stdout (plain text, or JSON with ``--json``); notes, warnings
and errors go to stderr. Every line goes through ``core.text``, which shows
control and bidi characters as escapes (JSON keeps the exact data), and every
note is redacted of the secrets the CLI has handled (see ``cli.errors``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring as _encode_string
from typing import Any

from onna_tui.cli.errors import UsageError, redact
from onna_tui.core.text import confirms_name, display_width, json_safe, pad, printable
from onna_tui.errors import ExitCode


def out(text: str = "") -> None:
    """A line of the command's result, on stdout (control characters shown as escapes)."""
    sys.stdout.write(printable(text) + "\n")


def note(text: str) -> None:
    """A remark for the person (not the result), on stderr."""
    sys.stderr.write(f"onna-tui: {printable(redact(text))}\n")


def json_text(value: Any) -> str:
    """``value`` as pretty JSON without raw terminal controls (it loads back equal)."""
    return json_safe(json.dumps(value, indent=2, ensure_ascii=False))


def emit_json(value: Any) -> None:
    """The result as pretty JSON on stdout (the documented, stable shapes)."""
    sys.stdout.write(json_text(value) + "\n")


def _array_item(item: Any) -> str:
    """``item`` as ``json.dumps(item, indent=2, ensure_ascii=False)`` writes it inside an
    array (every line indented two more spaces).

    A flat object of strings (a list row) is put together from the C string encoder
    json.dumps itself uses: with ``indent`` json.dumps runs its pure-Python encoder,
    which costs more than the request of the page. The text is the same.
    """
    if type(item) is dict and item:
        fields = []
        for key, value in item.items():
            if type(key) is not str or type(value) is not str:
                break
            fields.append(f"{_encode_string(key)}: {_encode_string(value)}")
        else:
            return "{\n    " + ",\n    ".join(fields) + "\n  }"
    # A newline in JSON text is always between tokens (strings escape theirs).
    return json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n  ")


class JsonArrayWriter:
    """A JSON array on stdout, written item by item: the same text as ``emit_json(list)``.

    Nothing is written before the first item; ``close`` ends the array (``[]``
    when there was no item), so output cut short by an error is still valid JSON.
    """

    def __init__(self) -> None:
        self.count = 0

    def write(self, items: Iterable[Any]) -> None:
        """Items (a page) in one write; each indented as inside ``emit_json``'s array."""
        parts: list[str] = []
        for item in items:
            parts.append(("[\n  " if self.count == 0 else ",\n  ") + _array_item(item))
            self.count += 1
        sys.stdout.write(json_safe("".join(parts)))
        sys.stdout.flush()

    def close(self) -> None:
        sys.stdout.write("[]\n" if self.count == 0 else "\n]\n")
        sys.stdout.flush()


class TableWriter:
    """An aligned table produced in parts (pages of rows), headers with the first part.

    Cells are shown with control characters escaped and aligned by display width
    (a CJK character takes two columns). A column only ever widens: each part is
    aligned in itself and with the parts before it, unless one of its cells is
    wider than all before, which moves the later columns of that part and the
    parts after it to the right.
    """

    def __init__(self, headers: Sequence[str]) -> None:
        self.headers = [printable(h) for h in headers]
        self.widths = [display_width(h) for h in self.headers]
        self.started = False

    def lines(self, rows: Iterable[Sequence[str]]) -> list[str]:
        """The lines for ``rows``, two spaces between cells, no trailing spaces."""
        safe = [[printable(cell) for cell in row] for row in rows]
        for row in safe:
            for index, cell in enumerate(row):
                self.widths[index] = max(self.widths[index], display_width(cell))
        if not self.started:
            safe.insert(0, self.headers)
            self.started = True
        return [
            "  ".join(pad(cell, self.widths[i]) for i, cell in enumerate(row)).rstrip()
            for row in safe
        ]


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows aligned under their headers, two spaces apart, no trailing spaces."""
    return TableWriter(headers).lines(rows)


def key_values(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """``Label:  value`` lines with the values aligned (control characters escaped)."""
    labels = [printable(label) + ":" for label, _ in pairs]
    width = max((display_width(label) for label in labels), default=0)
    return [
        f"{pad(label, width)}  {printable(value)}".rstrip()
        for label, (_, value) in zip(labels, pairs, strict=True)
    ]


def cannot_run(program: str, exc: OSError) -> int:
    """Say why ``program`` could not be started; the exit code a shell would give."""
    if isinstance(exc, FileNotFoundError):
        note(f"{program}: command not found")
        return ExitCode.NOT_FOUND
    if isinstance(exc, PermissionError):
        note(f"{program}: permission denied (is it executable?)")
        return ExitCode.CANNOT_RUN
    note(f"{program}: cannot run it ({exc.strerror or exc})")
    return ExitCode.CANNOT_RUN


def ask_for_name(name: str, onna_id: str, *, what: str, with_contents: bool = False) -> None:
    """The typed confirmation before a delete, on stderr; UsageError when the name typed
    does not match (nothing is deleted). ``with_contents``: say that what is inside goes too."""
    shown = printable(name)
    inside = " and everything in it" if with_contents else ""
    sys.stderr.write(
        f"This deletes {what} {shown} ({printable(onna_id)}){inside}; it cannot be undone.\n"
        f"Type the {what}'s name to confirm ({shown}): "
    )
    sys.stderr.flush()
    try:
        typed = sys.stdin.readline()
    except (EOFError, OSError):
        typed = ""
    if not confirms_name(typed, name):
        raise UsageError("The name typed does not match; nothing was deleted.")
