"""The CLI against a real freedesktop Secret Service (gnome-keyring), when one is on the bus.

Skips without one, or fails when ONNA_TUI_REQUIRE_SECRET_SERVICE=1 (CI). The
entries written use the sandbox's random loopback port in their service name
and are removed by the test itself. To run locally::

    export HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)"; chmod 700 "$XDG_RUNTIME_DIR"
    dbus-run-session -- sh -c 'printf %s pass | gnome-keyring-daemon --unlock \\
        --components=secrets >/dev/null; exec python -m pytest tests/cli -q -m secret_service'
"""

from __future__ import annotations

import os

import pytest
from clihelpers import Admin, Cli

from onna_tui.storage.keyring.entries import service_name

SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
REQUIRE = os.environ.get("ONNA_TUI_REQUIRE_SECRET_SERVICE") == "1"


def _unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"ONNA_TUI_REQUIRE_SECRET_SERVICE=1 but {reason}")
    pytest.skip(f"no Secret Service on the session bus: {reason}")


@pytest.mark.secret_service
def test_profile_token_status_remove_through_the_secret_service(cli: Cli, admin: Admin) -> None:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        _unavailable("DBUS_SESSION_BUS_ADDRESS is unset")
    env = {"PYTHON_KEYRING_BACKEND": SECRET_SERVICE}
    added = cli.run(
        "profile", "add", "real", "--client-id", cli.client_id, "--base-url", cli.base_url,
        input=cli.secret, env=env,
    )  # fmt: skip
    if added.returncode == 4:
        _unavailable(added.stderr.strip())
    try:
        assert added.returncode == 0, added.stderr
        assert "Secret Service" in added.stdout
        from keyring.backends import SecretService

        backend = SecretService.Keyring()
        assert backend.get_password(service_name(cli.base_url), cli.client_id) == cli.secret

        first = cli.run("token", env=env)
        second = cli.run("token", env=env)
        assert first.returncode == second.returncode == 0
        assert first.stdout == second.stdout
        assert admin.exchanges == 1  # the verification token, reused by both calls

        status = cli.run("status", "--json", env=env).json()
        assert status["secret"]["location"].startswith("Secret Service")
        assert status["token"]["state"] == "valid"
    finally:
        removed = cli.run("profile", "remove", "real", "--force", env=env)
    assert removed.returncode == 0, removed.stderr
    assert backend.get_password(service_name(cli.base_url), cli.client_id) is None
    assert not cli.keyring_file.exists()
