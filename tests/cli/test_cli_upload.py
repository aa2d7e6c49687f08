"""`onna-tui folder | upload | file | ticket | contents` as processes against the sandbox."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from clihelpers import Cli

from onna_tui.errors import ExitCode
from onna_tui.sandbox.faults import Fault


@pytest.fixture
def env(cli: Cli) -> dict[str, str | None]:
    return cli.env_credentials()


def _ok(result: Any) -> str:
    assert result.returncode == 0, result.stderr
    return str(result.stdout.strip())


def _folder(cli: Cli, env: dict[str, str | None]) -> tuple[str, str]:
    ws = _ok(cli.run("workspace", "create", "--name", "Uploads", env=env))
    folder = _ok(cli.run("folder", "create", "--parent", ws, "--name", "Inbox", env=env))
    return ws, folder


def test_files_upload_into_a_new_folder_and_print_only_their_ids(
    cli: Cli, env: dict[str, str | None], sandbox_state: Any, tmp_path: Path
) -> None:
    ws, folder = _folder(cli, env)
    files = []
    for i, size in enumerate([0, 1, 300_000]):
        path = tmp_path / f"f{i}.bin"
        path.write_bytes(os.urandom(size))
        files.append(path)
    result = cli.run("upload", *map(str, files), "--parent", folder, "--chunk-size", "64K", env=env)
    ids = _ok(result).splitlines()
    assert len(ids) == 3 and result.stderr == ""  # no terminal: no bar, no chatter
    for onna_id, path in zip(ids, files, strict=True):
        stored = sandbox_state.contents.uploads.get(onna_id)
        assert stored.sha256() == hashlib.sha256(path.read_bytes()).hexdigest()
    shown = cli.run("file", "show", ids[2], "--json", env=env).json()
    assert (shown["name"], shown["size"], shown["onna_parent_id"]) == ("f2.bin", 300_000, folder)

    tree = _ok(cli.run("contents", env=env))
    assert f"workspace {ws}" in tree and "Inbox" in tree and "f2.bin  300000 bytes" in tree


def test_json_prints_one_object_per_file(
    cli: Cli, env: dict[str, str | None], tmp_path: Path
) -> None:
    _, folder = _folder(cli, env)
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello")
    result = cli.run("upload", str(path), "--parent", folder, "--json", "--tag", "t1", env=env)
    [line] = _ok(result).splitlines()
    body = json.loads(line)
    assert body["bytes"] == 5 and body["sha256"] == hashlib.sha256(b"hello").hexdigest()
    assert (body["name"], body["parent_id"], body["resumed_from"]) == ("a.txt", folder, 0)


def test_bad_paths_are_refused_before_anything_is_created(
    cli: Cli, env: dict[str, str | None], sandbox_state: Any, tmp_path: Path
) -> None:
    _, folder = _folder(cli, env)
    good = tmp_path / "good.txt"
    good.write_text("x")
    result = cli.run("upload", str(good), str(tmp_path / "missing"), str(tmp_path),
                     "--parent", folder, env=env)  # fmt: skip
    assert result.returncode == ExitCode.USAGE
    assert "does not exist" in result.stderr and "not a regular file" in result.stderr
    assert sandbox_state.contents.counts()["files"] == 0
    bad_chunk = cli.run("upload", str(good), "--parent", folder, "--chunk-size", "1K", env=env)
    assert bad_chunk.returncode == ExitCode.USAGE and "64K" in bad_chunk.stderr


def test_a_killed_upload_is_finished_by_resume_without_resending_stored_bytes(
    cli: Cli, env: dict[str, str | None], sandbox_state: Any, tmp_path: Path
) -> None:
    _, folder = _folder(cli, env)
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(8 * 1024 * 1024))
    size = path.stat().st_size
    # Slow every PATCH down so the process can be killed half way.
    sandbox_state.add_fault(Fault(path="/upload", method="PATCH", latency=0.05, count=10_000))
    process = subprocess.Popen(
        cli.command("upload", str(path), "--parent", folder, "--chunk-size", "64K"),
        env=cli.full_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            uploads = list(sandbox_state.contents.uploads.by_id.values())
            if uploads and uploads[0].offset >= size // 2:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the upload never got half way")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    sandbox_state.clear_faults()
    [upload] = sandbox_state.contents.uploads.by_id.values()
    stored_at_kill, received_at_kill = upload.offset, upload.bytes_received
    assert 0 < stored_at_kill < size

    pending = json.loads((cli.tmp_path / "state" / "uploads.json").read_text())["items"]
    assert [p["onna_id"] for p in pending] == [upload.onna_id]

    resumed = cli.run("upload", "--resume", "--json", env=env)
    body = json.loads(_ok(resumed))
    assert body["onna_id"] == upload.onna_id and body["bytes"] == size
    assert body["sha256"] == upload.sha256() == hashlib.sha256(path.read_bytes()).hexdigest()
    assert body["resumed_from"] == stored_at_kill
    assert upload.bytes_received - received_at_kill == size - stored_at_kill
    assert "Resuming 1 upload" in resumed.stderr
    again = cli.run("upload", "--resume", env=env)
    assert _ok(again) == "" and "No unfinished uploads" in again.stderr


def test_folders_tickets_and_deletes(
    cli: Cli, env: dict[str, str | None], sandbox_state: Any
) -> None:
    ws, folder = _folder(cli, env)
    assert cli.run("folder", "show", folder, "--json", env=env).json()["name"] == "Inbox"
    _ok(cli.run("folder", "rename", folder, "--name", "Archive", env=env))
    assert cli.run("folder", "show", folder, "--json", env=env).json()["name"] == "Archive"
    ticket = _ok(cli.run(
        "ticket", "create", "--parent", folder, "--name", "CS1", "--ref", "r1",
        "--url", "https://example.test/cs1", "--priority", "high", env=env,
    ))  # fmt: skip
    assert cli.run("ticket", "show", ticket, "--json", env=env).json()["priority"] == "high"

    refused = cli.run("folder", "delete", folder, env=env)
    assert refused.returncode == ExitCode.USAGE and "--yes" in refused.stderr
    deleted = cli.run("folder", "delete", folder, "--yes", env=env)
    assert deleted.returncode == 0 and f"Deleted folder {folder}." in deleted.stderr
    assert sandbox_state.contents.counts() == {"folders": 0, "files": 0, "tickets": 0}
    assert "Nothing was created" in cli.run("contents", "--workspace", ws, env=env).stderr
