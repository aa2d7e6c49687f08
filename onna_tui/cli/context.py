"""What every subcommand is given: the run's context, its client, and the secret it reads.

`Context` holds one run's collaborators (where profiles live, the keyring, the
clock); ``connect`` opens the resolved profile's client; ``read_client_secret``
reads a secret from stdin or a hidden prompt. Every secret the CLI handles is
registered with ``remember_secret`` (see ``cli.errors``) so the error printer
can blank it out should it ever leak into a message. Printing is in
``cli.output``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from onna_tui.cli.errors import UsageError, redact, remember_secret
from onna_tui.core.clock import Clock, system_clock
from onna_tui.errors import OnnaTuiError

if TYPE_CHECKING:
    from pydantic import SecretStr

    from onna_tui.api.client import OnnaClient
    from onna_tui.cli.listing import WorkspaceListing
    from onna_tui.profiles.resolve import ResolvedProfile
    from onna_tui.storage.config_file import ConfigStore
    from onna_tui.storage.keyring.vault import Vault


# The collaborators are made when a command runs, not when the parser is built: their
# modules (pydantic, the keyring) are loaded only by a command that needs them.
def _config_store() -> ConfigStore:
    from onna_tui.storage.config_file import ConfigStore

    return ConfigStore()


def _vault() -> Vault:
    from onna_tui.storage.keyring.vault import Vault

    return Vault()


@dataclass
class Context:
    """One run's collaborators: where profiles live, the keyring, the clock."""

    args: argparse.Namespace
    store: ConfigStore = field(default_factory=_config_store)
    vault: Vault = field(default_factory=_vault)
    clock: Clock = system_clock
    #: `workspace list` handed over part way by the quick path (cli.fast_list).
    resumed_listing: WorkspaceListing | None = None

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
        from onna_tui.profiles.resolve import aresolve_profile

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
    from onna_tui.profiles.session import open_client

    resolved = await ctx.resolve()
    resolved.require_credentials()
    async with make_http_client() as http:
        yield open_client(resolved, http=http, clock=ctx.clock, vault=ctx.vault)


# ------------------------------------------------------------- secret input


def read_client_secret(prompt: str, example: str) -> SecretStr:
    """The client secret from stdin when piped, else from a no-echo prompt.

    ``example`` is the command to show in the "how to pipe it" hint.
    """
    from pydantic import SecretStr

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
