"""The one error base and the one exit-code table."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from onna_tui.api.errors import NetworkError, OnnaError
from onna_tui.cli.errors import UsageError
from onna_tui.core.errors import ConfigError
from onna_tui.errors import ExitCode, OnnaTuiError, exit_code_summary
from onna_tui.sandbox.faults import FaultSpecError
from onna_tui.sandbox.state import SandboxError
from onna_tui.storage.config_file import ConfigStorageError, ProfileNotFound
from onna_tui.storage.keyring.errors import VaultError
from onna_tui.storage.locks import LockBusy


def test_exit_codes_and_their_meanings() -> None:
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 4, 5, 126, 127, 130, 141]
    assert all(code.meaning and "\n" not in code.meaning for code in ExitCode)
    assert exit_code_summary().startswith("0 ok, 1 API error, 2 usage or configuration")
    assert pickle.loads(pickle.dumps(ExitCode.STORAGE)) is ExitCode.STORAGE


def test_the_base_carries_message_title_and_exit_code() -> None:
    plain = OnnaTuiError("Something to do.")
    assert str(plain) == plain.message == plain.verbose() == "Something to do."
    assert plain.title == "Problem" and plain.exit_code is ExitCode.API
    chosen = OnnaTuiError("x", title="Busy", exit_code=ExitCode.STORAGE)
    assert (chosen.title, chosen.exit_code) == ("Busy", ExitCode.STORAGE)
    # The class keeps its defaults: an instance's choice is its own.
    assert OnnaTuiError.title == "Problem" and OnnaTuiError.exit_code is ExitCode.API
    assert repr(chosen) == "OnnaTuiError('x')"


@pytest.mark.parametrize(
    ("family", "code"),
    [
        (OnnaError, ExitCode.API),
        (NetworkError, ExitCode.NETWORK),
        (VaultError, ExitCode.STORAGE),
        (ConfigError, ExitCode.USAGE),
        (ProfileNotFound, ExitCode.USAGE),
        (ConfigStorageError, ExitCode.STORAGE),
        (UsageError, ExitCode.USAGE),
        (SandboxError, ExitCode.API),
        (LockBusy, ExitCode.STORAGE),
    ],
)
def test_every_family_derives_from_the_base(family: type[OnnaTuiError], code: ExitCode) -> None:
    assert issubclass(family, OnnaTuiError)
    assert family.exit_code is code
    assert isinstance(family.title, str) and family.title


def test_a_refused_fault_is_still_a_value_error() -> None:
    error = FaultSpecError("count", "count must be a whole number.")
    assert isinstance(error, OnnaTuiError) and isinstance(error, ValueError)
    assert str(error) == "count must be a whole number." and error.field == "count"


def test_the_errors_module_needs_only_the_standard_library() -> None:
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import onna_tui.errors\n"
        "print(','.join(sorted(m for m in set(sys.modules) - before "
        "if m.split('.')[0] not in sys.stdlib_module_names)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    # The package root reads its version from onna_tui.version, a leaf with no imports.
    assert result.stdout.strip() == "onna_tui,onna_tui.errors,onna_tui.version"
