"""CLI test fixtures: `python -m onna_tui` as a subprocess against the loopback sandbox.

Every run gets an isolated config directory (ONNA_TUI_CONFIG_DIR) and an
isolated keyring that persists across processes: the JSON-file backend in
``filekeyring.py`` (this directory goes on the subprocess's PYTHONPATH). No
ONNA_* variable of the developer's shell reaches a subprocess unless a test
sets it. The helpers live in ``clihelpers.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    # The tests import clihelpers and filekeyring (to read what a subprocess stored).
    sys.path.insert(0, str(HERE))

from clihelpers import Cli, free_port  # noqa: E402

from onna_tui.core.tokens import Credentials  # noqa: E402
from onna_tui.sandbox.server import SandboxServer  # noqa: E402


@pytest.fixture
def cli(tmp_path: Path, sandbox_server: SandboxServer, sandbox_credentials: Credentials) -> Cli:
    """Runs onna-tui against ``sandbox_server``; nothing stored yet."""
    return Cli(tmp_path, sandbox_server, sandbox_credentials)


@pytest.fixture
def down_url() -> str:
    """A loopback base URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/v1"
