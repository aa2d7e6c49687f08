"""`onna-tui exec -- CMD ARGS...`: run a program with a valid token in its environment.

The program gets ONNA_ACCESS_TOKEN, ONNA_BASE_URL and ONNA_TOKEN_EXPIRES_AT (and
ONNA_TUI_EXEC_PROFILE, so a nested exec can tell). The token has at least
``--min-left`` seconds to live: the shared cached one when it has, else a new one
(which then replaces the cached one, so every process keeps sharing one token).

onna-tui then *becomes* the program (exec, as aws-vault does without a server):
the program's exit status is onna-tui's, every signal reaches it directly, and
nothing of onna-tui stays in between. The token is never put on a command line;
the client secret is taken out of the program's environment, which needs only
the token.

With ``--server`` it runs the program as a child instead and serves it fresh
tokens on loopback for as long as it runs (see ``serve_token``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from onna_tui.cli.context import Context, connect
from onna_tui.cli.errors import UsageError, remember_secret
from onna_tui.cli.options import Subcommands, leaf
from onna_tui.cli.output import cannot_run, note
from onna_tui.core.formatting import iso
from onna_tui.core.token_rules import EXEC_MIN_LEFT
from onna_tui.sandbox.cli import positive_int

if TYPE_CHECKING:
    from onna_tui.core.tokens import AccessToken

ENV_TOKEN = "ONNA_ACCESS_TOKEN"
ENV_BASE_URL = "ONNA_BASE_URL"
ENV_EXPIRES_AT = "ONNA_TOKEN_EXPIRES_AT"
#: The default least time a token handed to a program has left, in seconds.
DEFAULT_MIN_LEFT = EXEC_MIN_LEFT


def register(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """``onna-tui exec``."""
    run = leaf(
        sub,
        "exec",
        "run a command with a valid token in its environment (ONNA_ACCESS_TOKEN, "
        "ONNA_BASE_URL, ONNA_TOKEN_EXPIRES_AT); its exit status is onna-tui's",
    )
    run.add_argument(
        "--min-left",
        type=positive_int,
        default=EXEC_MIN_LEFT,
        metavar="SECONDS",
        help="the least time the token must have left, else a new one is minted "
        f"(default: {EXEC_MIN_LEFT}; tokens live about an hour)",
    )
    run.add_argument(
        "--allow-nested",
        action="store_true",
        help="allow running inside another `onna-tui exec` of a different profile",
    )
    run.add_argument(
        "--server",
        action="store_true",
        help="instead of a token, give the command ONNA_TOKEN_URL and ONNA_TOKEN_AUTH: a "
        "loopback endpoint that hands out fresh tokens for as long as it runs",
    )
    run.add_argument("exec_argv", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]")
    run.set_defaults(handler=exec_command)


def child_environment(
    base: Mapping[str, str], access: AccessToken, base_url: str, profile: str
) -> dict[str, str]:
    """``base`` plus the token's variables, without the client secret."""
    from onna_tui.profiles.resolve import ENV_CLIENT_SECRET, ENV_EXEC_PROFILE

    env = {k: v for k, v in base.items() if k != ENV_CLIENT_SECRET}
    env[ENV_TOKEN] = access.access_token.get_secret_value()
    env[ENV_BASE_URL] = base_url
    env[ENV_EXPIRES_AT] = iso(access.expires_at) or ""
    env[ENV_EXEC_PROFILE] = profile
    return env


def refuse_nesting(profile: str, env: Mapping[str, str], allow: bool) -> None:
    """An exec inside another exec of a different profile is refused unless allowed."""
    from onna_tui.profiles.resolve import ENV_EXEC_PROFILE

    outer = env.get(ENV_EXEC_PROFILE)
    if outer and outer != profile and not allow:
        raise UsageError(
            f"This shell already runs inside `onna-tui exec` for profile {outer!r}; "
            f"starting one for {profile!r} inside it would mix two profiles' tokens. "
            "Exit the outer one first, or add --allow-nested."
        )


def _command(ctx: Context) -> list[str]:
    argv: Sequence[str] = getattr(ctx.args, "exec_argv", None) or []
    argv = list(argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        raise UsageError("Say what to run: onna-tui exec [--profile NAME] -- COMMAND [ARGS...]")
    return argv


async def _token(ctx: Context, min_left: int) -> AccessToken:
    async with connect(ctx) as client:
        manager = client.require_tokens()
        access = await manager.get(min_left=min_left)
        if manager.cache_problem:
            note(f"The token works but could not be cached for next time: {manager.cache_problem}")
    return access


async def exec_command(ctx: Context) -> int:
    argv = _command(ctx)
    min_left = int(getattr(ctx.args, "min_left", DEFAULT_MIN_LEFT))
    resolved = await ctx.resolve()
    refuse_nesting(resolved.name, os.environ, bool(getattr(ctx.args, "allow_nested", False)))
    if getattr(ctx.args, "server", False):
        from onna_tui.cli.commands.serve_token import run_with_server

        return await run_with_server(ctx, argv, resolved, min_left)
    access = await _token(ctx, min_left)
    remember_secret(access.access_token)
    left = access.seconds_left(ctx.clock())
    if left < min_left:
        note(
            f"The new token has {timedelta(seconds=int(left))} left, less than --min-left "
            f"{min_left}s: Onna's tokens live about an hour and cannot be made to last longer."
        )
    env = child_environment(os.environ, access, resolved.base_url, resolved.name)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(argv[0], argv, env)
    except OSError as exc:
        return cannot_run(argv[0], exc)
    raise AssertionError("unreachable: execvpe returns only by raising")  # pragma: no cover
