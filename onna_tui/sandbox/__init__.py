"""A local, Onna-compatible API server for trying the app and for tests. No textual here.

- `SandboxState` (``state.py``): users, clients, tokens, workspaces, faults, counters;
  each resource kept in its own module (``identity``, ``workspaces``, ``custom_fields``...).
- `create_app` (``app.py``): the Starlette app; its docstring documents the
  ``/_sandbox`` admin surface.
- `SandboxServer` (``server.py``): uvicorn in a background thread.
- ``cli.py``: the ``onna-tui sandbox`` command.

The names above are importable from this package, but lazily: ``onna-tui``
imports ``onna_tui.sandbox.cli`` to build its parser, and that must not drag
starlette and uvicorn into every command.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onna_tui.sandbox.app import create_app
    from onna_tui.sandbox.faults import ConnectionDropped, Fault, FaultSpecError
    from onna_tui.sandbox.server import SandboxServer
    from onna_tui.sandbox.state import DEFAULT_USER_ID, SandboxState, SandboxUser

_EXPORTS = {
    "create_app": "onna_tui.sandbox.app",
    "ConnectionDropped": "onna_tui.sandbox.faults",
    "Fault": "onna_tui.sandbox.faults",
    "FaultSpecError": "onna_tui.sandbox.faults",
    "SandboxServer": "onna_tui.sandbox.server",
    "DEFAULT_USER_ID": "onna_tui.sandbox.state",
    "SandboxState": "onna_tui.sandbox.state",
    "SandboxUser": "onna_tui.sandbox.state",
}

__all__ = [
    "DEFAULT_USER_ID",
    "ConnectionDropped",
    "Fault",
    "FaultSpecError",
    "SandboxServer",
    "SandboxState",
    "SandboxUser",
    "create_app",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
