"""onna-tui: a terminal UI and CLI for the Onna Platform API.

``from onna_tui import OnnaAuth`` gives scripts an ``httpx.Auth`` that shares the
CLI's and the TUI's token (see onna_tui.profiles.onna_auth). It is loaded on first
use, so importing this package stays free for the CLI's fast paths.
"""

from __future__ import annotations

from onna_tui.version import __version__

__all__ = ["OnnaAuth", "__version__"]

# Not `from typing import TYPE_CHECKING`: every `onna-tui` run imports this package, and
# typing is not otherwise needed by `--version` (mypy treats this name the same way).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from onna_tui.profiles.onna_auth import OnnaAuth


def __getattr__(name: str) -> Any:
    if name == "OnnaAuth":
        from onna_tui.profiles.onna_auth import OnnaAuth

        return OnnaAuth
    raise AttributeError(f"module 'onna_tui' has no attribute {name!r}")
