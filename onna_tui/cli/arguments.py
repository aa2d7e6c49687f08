"""An argument parser whose errors never repeat a value from the command line.

Plain argparse echoes what it could not use: ``unrecognized arguments:
--secret=VALUE``, ``ambiguous option: --client=VALUE could match ...``,
``invalid choice: 'VALUE'``. Any such value may be a client secret or an access
token typed in the wrong place, and the error would show it on the screen, in a
CI log or a terminal recording. `SafeArgumentParser` (used for the whole
command tree) reports option names only, never values:

- an unknown option whose name looks like it carries a secret (``--secret``,
  ``--client_secret``, ``--client``, ``--token``, ``--password``, ...) anywhere on
  the command line turns any parse error into the message that ``--client-secret``
  gives: a secret is never taken as an argument (exit 2, via UsageError), and the
  values given with it are registered for redaction;
- otherwise the usual argparse error (usage line, exit 2), with unrecognized
  arguments listed by option name and counted when they are values, the value
  of an ambiguous option dropped, and quoted values left out of the rest.

Standard library only, so building the parser stays fast.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Any, NoReturn

from onna_tui.cli.errors import (
    SECRET_HINT,
    RefuseSecretArgument,
    UsageError,
    redact,
    remember_secret,
)
from onna_tui.core.text import printable

#: Parts of an option name that suggest its value is a secret.
_SECRET_WORDS = ("secret", "client", "token", "passw", "credential")
#: What an option name looks like; anything else given with a dash is not shown either.
_OPTION_NAME = re.compile(r"--?[A-Za-z0-9][A-Za-z0-9_.-]{0,40}")
#: Values at least this long are also blanked where they appear unquoted.
_LONG_VALUE = 8

_PARSING: ContextVar[bool] = ContextVar("onna_tui_parsing", default=False)


class _ParseFailure(Exception):
    """argparse gave up; carried to `SafeArgumentParser.parse_args`, which knows the argv."""

    def __init__(self, parser: SafeArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class SafeArgumentParser(argparse.ArgumentParser):
    """argparse that never echoes an argument's value in an error (see the module doc)."""

    def error(self, message: str) -> NoReturn:
        if _PARSING.get():
            raise _ParseFailure(self, message)
        self.fail(message)

    def fail(self, message: str) -> NoReturn:
        """argparse's usage line and ``PROG: error: MESSAGE``, exit 2 (message sanitised)."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {printable(redact(message))}\n")

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        token = _PARSING.set(True)
        try:
            parsed, extras = self.parse_known_args(argv, namespace)
        except _ParseFailure as failure:
            self._refuse(argv, failure.parser, failure.message, [])
        finally:
            _PARSING.reset(token)
        if extras:
            self._refuse(argv, self, None, extras)
        return parsed

    def _refuse(
        self,
        argv: list[str],
        parser: SafeArgumentParser,
        message: str | None,
        extras: list[str],
    ) -> NoReturn:
        options, commands = _known_names(self)
        suspects = list(_secret_like(argv, options))
        if suspects:
            for index in suspects:
                value = _value_given_with(argv, index)
                if value is not None:
                    remember_secret(value)
            names = ", ".join(dict.fromkeys(_shown_name(argv[index]) for index in suspects))
            raise UsageError(
                f"Refused {names}: a client secret or access token is never taken as a "
                "command-line argument (arguments are visible to other users in `ps` and are "
                "kept in shell history), so its value is not shown. For the client id use "
                f"--client-id ID. {_secret_hint(self, argv)}."
            )
        if message is None:
            parser.fail(_unrecognized(extras))
        parser.fail(_without_values(message, argv, options | commands))


def _known_names(parser: argparse.ArgumentParser) -> tuple[set[str], set[str]]:
    """Every real option string and every subcommand name in the parser tree.

    The ``--client-secret`` traps are left out: they are not options one may use.
    """
    options: set[str] = set()
    commands: set[str] = set()
    pending = [parser]
    while pending:
        current = pending.pop()
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    commands.add(name)
                    pending.append(sub)
            elif not isinstance(action, RefuseSecretArgument):
                options.update(action.option_strings)
    return options, commands


def _secret_hint(parser: argparse.ArgumentParser, argv: list[str]) -> str:
    """The ``--client-secret`` advice of the first subcommand on the command line."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for token in argv:
                sub = action.choices.get(token)
                if sub is not None:
                    for trap in sub._actions:
                        if isinstance(trap, RefuseSecretArgument):
                            return trap.hint
                    break
    return SECRET_HINT


def _option_name(token: str) -> str | None:
    """``--name`` of ``--name`` or ``--name=value``; None when ``token`` is not an option."""
    if not token.startswith("-") or token == "-" or " " in token.split("=", 1)[0]:
        return None
    return token.split("=", 1)[0]


def _shown_name(token: str) -> str:
    name = _option_name(token)
    return name if name is not None and _OPTION_NAME.fullmatch(name) else "an unusual option"


def _secret_like(argv: list[str], options: set[str]) -> Iterator[int]:
    """The positions of unknown options whose names suggest a secret."""
    for index, token in enumerate(argv):
        if token == "--":
            return
        name = _option_name(token)
        if name is None or name in options:
            continue
        plain = name.lstrip("-").lower()
        if any(word in plain for word in _SECRET_WORDS):
            yield index


def _value_given_with(argv: list[str], index: int) -> str | None:
    token = argv[index]
    if "=" in token:
        return token.split("=", 1)[1]
    if index + 1 < len(argv) and not argv[index + 1].startswith("-"):
        return argv[index + 1]
    return None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _unrecognized(extras: list[str]) -> str:
    names: list[str] = []
    hidden = 0
    for token in extras:
        name = _option_name(token)
        if name is not None and _OPTION_NAME.fullmatch(name):
            names.append(name)
            hidden += "=" in token
        else:
            hidden += 1
    if not names:
        return f"{_plural(hidden, 'unrecognized argument')} (not shown, in case one is a secret)"
    text = "unrecognized argument" + ("s" if len(names) > 1 else "") + ": " + " ".join(names)
    if hidden:
        text += f" (and {_plural(hidden, 'value')}, not shown)"
    return text


def _without_values(message: str, argv: list[str], names: set[str]) -> str:
    """argparse's ``message`` with the values from ``argv`` left out."""
    for token in argv:
        prefix = f"ambiguous option: {token} could match "
        if message.startswith(prefix):
            return f"ambiguous option: {_shown_name(token)} could match {message[len(prefix) :]}"
    values = set()
    for token in argv:
        name = _option_name(token)
        if name is None:
            values.add(token)
        elif "=" in token:
            values.add(token.split("=", 1)[1])
    for value in sorted(values - names, key=len, reverse=True):
        if not value:
            continue
        message = message.replace(f"invalid choice: {value!r} ", "invalid choice ")
        message = message.replace(f"ignored explicit argument {value!r}", "takes no value")
        message = message.replace(repr(value), "the value")
        if len(value) >= _LONG_VALUE:
            message = message.replace(value, "…")
    return message


def chunk_size(text: str) -> int:
    """--chunk-size: a size from 64K to 64M (4M, 512K, 1MiB)."""
    from onna_tui.core.sizes import parse_size

    try:
        size = parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not 64 * 1024 <= size <= 64 * 1024 * 1024:
        raise argparse.ArgumentTypeError(f"must be from 64K to 64M, not {text}")
    return size
