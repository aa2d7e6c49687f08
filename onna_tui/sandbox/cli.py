"""`onna-tui sandbox`: serve the sandbox in the foreground until Ctrl-C.

At start it prints the base URL, a client id and secret to use and a curl
command for the token exchange. Without ``--client-id`` a fresh client is
created on every start (with ``--state``, earlier clients keep working). With
``--client-secret-stdin`` the secret is read from standard input, so it never
appears in the process list or shell history, and it is not echoed back.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from onna_tui.core.shell import shell_quote
from onna_tui.core.urls import is_loopback_host
from onna_tui.errors import ExitCode

if TYPE_CHECKING:
    from onna_tui.core.tokens import Credentials
    from onna_tui.sandbox.server import SandboxServer
    from onna_tui.sandbox.state import SandboxState


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"{value} is not a port: use 0 to 65535 (0 picks a free one)"
        )
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox options to the ``sandbox`` subcommand's parser."""
    parser.description = (
        "Serve a local, Onna-compatible API (health, OAuth client credentials, workspaces) "
        "for trying onna-tui without an Onna account. Not the real Onna API."
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)"
    )
    parser.add_argument(
        "--port", type=_port, default=8000, help="port to bind; 0 picks a free one (default: 8000)"
    )
    parser.add_argument(
        "--token-ttl",
        type=positive_int,
        default=3599,
        metavar="SECONDS",
        help="lifetime of issued tokens (default: 3599, as Onna)",
    )
    parser.add_argument(
        "--page-size",
        type=positive_int,
        default=50,
        metavar="N",
        help="workspaces per page of GET /workspaces (default: 50)",
    )
    parser.add_argument(
        "--client-id", metavar="ID", help="client id to create or reuse (default: a generated one)"
    )
    parser.add_argument(
        "--client-secret-stdin",
        action="store_true",
        help="read the client secret from standard input instead of generating one",
    )
    parser.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="keep workspaces and clients in this JSON file across restarts",
    )
    parser.add_argument(
        "--error-shape",
        choices=("envelope", "flat"),
        default="envelope",
        help='how API errors are written: "envelope", the {"errors": [...]} of the '
        'document\'s examples (default), or "flat", the one error object of its '
        "JsonApiErrorsNNN schemas",
    )
    parser.add_argument(
        "--max-upload-size",
        type=upload_size,
        default=None,
        metavar="SIZE",
        help="the largest upload taken (Tus-Max-Size), such as 100M or 2G (default: 2G)",
    )


def upload_size(text: str) -> int:
    """A size in bytes, or with K, M, G or T."""
    from onna_tui.core.sizes import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` if it is not a directory, else None."""
    for parent in path.absolute().parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def _read_secret() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Client secret: ")
    return sys.stdin.readline().rstrip("\r\n")


def _curl_example(base_url: str, client_id: str, secret: str | None) -> str:
    shown_secret = secret if secret is not None else "YOUR_CLIENT_SECRET"
    return (
        "curl --request POST \\\n"
        f"  --url {shell_quote(base_url + '/oauth/token')} \\\n"
        "  --header 'Content-Type: application/x-www-form-urlencoded' \\\n"
        f"  --data-urlencode {shell_quote('client_id=' + client_id)} \\\n"
        f"  --data-urlencode {shell_quote('client_secret=' + shown_secret)} \\\n"
        "  --data-urlencode 'grant_type=client_credentials'"
    )


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _open_state(
    args: argparse.Namespace, secret: str | None
) -> tuple[SandboxState, Credentials | None] | int:
    """The state to serve and the client to announce (None: the stored one is kept),
    or the exit status after saying why the state cannot be used."""
    from onna_tui.sandbox.state import SandboxError, SandboxState

    try:
        state = SandboxState(
            token_ttl=args.token_ttl,
            page_size=args.page_size,
            state_file=args.state,
            error_shape=args.error_shape,
        )
        if getattr(args, "max_upload_size", None) is not None:
            state.contents.set_upload_settings(max_size=args.max_upload_size)
        if args.client_id and secret is None and state.has_client(args.client_id):
            # Keep the stored client: its secret exists only as a digest, so it
            # cannot be shown, but whoever created it has it.
            return state, None
        return state, state.add_client(client_id=args.client_id, client_secret=secret)
    except SandboxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the state file cannot be written (reading is a SandboxError)
        return _state_file_unwritable(args.state, exc)


def _state_file_unwritable(state_file: Path, exc: OSError) -> int:
    blocker = _file_in_the_way(state_file)
    if blocker is not None:
        reason, where = f"{blocker} is a file, not a directory", ""
    else:
        reason = exc.strerror or type(exc).__name__
        where = f" ({exc.filename})" if exc.filename and exc.filename != str(state_file) else ""
    print(
        f"error: cannot write the sandbox state file {state_file}: {reason}{where}. "
        "Give --state a file in a directory you can write.",
        file=sys.stderr,
    )
    return ExitCode.STORAGE


def _warn_if_reachable(host: str) -> None:
    if not is_loopback_host(host):
        print(
            f"warning: serving on {host}: anyone who can reach this address can use "
            "the sandbox API (the /_sandbox admin surface still answers loopback only).",
            file=sys.stderr,
        )


def _banner(
    args: argparse.Namespace,
    server: SandboxServer,
    creds: Credentials | None,
    secret: str | None,
) -> str:
    """What the command prints once serving: where, which client, how to get a token."""
    client_id = creds.client_id if creds is not None else args.client_id
    if creds is None:
        shown_secret = None
        secret_line = "(unchanged: the one this client was created with)"
    elif secret is not None:
        shown_secret = None
        secret_line = "(the one read from standard input)"
    else:
        shown_secret = creds.client_secret.get_secret_value()
        secret_line = shown_secret
    lines = [
        "Onna sandbox (a local stand-in, not the real Onna API)",
        f"Base URL:      {server.base_url}",
        f"Client ID:     {client_id}",
        f"Client secret: {secret_line}",
        f"Data:          {args.state if args.state else 'in memory (lost on exit)'}",
        "",
        "Get a token:",
        _curl_example(server.base_url, client_id, shown_secret),
        "",
        f"Admin (sandbox only): {server.root_url}/_sandbox/stats",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def _serve_until_stopped(server: SandboxServer) -> int:
    """Wait for Ctrl-C or SIGTERM, stop the server; the exit status."""
    # SIGTERM (what `kill` and process managers send) stops as cleanly as Ctrl-C.
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt) if in_main else None
    try:
        server.wait()
    except KeyboardInterrupt:
        print("\nStopping the sandbox.", file=sys.stderr)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        server.stop()
    if server.error is not None:
        print(f"error: the sandbox server stopped: {server.error!r}", file=sys.stderr)
        return ExitCode.API
    return 0


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C (or SIGTERM); the exit status for the command."""
    # Imported here so that building the `onna-tui` parser (every command, even
    # --help) does not pay for starlette and uvicorn.
    from onna_tui.sandbox.server import SandboxServer

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    secret: str | None = None
    if args.client_secret_stdin:
        secret = _read_secret()
        if not secret:
            print("error: --client-secret-stdin read an empty secret", file=sys.stderr)
            return ExitCode.USAGE

    opened = _open_state(args, secret)
    if isinstance(opened, int):
        return opened
    state, creds = opened
    _warn_if_reachable(args.host)

    server = SandboxServer(state, host=args.host, port=args.port)
    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        print(f"error: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return ExitCode.API

    print(_banner(args, server, creds, secret), flush=True)
    return _serve_until_stopped(server)
