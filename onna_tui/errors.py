"""The one error base of onna-tui and the one table of exit codes. Standard library only.

Every error of ours derives from `OnnaTuiError`: the API layer's
(``api.errors.OnnaError``), the keyring's (``VaultError``), configuration
(``ConfigError``), the command line's (``UsageError``) and the sandbox's. Each
carries a sentence written for people (``str(error)``), a short ``title`` for
a toast, and the ``exit_code`` the CLI ends with. Callers tell them apart with
``isinstance``, never by looking for attributes.

`ExitCode` is the only list of exit codes: the CLI's help text is built from
it, and a test checks the README's table against it.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What the ``onna-tui`` process exit status means; ``meaning`` says it in a few words."""

    meaning: str

    def __new__(cls, code: int, meaning: str) -> ExitCode:
        member = int.__new__(cls, code)
        member._value_ = code
        member.meaning = meaning
        return member

    #: Success.
    OK = 0, "ok"
    #: The API refused or failed (404, 422, 429, 5xx, an undocumented answer), or a bug.
    API = 1, "API error"
    #: Bad arguments or configuration: unknown profile, no secret, invalid config.toml, ...
    USAGE = 2, "usage or configuration"
    #: The token exchange refused the credentials, or the call is not authorized.
    AUTH = 3, "invalid credentials or not authorized"
    #: The keyring or config.toml cannot be used (missing, locked, refused, not answering).
    STORAGE = 4, "keyring or storage"
    #: Cannot connect, DNS, TLS, timeout, connection dropped.
    NETWORK = 5, "network"
    #: `exec`: the command was found but cannot be run (not executable).
    CANNOT_RUN = 126, "exec: the command cannot run"
    #: `exec`: no such command.
    NOT_FOUND = 127, "exec: command not found"
    #: Ctrl-C.
    INTERRUPTED = 130, "interrupted (Ctrl-C)"
    #: The reader of stdout went away, like a tool killed by SIGPIPE.
    BROKEN_PIPE = 141, "stdout closed early (broken pipe)"


def exit_code_summary() -> str:
    """Every exit code with its meaning: ``0 ok, 1 API error, …`` (for help texts)."""
    return ", ".join(f"{int(code)} {code.meaning}" for code in ExitCode)


class OnnaTuiError(Exception):
    """Base of every error onna-tui raises on purpose.

    ``message`` is one or more sentences that say what happened and what to do,
    and never contain a secret. ``title`` and ``exit_code`` default to the class's.
    """

    #: A short title for toasts.
    title: str = "Problem"
    #: How the CLI exits when this error ends a command.
    exit_code: ExitCode = ExitCode.API

    def __init__(
        self,
        message: str,
        *,
        title: str | None = None,
        exit_code: ExitCode | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        # The message only: never the arguments a subclass was built from.
        return f"{type(self).__name__}({self.message!r})"

    def verbose(self) -> str:
        """The message with whatever details ``--verbose`` adds (none here)."""
        return self.message
