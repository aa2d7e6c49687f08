"""`onna-tui sandbox`: as a real subprocess (start, follow the guide with httpx and curl,
stop with SIGTERM) and, for the paths that never start serving, in-process."""

from __future__ import annotations

import io
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from onna_tui.cli import main as cli_main
from onna_tui.cli.parser import build_parser

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 15.0


@dataclass
class Running:
    process: subprocess.Popen[str]
    lines: list[str]
    base_url: str
    client_id: str
    client_secret: str

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # The subprocess must import this checkout, whatever is installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def _run(*args: str, stdin_text: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `onna-tui ARGS` to completion."""
    return subprocess.run(
        [sys.executable, "-m", "onna_tui", *args],
        cwd=REPO_ROOT,
        env=_env(),
        input=stdin_text,
        capture_output=True,
        text=True,
        timeout=30,
    )


def _start(*args: str, stdin_text: str | None = None) -> Running:
    process = subprocess.Popen(
        [sys.executable, "-m", "onna_tui", "sandbox", "--port", "0", *args],
        cwd=REPO_ROOT,
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    if stdin_text is not None:
        process.stdin.write(stdin_text)
    process.stdin.close()

    # Read lines on a thread so a hung child fails the test instead of hanging it.
    lines_q: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines_q.put(line.rstrip("\n"))
        lines_q.put(None)

    threading.Thread(target=pump, daemon=True).start()
    lines: list[str] = []
    while not any(line.startswith("Press Ctrl-C") for line in lines):
        try:
            line = lines_q.get(timeout=START_TIMEOUT)
        except queue.Empty:
            process.kill()
            pytest.fail("the sandbox printed nothing in time:\n" + "\n".join(lines))
        if line is None:
            pytest.fail(f"the sandbox exited ({process.wait()}):\n" + "\n".join(lines))
        lines.append(line)

    text = "\n".join(lines)
    base_url = re.search(r"^Base URL:\s+(http://\S+/v1)$", text, re.M)
    client_id = re.search(r"^Client ID:\s+(\S+)$", text, re.M)
    secret = re.search(r"^Client secret:\s+(.+)$", text, re.M)
    assert base_url and client_id and secret, text
    return Running(process, lines, base_url.group(1), client_id.group(1), secret.group(1))


def _stop(running: Running) -> int:
    running.process.send_signal(signal.SIGTERM)
    try:
        return running.process.wait(timeout=10)
    finally:
        if running.process.poll() is None:
            running.process.kill()


@pytest.fixture
def sandbox_process() -> Iterator[Running]:
    running = _start()
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()


def _guide_requests(
    base_url: str, client_id: str, client_secret: str, expected_ttl: int = 3599
) -> str:
    """The authentication guide's two requests; returns the new workspace's id."""
    with httpx.Client(timeout=5) as client:
        token = client.post(
            f"{base_url}/oauth/token",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            data={
                "client_id": client_id,
                "client_secret": client_secret,
                "grant_type": "client_credentials",
            },
        )
        assert token.status_code == 200, token.text
        assert token.json()["expires_in"] == expected_ttl
        created = client.post(
            f"{base_url}/workspaces",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            json={"name": "Foo", "description": "Bar"},
        )
        assert created.status_code == 201, created.text
        return str(created.json()["onna_id"])


def test_serve_follow_the_guide_and_stop(sandbox_process: Running) -> None:
    running = sandbox_process
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", running.base_url)
    assert not running.base_url.endswith(":0/v1")  # the real port, not the requested 0
    _guide_requests(running.base_url, running.client_id, running.client_secret)

    # The printed curl command is the guide's, filled in, and works as printed.
    assert f"--url '{running.base_url}/oauth/token'" in running.output
    assert f"--data-urlencode 'client_secret={running.client_secret}'" in running.output
    assert "--header 'Content-Type: application/x-www-form-urlencoded'" in running.output
    if shutil.which("curl") is not None:
        lines = running.lines
        first = next(i for i, line in enumerate(lines) if line.startswith("curl "))
        last = next(i for i in range(first, len(lines)) if not lines[i].endswith("\\"))
        command = "\n".join(lines[first : last + 1]) + " --silent --show-error"
        result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["token_type"] == "bearer"

    assert _stop(running) == 0  # SIGTERM is a clean stop


def test_secret_from_stdin_is_used_and_never_echoed() -> None:
    secret = "piped-secret-value-0987654321"
    running = _start("--client-id", "piped-client", "--client-secret-stdin", stdin_text=secret)
    try:
        assert running.client_id == "piped-client"
        assert secret not in running.output
        assert "client_secret=YOUR_CLIENT_SECRET" in running.output
        _guide_requests(running.base_url, "piped-client", secret)
    finally:
        assert _stop(running) == 0


def test_empty_secret_on_stdin_is_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # In-process: the command gives up before serving anything.
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    assert cli_main(["sandbox", "--port", "0", "--client-secret-stdin"]) == 2
    assert "empty secret" in capsys.readouterr().err


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    first = _start("--state", str(state), "--token-ttl", "120")
    try:
        onna_id = _guide_requests(
            first.base_url, first.client_id, first.client_secret, expected_ttl=120
        )
    finally:
        assert _stop(first) == 0

    second = _start("--state", str(state), "--client-id", first.client_id)
    try:
        # The stored client keeps its secret, which is therefore not shown again.
        assert "unchanged" in second.output
        with httpx.Client(base_url=second.base_url, timeout=5) as client:
            token = client.post(
                "/oauth/token",
                data={"client_id": first.client_id, "client_secret": first.client_secret},
            ).json()["access_token"]
            got = client.get(f"/workspaces/{onna_id}", headers={"Authorization": f"Bearer {token}"})
            assert got.status_code == 200
            assert got.json()["description"] == "Bar"
    finally:
        assert _stop(second) == 0


def test_damaged_state_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "bad.json"
    state.write_text("{nope")
    assert cli_main(["sandbox", "--port", "0", "--state", str(state)]) == 1
    assert "Cannot read sandbox state" in capsys.readouterr().err
    assert state.read_text() == "{nope"


@pytest.mark.parametrize("nested", ["state.json", "sub/state.json"])
def test_a_state_file_that_cannot_be_written_is_a_clear_storage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nested: str
) -> None:
    # A file where the state's directory should be: unwritable even for root.
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("keep me")
    state = blocker / nested
    assert cli_main(["sandbox", "--port", "0", "--state", str(state)]) == 4
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot write the sandbox state file {state}: ")
    assert f"{blocker} is a file, not a directory" in err
    assert "Give --state a file in a directory you can write." in err
    assert "unexpected" not in err and "Traceback" not in err
    assert blocker.read_text() == "keep me"


def test_error_shape_flat_from_the_command_line() -> None:
    running = _start("--error-shape", "flat")
    try:
        with httpx.Client(base_url=running.base_url, timeout=5) as client:
            body = client.get("/workspaces").json()
            assert body["status"] == "401" and body["code"] == "XX401_unauthorized"
            assert "errors" not in body
    finally:
        assert _stop(running) == 0


def test_help_via_python_m() -> None:
    result = _run("sandbox", "--help")
    assert result.returncode == 0
    for option in (
        "--host",
        "--port",
        "--token-ttl",
        "--page-size",
        "--client-id",
        "--client-secret-stdin",
        "--state",
        "--error-shape",
    ):
        assert option in result.stdout


def test_in_process_parser_rejects_a_zero_ttl() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sandbox", "--token-ttl", "0"])
    args = build_parser().parse_args(["sandbox"])
    assert (args.host, args.port, args.token_ttl, args.page_size) == ("127.0.0.1", 8000, 3599, 50)
    assert args.client_id is None and args.client_secret_stdin is False and args.state is None
    assert args.error_shape == "envelope"
    assert build_parser().parse_args(["sandbox", "--error-shape", "flat"]).error_shape == "flat"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sandbox", "--error-shape", "html"])
