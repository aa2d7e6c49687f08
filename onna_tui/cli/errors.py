"""The CLI's own failures and its guard against leaking secrets. Standard library only,
so building the parser (``--help``, ``--version``) imports nothing heavy.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from onna_tui.core.shell import redact as core_redact
from onna_tui.errors import ExitCode, OnnaTuiError

_SECRETS: set[str] = set()

#: What to do instead of passing a client secret as an argument.
SECRET_HINT = (
    "Pipe it on standard input instead, for example: printf '%s' \"$ONNA_SECRET\" | "
    "onna-tui profile add NAME --client-id ID (or run it without a pipe to be asked "
    "for it without echo); scripts can also set ONNA_CLIENT_ID and ONNA_CLIENT_SECRET"
)


class UsageError(OnnaTuiError):
    """The command line asks for something that cannot be done as asked (exit 2)."""

    title = "Cannot do that as asked"
    exit_code = ExitCode.USAGE


def remember_secret(value: object) -> None:
    """Register a secret (a str or pydantic SecretStr) so ``redact`` blanks it out."""
    getter = getattr(value, "get_secret_value", None)
    if callable(getter):
        value = getter()
    if isinstance(value, str) and len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by bullets."""
    return core_redact(text, _SECRETS)


class RefuseSecretArgument(argparse.Action):
    """``--client-secret`` is a trap: arguments show up in ``ps`` and shell history."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        hint = kwargs.pop("hint", None)
        kwargs.setdefault("nargs", "?")
        kwargs.setdefault("help", argparse.SUPPRESS)
        super().__init__(option_strings, dest, **kwargs)
        hint = hint or SECRET_HINT
        self.hint: str = hint[:1].upper() + hint[1:]

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        remember_secret(values)
        raise UsageError(
            "The client secret is never taken as a command-line argument: arguments "
            f"are visible to other users in `ps` and are kept in shell history. {self.hint}."
        )
