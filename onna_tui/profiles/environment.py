"""The environment variables that change which credentials a run uses. Standard library only.

``resolve`` applies them (see its docstring for the precedence); they live here so
that the cached-token fast path of ``onna-tui token`` can see whether any is set
without importing the resolver (pydantic, the vault).
"""

from __future__ import annotations

ENV_PROFILE = "ONNA_PROFILE"
ENV_CLIENT_ID = "ONNA_CLIENT_ID"
ENV_CLIENT_SECRET = "ONNA_CLIENT_SECRET"
ENV_BASE_URL = "ONNA_BASE_URL"
#: Set by `onna-tui exec` for the program it runs: the profile whose token it holds.
ENV_EXEC_PROFILE = "ONNA_TUI_EXEC_PROFILE"

#: Every variable above: with any of them set, resolution is not config.toml alone.
RESOLUTION_VARIABLES = (
    ENV_PROFILE,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_BASE_URL,
    ENV_EXEC_PROFILE,
)
