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
