"""--state persistence: what is kept, how it is written, and what a damaged file does."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx
import pytest

from onna_tui.core.clock import ManualClock
from onna_tui.sandbox.server import SandboxServer
from onna_tui.sandbox.state import DEFAULT_USER_ID, SandboxState, StateFileError


def test_workspaces_clients_and_roles_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    clock = ManualClock()
    first = SandboxState(clock=clock, state_file=path)
    creds = first.add_client(client_id="keeper", client_secret="kept-secret-123")
    first.add_client(user={"id": "gone@example.com"})
    first.revoke_developer_role("gone@example.com")
    a = first.create_workspace("Alpha", description="first", tags=["x"])
    b = first.create_workspace("Beta")
    first.delete_workspace(b.onna_id)
    clock.advance(60)
    first.update_workspace(a.onna_id, name="Alpha 2")
    c = first.create_workspace("Gamma")

    second = SandboxState(clock=clock, state_file=path)
    assert [w.to_json() for w in second.workspaces()] == [w.to_json() for w in first.workspaces()]
    assert [w.onna_id for w in second.workspaces()] == [a.onna_id, c.onna_id]
    token, _ = second.exchange("keeper", creds.client_secret.get_secret_value())
    assert second.authenticate(token).id == DEFAULT_USER_ID
    user = second.get_user("gone@example.com")
    assert user is not None and user.developer_role is False
    # New workspaces sort after the loaded ones.
    d = second.create_workspace("Delta")
    assert [w.onna_id for w in second.workspaces()][-1] == d.onna_id
    assert d.seq > c.seq


def test_custom_fields_and_values_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    first = SandboxState(state_file=path)
    ws = first.create_workspace("Alpha")
    gone = first.create_workspace("Beta")
    field = first.create_custom_field("Matter", "keyword", "", True)
    first.enable_custom_field(ws.onna_id, field.onna_id)
    first.set_custom_value(ws.onna_id, field.onna_id, "M-42")
    first.enable_custom_field(gone.onna_id, field.onna_id)
    first.delete_workspace(gone.onna_id)

    second = SandboxState(state_file=path)
    assert second.custom_value(ws.onna_id, field.onna_id) == "M-42"
    (item,), _ = second.list_custom_fields()
    assert item["usage_count"] == 1 and item["required"] is True


def test_tokens_are_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    first = SandboxState(state_file=path)
    creds = first.add_client()
    token, _ = first.exchange(creds.client_id, creds.client_secret.get_secret_value())
    first.create_workspace("W")  # forces a save after the exchange
    assert token not in path.read_text()


def test_the_file_holds_no_secret_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "state.json"
    state = SandboxState(state_file=path)
    creds = state.add_client()
    text = path.read_text()
    assert creds.client_secret.get_secret_value() not in text
    assert creds.client_id in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(text)
    assert data["format"] == "onna-tui-sandbox" and data["version"] == 1


def test_writes_are_atomic_and_leave_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    state = SandboxState(state_file=path)
    state.create_workspace("Safe")
    before = path.read_text()

    def failing_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        state.create_workspace("Lost")
    # A failed write leaves the old file whole and no temp file behind.
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_nothing_is_written_without_a_state_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    state = SandboxState()
    state.add_client()
    state.create_workspace("W")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "Cannot read"),
        ("[]", "not an onna-tui sandbox state file"),
        ('{"format": "something-else"}', "not an onna-tui sandbox state file"),
        ('{"format": "onna-tui-sandbox", "version": 99}', "version 99"),
        (
            '{"format": "onna-tui-sandbox", "version": 1, "workspaces": [{"name": "no id"}]}',
            "damaged",
        ),
        (
            '{"format": "onna-tui-sandbox", "version": 1, "clients": [{"client_id": "c", '
            '"user_id": "nobody", "secret_salt": "s", "secret_sha256": "h"}]}',
            "damaged",
        ),
    ],
)
def test_damaged_state_files_are_refused_clearly(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    with pytest.raises(StateFileError, match=message):
        SandboxState(state_file=path)
    assert path.read_text() == content  # never overwritten


def test_state_file_over_http(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    state = SandboxState(state_file=path)
    creds = state.add_client()
    with SandboxServer(state) as server, httpx.Client(base_url=server.base_url) as client:
        token = client.post(
            "/oauth/token",
            data={
                "client_id": creds.client_id,
                "client_secret": creds.client_secret.get_secret_value(),
            },
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        onna_id = client.post("/workspaces", json={"name": "Persisted"}, headers=auth).json()[
            "onna_id"
        ]
    reloaded = SandboxState(state_file=path)
    record = reloaded.get_workspace(onna_id)
    assert record is not None and record.name == "Persisted"
