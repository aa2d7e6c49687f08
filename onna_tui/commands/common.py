"""What every subcommand shares: the run context, output formatting, secret input, redaction.

Output rules: results go to stdout (plain text, or JSON with ``--json``);
notes, warnings and errors go to stderr. Nothing printed here ever contains a
client secret; every secret the CLI handles is registered with
``remember_secret`` (see commands.errors) so the error printer can blank it
out should it ever leak into a message. Nothing printed here carries a raw
terminal control either: every line goes through core.text, which
shows control and bidi characters as escapes (JSON keeps the exact data).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from onna_tui.commands.errors import UsageError, redact, remember_secret
from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.text import display_width, json_safe, pad, printable
from onna_tui.errors import OnnaTuiError
from onna_tui.profiles.resolve import ResolvedProfile, aresolve_profile
from onna_tui.profiles.session import open_client
from onna_tui.storage.config_file import ConfigStore
from onna_tui.storage.keyring.vault import Vault

if TYPE_CHECKING:
    from onna_tui.api.client import OnnaClient


@dataclass
class Context:
    """One run's collaborators: where profiles live, the keyring, the clock."""

    args: argparse.Namespace
    store: ConfigStore = field(default_factory=ConfigStore)
    vault: Vault = field(default_factory=Vault)
    clock: Clock = system_clock

    @property
    def profile_name(self) -> str | None:
        value = getattr(self.args, "profile", None)
        return str(value) if value else None

    @property
    def base_url_override(self) -> str | None:
        value = getattr(self.args, "base_url", None)
        return str(value) if value else None

    @property
    def verbose(self) -> bool:
        return bool(getattr(self.args, "verbose", False))

    def describe(self, error: Exception) -> str:
        """An error's sentence; with --verbose its status code and request id too."""
        text = error.verbose() if self.verbose and isinstance(error, OnnaTuiError) else str(error)
        return redact(text)

    @property
    def as_json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    async def resolve(self) -> ResolvedProfile:
        """The profile this run uses (``--profile`` > ONNA_PROFILE > default; env overrides)."""
        resolved = await aresolve_profile(
            self.store, self.vault, self.profile_name, self.base_url_override
        )
        if resolved.credentials is not None:
            remember_secret(resolved.credentials.client_secret)
        return resolved


@asynccontextmanager
async def connect(ctx: Context) -> AsyncIterator[OnnaClient]:
    """The resolved profile's client on this process's one AsyncClient (closed afterwards).

    Raises the ConfigError that says how to store a secret when there is none.
    """
    from onna_tui.api.http import make_http_client

    resolved = await ctx.resolve()
    resolved.require_credentials()
    async with make_http_client() as http:
        yield open_client(resolved, http=http, clock=ctx.clock, vault=ctx.vault)


# ------------------------------------------------------------------ output


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


class JsonArrayWriter:
    """A JSON array on stdout, written item by item: the same text as ``emit_json(list)``.

    Nothing is written before the first item; ``close`` ends the array (``[]``
    when there was no item), so output cut short by an error is still valid JSON.
    """

    def __init__(self) -> None:
        self.count = 0

    def write(self, items: Iterable[Any]) -> None:
        for item in items:
            text = "\n".join("  " + line for line in json_text(item).split("\n"))
            sys.stdout.write(("[\n" if self.count == 0 else ",\n") + text)
            self.count += 1
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


# ------------------------------------------------------------- secret input


def read_client_secret(prompt: str, example: str) -> SecretStr:
    """The client secret from stdin when piped, else from a no-echo prompt.

    ``example`` is the command to show in the "how to pipe it" hint.
    """
    stdin = sys.stdin
    if stdin is None or not stdin.isatty():
        text = stdin.read() if stdin is not None else ""
        value = text.strip()
        if not value:
            raise UsageError(
                "No client secret on standard input. Pipe it in, for example: "
                f"printf '%s' \"$ONNA_SECRET\" | {example} (or run it in a terminal to be "
                "asked for it without echo)."
            )
        if "\n" in value:
            raise UsageError(
                "Standard input has more than one line; it should hold only the client secret."
            )
    else:
        try:
            value = getpass.getpass(prompt).strip()
        except EOFError:
            value = ""
        if not value:
            raise UsageError("No client secret was entered; nothing was saved.")
    remember_secret(value)
    return SecretStr(value)
