"""Where config.toml lives: the standard library and platformdirs only.

Kept apart from the config store (which needs pydantic) so the fast paths —
shell completion of profile names, the cached-token read — find the file
without importing it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "onna-tui"
CONFIG_FILENAME = "config.toml"
#: Overrides the directory config.toml is in.
ENV_CONFIG_DIR = "ONNA_TUI_CONFIG_DIR"


def default_config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    override = env.get(ENV_CONFIG_DIR, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    return default_config_dir(env) / CONFIG_FILENAME


def profile_names(env: Mapping[str, str] | None = None) -> list[str]:
    """The profile names in config.toml, sorted; none when it is missing or unreadable.

    A completion must never print an error into the person's command line, so every
    failure is an empty answer. The keyring is never touched.
    """
    import tomllib

    try:
        with default_config_path(env).open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return []
    profiles = data.get("profiles")
    if not isinstance(profiles, dict):
        return []
    return sorted(name for name, body in profiles.items() if isinstance(body, dict))
