"""The cached token's expiry, read in a helper process while the TUI starts.

People open onna-tui to see how long their token has left. The full path to that
answer (config model, vault, HTTP client, the Token screen) costs several times
the first paint, and most of it is imports on the app's one thread. So ``run_tui``
starts this module as a child process (``python -m onna_tui.tui.early``) before it
even imports textual: on another core, the child reads config.toml and the keyring
with the standard library (``profiles.quick``) and prints one JSON line saying
which profile it read and when its token expires. The app shows that countdown
as soon as it has painted, and the full session replaces it moments later.

What crosses the pipe is no secret: a profile name, an expiry time and a lifetime
(the child never prints the token, and never gets a secret on its command line).
The child never prompts (a locked keyring is simply no answer), answers nothing
whenever the full path might read otherwise (see ``profiles.quick``), and is
killed if it has not answered in time. No textual here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import datetime

from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.token_rules import seconds_left

#: How long the app waits for the child's answer before opening the profile without it.
WAIT_SECONDS = 1.0


class EarlyExpiry:
    """When the cached token of profile ``profile`` expires: what the countdown needs.

    A plain class (the child defines it too, and must stay quick); no token in it.
    """

    __slots__ = ("expires_at", "expires_in", "profile")

    def __init__(self, profile: str, expires_at: datetime, expires_in: int) -> None:
        self.profile = profile
        self.expires_at = expires_at
        self.expires_in = expires_in

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds left at ``now``, never below zero (as ``AccessToken``'s)."""
        return seconds_left(self.expires_at, now)

    def __repr__(self) -> str:
        return f"EarlyExpiry({self.profile!r}, expires_at={self.expires_at.isoformat()!r})"


def encode(expiry: EarlyExpiry) -> str:
    """The child's one line."""
    return json.dumps(
        {
            "profile": expiry.profile,
            "expires_at": expiry.expires_at.isoformat(),
            "expires_in": expiry.expires_in,
        }
    )


def decode(line: str) -> EarlyExpiry | None:
    """The child's line, or None unless it is exactly what ``encode`` writes."""
    try:
        data = json.loads(line)
        profile, expires_at, expires_in = data["profile"], data["expires_at"], data["expires_in"]
        if type(profile) is not str or type(expires_in) is not int or type(expires_at) is not str:
            return None
        moment = datetime.fromisoformat(expires_at)
    except (ValueError, TypeError, KeyError, RecursionError):
        return None
    if moment.tzinfo is None:
        return None
    return EarlyExpiry(profile, moment, expires_in)


def read_expiry(
    profile: str | None, env: Mapping[str, str], clock: Clock = system_clock
) -> EarlyExpiry | None:
    """What the child prints: the profile's cached token's expiry, if it is still alive."""
    from onna_tui.profiles.quick import quick_cached_token

    found = quick_cached_token(
        profile, env, lambda token: seconds_left(token.expires_at, clock()) > 0, prompt=False
    )
    if found is None:
        return None
    quick, token = found
    return EarlyExpiry(quick.name, token.expires_at, token.expires_in)


class EarlyRead:
    """The running child. ``result()`` waits for its answer (in a thread: it blocks)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process = process

    @classmethod
    def spawn(cls, profile: str | None) -> EarlyRead | None:
        """Start the child for ``profile`` (None: the default one); None if it cannot start."""
        command = [sys.executable, "-m", __name__]
        if profile is not None:
            command += ["--profile", profile]
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
        except OSError:
            return None
        return cls(process)

    @property
    def answered(self) -> bool:
        """Whether the child has exited, so that ``result()`` will not block."""
        return self._process.poll() is not None

    def result(self, timeout: float = WAIT_SECONDS) -> EarlyExpiry | None:
        """The child's answer, or None (nothing found, a failure, or too slow: killed)."""
        try:
            out, _ = self._process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.close()
            return None
        except (OSError, ValueError):
            return None
        if self._process.returncode != 0 or not out.strip():
            return None
        return decode(out.strip().splitlines()[-1])

    def close(self) -> None:
        """Kill the child if it still runs, and reap it."""
        if self._process.poll() is None:
            self._process.kill()
        try:
            self._process.communicate(timeout=5)
        except (subprocess.TimeoutExpired, OSError, ValueError):
            pass


def main(argv: list[str] | None = None) -> int:
    """The child: print the expiry line, or nothing; never fails loudly."""
    args = sys.argv[1:] if argv is None else argv
    profile = args[1] if len(args) == 2 and args[0] == "--profile" else None
    if args and profile is None:
        return 2
    try:
        expiry = read_expiry(profile, os.environ)
    except Exception:
        return 0  # no answer: the app opens the profile the full way and says what is wrong
    if expiry is not None:
        sys.stdout.write(encode(expiry) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
