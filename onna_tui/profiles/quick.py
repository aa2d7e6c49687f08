"""A profile's cached token found from config.toml and the keyring alone. Standard library
(and keyring) only: no pydantic, no httpx, no textual.

Two callers need an answer before anything heavier is imported: ``onna-tui token``
(``cli.fast_token``, which prints it) and the TUI's start-up (``tui.early``, which
shows its countdown while the profile opens). ``quick_cached_token`` answers only
when the full path would pick the same profile and read the same token; None
means "take the full path", which reports whatever was wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from onna_tui.profiles.environment import RESOLUTION_VARIABLES

if TYPE_CHECKING:
    from onna_tui.storage.keyring.quick import CachedToken
    from onna_tui.storage.quick_config import QuickProfile


def quick_cached_token(
    name: str | None,
    env: Mapping[str, str],
    wanted: Callable[[CachedToken], bool],
    config_path: Path | None = None,
    *,
    prompt: bool = True,
) -> tuple[QuickProfile, CachedToken] | None:
    """Profile ``name`` (None: the default one) and its cached token, when ``wanted`` takes
    it; None whenever the full path might resolve or read differently: an environment
    variable that changes resolution, a config the quick reader is unsure of, a
    plaintext-storage opt-in, no token or no client secret. With ``prompt=False`` a
    locked keyring is not asked to unlock (None instead)."""
    if any(variable in env for variable in RESOLUTION_VARIABLES):
        return None
    from onna_tui.storage.paths import default_config_path
    from onna_tui.storage.quick_config import quick_profile

    profile = quick_profile(name, config_path or default_config_path(env))
    if profile is None or profile.insecure_allowed:
        return None
    from onna_tui.storage.keyring.quick import read_fresh_token

    token = read_fresh_token(profile.base_url, profile.client_id, wanted, prompt=prompt)
    return None if token is None else (profile, token)
