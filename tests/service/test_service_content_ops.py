"""Content operations with local records: what this machine remembers, and resuming."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from onna_tui.api.client import OnnaClient
from onna_tui.api.upload import FileChanged
from onna_tui.core.wire.contents import FolderDraft
from onna_tui.core.wire.workspaces import WorkspaceDraft
from onna_tui.profiles.contents import ContentOps, UploadRequest
from onna_tui.storage.local_records import CreatedRecords, PendingUploads

CHUNK = 32 * 1024


class Stop(Exception):
    pass


@pytest.fixture
def ops(client: OnnaClient, tmp_path: Path) -> ContentOps:
    state = tmp_path / "state"
    return ContentOps(
        client,
        profile="work",
        records=CreatedRecords(state),
        pending=PendingUploads(state),
    )


async def test_created_things_are_remembered_as_a_tree_and_forgotten_on_delete(
    ops: ContentOps, client: OnnaClient, tmp_path: Path
) -> None:
    ws = (await client.create_workspace(WorkspaceDraft(name="Tree"))).onna_id
    top = (await ops.create_folder(FolderDraft(name="Top", onna_parent_id=ws))).onna_id
    sub = (await ops.create_folder(FolderDraft(name="Sub", onna_parent_id=top))).onna_id
    path = tmp_path / "note.txt"
    path.write_bytes(b"hello")
    done = await ops.upload(UploadRequest(path=path, parent_id=sub))
    items = {i.onna_id: i for i in ops.records.all(client.base_url)}
    assert {i.workspace_id for i in items.values()} == {ws}
    assert (items[sub].parent_id, items[done.onna_id].parent_id) == (top, sub)
    assert items[done.onna_id].sha256 == hashlib.sha256(b"hello").hexdigest()
    assert items[done.onna_id].content == "uploaded"
    assert ops.resumable() == []

    await ops.delete("folder", top)
    assert ops.records.all(client.base_url) == []


async def test_an_interrupted_upload_is_pending_without_any_secret_and_resumes(
    ops: ContentOps,
    client: OnnaClient,
    sandbox_state: Any,
    sandbox_credentials: Any,
    tmp_path: Path,
) -> None:
    ws = (await client.create_workspace(WorkspaceDraft(name="Resume"))).onna_id
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(4 * CHUNK + 5))

    def stop_half_way(offset: int, size: int) -> None:
        if offset >= 2 * CHUNK:
            raise Stop

    with pytest.raises(Stop):
        await ops.upload(
            UploadRequest(path=path, parent_id=ws), chunk_size=CHUNK, progress=stop_half_way
        )
    [pending] = ops.resumable()
    assert (pending.offset, pending.size, pending.path) == (2 * CHUNK, 4 * CHUNK + 5, str(path))
    text = ops.pending.path.read_text()
    secret = sandbox_credentials.client_secret.get_secret_value()
    assert secret not in text and sandbox_credentials.client_id not in text
    assert "Bearer" not in text and oct(ops.pending.path.stat().st_mode)[-3:] == "600"

    seen: list[int] = []
    done = await ops.resume(pending, progress=lambda offset, size: seen.append(offset))
    assert seen[0] == 2 * CHUNK and seen[-1] == 4 * CHUNK + 5
    upload = sandbox_state.contents.uploads.get(done.onna_id)
    assert upload.bytes_received == 4 * CHUNK + 5
    assert done.result.sha256 == upload.sha256() == hashlib.sha256(path.read_bytes()).hexdigest()
    assert ops.resumable() == []
    [item] = ops.records.all(client.base_url)
    assert item.content == "uploaded"


async def test_a_file_changed_before_resuming_is_refused_and_kept_pending(
    ops: ContentOps, client: OnnaClient, tmp_path: Path
) -> None:
    ws = (await client.create_workspace(WorkspaceDraft(name="Changed"))).onna_id
    path = tmp_path / "f.bin"
    path.write_bytes(os.urandom(3 * CHUNK))

    def stop(offset: int, size: int) -> None:
        if offset >= CHUNK:
            raise Stop

    with pytest.raises(Stop):
        await ops.upload(UploadRequest(path=path, parent_id=ws), chunk_size=CHUNK, progress=stop)
    path.write_bytes(os.urandom(3 * CHUNK + 1))
    [pending] = ops.resumable()
    with pytest.raises(FileChanged) as changed:
        await ops.resume(pending)
    assert "file delete" in changed.value.message
    assert len(ops.resumable()) == 1


def test_a_damaged_records_file_says_how_to_recover(tmp_path: Path) -> None:
    from onna_tui.storage.local_records import RecordsError

    (tmp_path / "created.json").write_text("{not json")
    with pytest.raises(RecordsError) as error:
        CreatedRecords(tmp_path).all("http://x/v1")
    assert "Move it aside" in error.value.message
    (tmp_path / "created.json").write_text(json.dumps({"items": "nope"}))
    with pytest.raises(RecordsError):
        CreatedRecords(tmp_path).all("http://x/v1")
