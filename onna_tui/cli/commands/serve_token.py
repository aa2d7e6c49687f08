"""`onna-tui exec --server -- CMD` and `onna-tui serve-token`: tokens for long-running programs.

Both start the token endpoint of ``profiles.token_server`` on 127.0.0.1. With
``exec --server`` the command runs as a child with ONNA_TOKEN_URL and
ONNA_TOKEN_AUTH (the per-run secret) in its environment, and onna-tui stays to
serve it until it exits; its exit status is onna-tui's (128+N after signal N).
SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 are passed on to it; Ctrl-C reaches it from
the terminal directly, so onna-tui itself ignores SIGINT and SIGQUIT meanwhile
(as a shell does while it waits for a foreground job).

``serve-token`` prints the two variables as shell assignments (or JSON) and
serves in the foreground until SIGINT or SIGTERM (it does not fork away, so run
it in its own terminal or as a service and hand its first two lines to the
program). Whoever reads that output can get tokens: it is not for a log.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import shlex
import signal
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from onna_tui.cli.context import Context, connect
from onna_tui.cli.errors import remember_secret
from onna_tui.cli.options import Subcommands, add_json, leaf
from onna_tui.cli.output import cannot_run, note
from onna_tui.core.token_rules import EXEC_MIN_LEFT
from onna_tui.sandbox.cli import positive_int

if TYPE_CHECKING:
    import argparse

    from onna_tui.core.tokens import AccessToken
    from onna_tui.profiles.resolve import ResolvedProfile

ENV_BASE_URL = "ONNA_BASE_URL"
#: Passed on to the command; SIGINT and SIGQUIT reach it from the terminal.
FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)
IGNORED_WHILE_WAITING = (signal.SIGINT, signal.SIGQUIT)


def register(sub: Subcommands[argparse.ArgumentParser]) -> None:
    """``onna-tui serve-token`` (``exec --server`` is registered with ``exec``)."""
    serve = leaf(
        sub,
        "serve-token",
        "serve fresh tokens on 127.0.0.1, in the foreground, to programs that present the "
        "printed ONNA_TOKEN_AUTH (prints ONNA_TOKEN_URL and ONNA_TOKEN_AUTH first)",
    )
    serve.add_argument(
        "--min-left",
        type=positive_int,
        default=EXEC_MIN_LEFT,
        metavar="SECONDS",
        help=f"the least time a token handed out has left (default: {EXEC_MIN_LEFT})",
    )
    add_json(serve, "the URL and the secret")
    serve.set_defaults(handler=serve_token)


def server_environment(
    base: Mapping[str, str], url: str, secret: str, resolved: ResolvedProfile
) -> dict[str, str]:
    """``base`` plus where and how to ask for a token; without the client secret."""
    from onna_tui.profiles.resolve import ENV_CLIENT_SECRET, ENV_EXEC_PROFILE
    from onna_tui.profiles.token_server import ENV_TOKEN_AUTH, ENV_TOKEN_URL

    # No token of an outer `exec`: the program asks the endpoint for a fresh one.
    dropped = {ENV_CLIENT_SECRET, "ONNA_ACCESS_TOKEN", "ONNA_TOKEN_EXPIRES_AT"}
    env = {k: v for k, v in base.items() if k not in dropped}
    env[ENV_TOKEN_URL] = url
    env[ENV_TOKEN_AUTH] = secret
    env[ENV_BASE_URL] = resolved.base_url
    env[ENV_EXEC_PROFILE] = resolved.name
    return env


@contextlib.contextmanager
def _signals(handlers: Mapping[signal.Signals, Callable[[], None]]) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    for sig, handler in handlers.items():
        loop.add_signal_handler(sig, handler)
    try:
        yield
    finally:
        for sig in handlers:
            loop.remove_signal_handler(sig)


def _workable_min_left(ctx: Context, first: AccessToken, min_left: int) -> float:
    """``min_left``, unless tokens do not live that long: then half their lifetime (else
    every request would mint a new token), with a note saying so."""
    if first.expires_in > min_left:
        return min_left
    half = first.expires_in / 2
    note(
        f"Tokens live {first.expires_in} s here, not more than --min-left {min_left}: each "
        f"answer will have at least {half:g} s left instead."
    )
    return half


def _ignore() -> None:
    """SIGINT and SIGQUIT while the command runs: it got them from the terminal itself."""


def _exit_status(returncode: int) -> int:
    return returncode if returncode >= 0 else 128 - returncode


async def run_with_server(
    ctx: Context, argv: Sequence[str], resolved: ResolvedProfile, min_left: int
) -> int:
    from onna_tui.profiles.token_server import TokenEndpoint, TokenServer, new_secret

    async with connect(ctx) as client:
        tokens = client.require_tokens()
        first = await tokens.get()  # bad credentials fail here, before the command starts
        remember_secret(first.access_token)
        secret = new_secret()
        remember_secret(secret)
        workable = _workable_min_left(ctx, first, min_left)
        endpoint = TokenEndpoint(tokens, secret, min_left=workable, clock=ctx.clock)
        async with TokenServer(endpoint) as server:
            env = server_environment(os.environ, server.url, secret, resolved)
            sys.stdout.flush()
            sys.stderr.flush()
            # The handlers go in before the command starts: a signal that comes first is
            # kept and passed on as soon as there is a command to pass it to.
            child: asyncio.subprocess.Process | None = None
            pending: list[signal.Signals] = []

            def forward(sig: signal.Signals) -> None:
                if child is None:
                    pending.append(sig)
                    return
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(sig)

            handlers: dict[signal.Signals, Callable[[], None]] = {
                sig: functools.partial(forward, sig) for sig in FORWARDED
            }
            handlers.update({sig: _ignore for sig in IGNORED_WHILE_WAITING})
            with _signals(handlers):
                try:
                    child = await asyncio.create_subprocess_exec(*argv, env=env)
                except OSError as exc:
                    return cannot_run(argv[0], exc)
                for sig in pending:
                    forward(sig)
                returncode = await child.wait()
    return _exit_status(returncode)


async def serve_token(ctx: Context) -> int:
    from onna_tui.profiles.token_server import (
        ENV_TOKEN_AUTH,
        ENV_TOKEN_URL,
        TokenEndpoint,
        TokenServer,
        new_secret,
    )

    resolved = await ctx.resolve()
    min_left = int(getattr(ctx.args, "min_left", 0))
    async with connect(ctx) as client:
        tokens = client.require_tokens()
        first = await tokens.get()
        remember_secret(first.access_token)
        secret = new_secret()
        remember_secret(secret)
        workable = _workable_min_left(ctx, first, min_left)
        endpoint = TokenEndpoint(tokens, secret, min_left=workable, clock=ctx.clock)
        stop = asyncio.Event()
        # The handlers are in place before anything is printed: whoever reads the
        # printout may stop the server at once.
        with _signals({signal.SIGINT: stop.set, signal.SIGTERM: stop.set}):
            async with TokenServer(endpoint) as server:
                if getattr(ctx.args, "json", False):
                    print(json.dumps({"token_url": server.url, "token_auth": secret}))
                else:
                    for name, value in ((ENV_TOKEN_URL, server.url), (ENV_TOKEN_AUTH, secret)):
                        print(f"{name}={shlex.quote(value)}; export {name};")
                sys.stdout.flush()
                note(
                    f"Serving tokens of profile {resolved.name!r} at {server.url} "
                    f"(pid {os.getpid()}); Ctrl-C or SIGTERM stops it."
                )
                await stop.wait()
    note(f"Stopped after serving {endpoint.served} token(s).")
    return 0
