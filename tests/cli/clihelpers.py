"""Helpers for the CLI tests: run `python -m onna_tui` as a subprocess with an isolated
config directory and keyring, and talk to the sandbox's admin surface.

``Cli.run`` asserts on every call that the sandbox client's secret is not in
the argument list, stdout or stderr, and that no traceback was printed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sandbox_admin import Admin as Admin  # re-exported for the CLI tests

from onna_tui.core.tokens import Credentials
from onna_tui.sandbox.server import SandboxServer

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FILE_KEYRING = "filekeyring.JsonFileKeyring"
FAIL_KEYRING = "keyring.backends.fail.Keyring"


@dataclass
class Result:
    """One finished `onna-tui` process."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class Cli:
    """Runs `python -m onna_tui ...` with an isolated config dir and keyring."""

    def __init__(
        self,
        tmp_path: Path,
        server: SandboxServer,
        credentials: Credentials,
    ) -> None:
        self.tmp_path = tmp_path
        self.server = server
        self.base_url = server.base_url
        self.client_id = credentials.client_id
        self.secret = credentials.client_secret.get_secret_value()
        self.config_dir = tmp_path / "config"
        self.keyring_file = tmp_path / "keyring.json"
        self.env = self._base_env()

    def _base_env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("ONNA_") and key != "PYTHON_KEYRING_BACKEND"
        }
        path = [str(HERE), str(REPO)]
        if env.get("PYTHONPATH"):
            path.append(env["PYTHONPATH"])
        env.update(
            {
                "PYTHONPATH": os.pathsep.join(path),
                "ONNA_TUI_CONFIG_DIR": str(self.config_dir),
                "ONNA_TUI_LOCK_DIR": str(self.tmp_path / "locks"),
                "ONNA_TUI_STATE_DIR": str(self.tmp_path / "state"),
                "PYTHON_KEYRING_BACKEND": FILE_KEYRING,
                "ONNA_TEST_KEYRING_FILE": str(self.keyring_file),
                "PYTHONDONTWRITEBYTECODE": "1",
                "NO_COLOR": "1",
            }
        )
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "onna_tui", *args]

    def full_env(self, env: Mapping[str, str | None] | None = None) -> dict[str, str]:
        merged = dict(self.env)
        for key, value in (env or {}).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return merged

    def run(
        self,
        *args: str,
        input: str | None = None,
        env: Mapping[str, str | None] | None = None,
        timeout: float = 60,
    ) -> Result:
        """Run one command; stdin is empty (not a terminal) unless ``input`` is given."""
        argv = self.command(*args)
        completed = subprocess.run(
            argv,
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env=self.full_env(env),
            cwd=str(REPO),
            timeout=timeout,
            check=False,
        )
        result = Result(argv, completed.returncode, completed.stdout, completed.stderr)
        self.assert_no_leak(result)
        return result

    def assert_no_leak(self, result: Result) -> None:
        assert all(self.secret not in arg for arg in result.args)
        assert self.secret not in result.stdout, "client secret on stdout"
        assert self.secret not in result.stderr, "client secret on stderr"
        assert "Traceback" not in result.stderr, result.stderr

    def add_profile(
        self,
        name: str = "sb",
        *extra: str,
        secret: str | None = None,
        verify: bool = True,
    ) -> Result:
        args = ["profile", "add", name, "--client-id", self.client_id, "--base-url", self.base_url]
        if not verify:
            args.append("--no-verify")
        result = self.run(*args, *extra, input=(secret if secret is not None else self.secret))
        return result

    def env_credentials(self, **overrides: str | None) -> dict[str, str | None]:
        """Environment-only credentials for the sandbox client (no profile needed)."""
        env: dict[str, str | None] = {
            "ONNA_CLIENT_ID": self.client_id,
            "ONNA_CLIENT_SECRET": self.secret,
            "ONNA_BASE_URL": self.base_url,
        }
        env.update(overrides)
        return env

    def api_create_workspace(
        self, name: str, description: str | None = None, tags: list[str] | None = None
    ) -> str:
        """Create a workspace through the sandbox's HTTP API (not the CLI); its onna_id."""
        with httpx.Client(base_url=self.base_url, timeout=10) as http:
            form = {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.secret,
            }
            token = http.post("/oauth/token", data=form).raise_for_status().json()["access_token"]
            body: dict[str, Any] = {"name": name}
            if description is not None:
                body["description"] = description
            if tags is not None:
                body["tags"] = tags
            response = http.post(
                "/workspaces", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            onna_id: str = response.raise_for_status().json()["onna_id"]
        return onna_id

    def keyring(self) -> dict[str, dict[str, str]]:
        """Everything in the test keyring: {service: {username: value}}."""
        from filekeyring import read_all

        return read_all(self.keyring_file)

    def config_text(self) -> str:
        path = self.config_dir / "config.toml"
        return path.read_text(encoding="utf-8") if path.exists() else ""
