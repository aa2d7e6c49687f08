"""`onna-tui token` on a cached token, without the command tree, pydantic or asyncio.

Scripts call ``onna-tui token`` often, and nearly every call finds a cached
token with time left: ``cached_token_output`` answers those from config.toml
(``storage.quick_config``) and the keyring (``storage.keyring.quick``) with
the standard library, printing exactly what the ``token`` command prints. It
covers only ``token`` and ``token --json``, with or without one
``--profile NAME`` / ``--profile=NAME``, and only when no environment variable
that changes resolution is set (``profiles.environment``). Everything else —
another option, no config or profile, a plaintext-storage opt-in, no cached
token, one within its renewal margin or expired, no client secret, anything
unexpected — is None: ``main`` then runs the full command, which mints (one
exchange across processes) or says what is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.profile_rules import PROFILE_NAME
from onna_tui.core.token_rules import is_fresh, seconds_left

_PROFILE = "--profile"


def fast_token_request(args: Sequence[str]) -> tuple[str | None, bool] | None:
    """``(profile name or None, --json)`` when ``args`` is a plain ``token`` command line."""
    command = as_json = False
    profile: str | None = None
    rest = iter(args)
    for arg in rest:
        if arg == "token" and not command:
            command = True
        elif arg == "--json" and command and not as_json:
            as_json = True
        elif (arg == _PROFILE or arg.startswith(_PROFILE + "=")) and profile is None:
            profile = arg.partition("=")[2] if "=" in arg else next(rest, "")
            if not PROFILE_NAME.fullmatch(profile) or profile.startswith("-"):
                return None
        else:
            return None
    return (profile, as_json) if command else None


def cached_token_output(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    clock: Clock = system_clock,
    config_path: Path | None = None,
) -> str | None:
    """What ``onna-tui <args>`` prints on stdout when it is a plain ``token`` command and the
    profile's cached token needs no renewal; None when the full path must run."""
    try:
        return _output(args, os.environ if env is None else env, clock, config_path)
    except Exception:  # never an error from here: the full path reports it properly
        return None


def _output(
    args: Sequence[str], env: Mapping[str, str], clock: Clock, config_path: Path | None
) -> str | None:
    request = fast_token_request(args)
    if request is None:
        return None
    name, as_json = request

    from onna_tui.profiles.quick import quick_cached_token

    found = quick_cached_token(
        name,
        env,
        lambda token: is_fresh(token.expires_at, token.expires_in, clock()),
        config_path,
    )
    if found is None:
        return None
    token = found[1]
    if not as_json:
        from onna_tui.core.text import printable

        return printable(token.access_token) + "\n"
    from onna_tui.cli.output import json_text
    from onna_tui.core.formatting import iso

    return (
        json_text(
            {
                "access_token": token.access_token,
                "token_type": token.token_type,
                "expires_at": iso(token.expires_at),
                "expires_in": seconds_left(token.expires_at, clock()),
            }
        )
        + "\n"
    )
