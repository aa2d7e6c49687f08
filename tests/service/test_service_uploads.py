"""TUS uploads through the service layer, against the sandbox over HTTP.

The sandbox counts the bytes it received in PATCH bodies and keeps the SHA-256 of
what it stored, so "no byte sent twice" and "the same content" are measured there.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from onna_tui.api import tus
from onna_tui.api.client import OnnaClient
from onna_tui.api.upload import FileChanged, FileSignature, UploadResult
from onna_tui.core.clock import ManualClock
from onna_tui.core.tus import CHECKSUM_MISMATCH
from onna_tui.core.wire.contents import FileDraft
from onna_tui.core.wire.workspaces import WorkspaceDraft
from onna_tui.sandbox.faults import Fault

CHUNK = 64 * 1024


class Stop(Exception):
    """Raised from on_offset to interrupt an upload, as Ctrl-C or a kill would."""


async def _file_resource(client: OnnaClient, name: str = "a.bin") -> str:
    ws = (await client.create_workspace(WorkspaceDraft(name="Uploads"))).onna_id
    draft = FileDraft(onna_parent_id=ws, ref=name, url=f"file:///{name}", name=name)
    return (await client.create_file(draft)).onna_id


def _write(tmp_path: Path, size: int, name: str = "a.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


async def _upload(client: OnnaClient, file_id: str, path: Path, **kw: Any) -> UploadResult:
    return await client.uploader(
        file_id, path, FileSignature.of(path), chunk_size=CHUNK, **kw
    ).run()


def _stored(sandbox_state: Any, file_id: str) -> Any:
    return sandbox_state.contents.uploads.get(file_id)


@pytest.mark.parametrize("size", [0, 1, CHUNK, 3 * CHUNK + 17])
async def test_files_of_every_size_arrive_whole(
    client: OnnaClient, sandbox_state: Any, tmp_path: Path, size: int
) -> None:
    file_id = await _file_resource(client)
    path = _write(tmp_path, size)
    result = await _upload(client, file_id, path)
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    stored = _stored(sandbox_state, file_id)
    assert (result.sha256, result.size, result.resumed_from) == (expected, size, 0)
    assert (stored.sha256(), stored.offset, stored.complete) == (expected, size, True)
    assert stored.bytes_received == size
    assert stored.patches == -(-size // CHUNK)  # one PATCH per chunk, none for an empty file
    read = await client.get_file(file_id)
    assert (read.size, read.md5) == (size, hashlib.md5(path.read_bytes()).hexdigest())


async def test_an_interrupted_upload_resumes_without_sending_a_stored_byte_again(
    client: OnnaClient, sandbox_state: Any, tmp_path: Path
) -> None:
    file_id = await _file_resource(client)
    path = _write(tmp_path, 5 * CHUNK + 3)
    offsets: list[int] = []

    def interrupt(offset: int) -> None:
        offsets.append(offset)
        if offset >= 2 * CHUNK:
            raise Stop

    with pytest.raises(Stop):
        await _upload(client, file_id, path, on_offset=interrupt)
    assert _stored(sandbox_state, file_id).offset == 2 * CHUNK

    result = await _upload(client, file_id, path)
    stored = _stored(sandbox_state, file_id)
    assert result.resumed_from == 2 * CHUNK
    assert result.bytes_sent == 3 * CHUNK + 3
    assert stored.bytes_received == path.stat().st_size  # every byte exactly once
    assert stored.sha256() == result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


async def test_a_token_that_expires_mid_upload_is_renewed_between_chunks(
    client: OnnaClient, sandbox_state: Any, sandbox_clock: ManualClock, tmp_path: Path
) -> None:
    file_id = await _file_resource(client)
    path = _write(tmp_path, 4 * CHUNK)
    before = sandbox_state.stats()["token_exchanges"]

    def time_passes(offset: int) -> None:
        if offset == CHUNK:
            sandbox_clock.advance(3599 - 30)  # inside the renewal margin: renewed early
        if offset == 3 * CHUNK:
            sandbox_state.expire_all_tokens()  # revoked early: a 401, one re-mint

    result = await _upload(client, file_id, path, on_offset=time_passes)
    assert result.sha256 == _stored(sandbox_state, file_id).sha256()
    assert sandbox_state.stats()["token_exchanges"] - before == 2
    assert _stored(sandbox_state, file_id).bytes_received == 4 * CHUNK


@pytest.mark.parametrize("drop", ["before", "after"])
async def test_a_dropped_patch_resumes_from_the_servers_offset_never_blindly(
    client: OnnaClient, sandbox_state: Any, tmp_path: Path, drop: str
) -> None:
    file_id = await _file_resource(client)
    path = _write(tmp_path, 3 * CHUNK)
    # The second PATCH: "before" stores nothing, "after" stores the chunk and then
    # drops the answer. HEAD tells which; the chunk is sent again only in the first case.

    armed: list[int] = []

    def arm(offset: int) -> None:
        if offset == CHUNK and not armed:
            armed.append(offset)
            sandbox_state.add_fault(Fault(path=f"/upload/{file_id}", method="PATCH", drop=drop))

    result = await _upload(client, file_id, path, on_offset=arm)
    stored = _stored(sandbox_state, file_id)
    assert stored.sha256() == result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.bytes_sent == 3 * CHUNK + CHUNK * (drop == "before")
    # "before" drains the body unread by the app, so the sandbox never counts it.
    assert stored.bytes_received == 3 * CHUNK


async def test_a_409_is_answered_by_asking_the_server_where_it_is(
    client: OnnaClient, sandbox_state: Any, tmp_path: Path
) -> None:
    file_id = await _file_resource(client)
    path = _write(tmp_path, 2 * CHUNK)
    sandbox_state.add_fault(Fault(path=f"/upload/{file_id}", method="PATCH", status=409))
    result = await _upload(client, file_id, path)
    assert result.sha256 == _stored(sandbox_state, file_id).sha256()
    assert _stored(sandbox_state, file_id).bytes_received == 2 * CHUNK


async def test_a_412_says_the_server_does_not_speak_tus(
    client: OnnaClient, sandbox_state: Any, tmp_path: Path
) -> None:
    file_id = await _file_resource(client)
    path = _write(tmp_path, 10)
    sandbox_state.add_fault(Fault(path=f"/upload/{file_id}", method="PATCH", status=412))
    with pytest.raises(tus.UploadRefused) as refused:
        await _upload(client, file_id, path)
    assert refused.value.status == 412
    assert "TUS 1.0.0" in refused.value.message


async def test_a_413_from_the_server_says_the_file_is_too_large(
    client: OnnaClient, sandbox_state: Any, tmp_path: Path
) -> None:
    file_id = await _file_resource(client)
    path = _write(tmp_path, 10)
    sandbox_state.add_fault(Fault(path=f"/upload/{file_id}", method="POST", status=413))
    with pytest.raises(tus.UploadRefused) as refused:
        await _upload(client, file_id, path)
    assert refused.value.status == 413
    assert "too large" in refused.value.message


async def test_a_file_over_the_advertised_maximum_is_refused_before_sending(
    client: OnnaClient, sandbox_state: Any, tmp_path: Path
) -> None:
    file_id = await _file_resource(client)
    sandbox_state.contents.set_upload_settings(max_size=100)
    path = _write(tmp_path, 101)
    with pytest.raises(tus.UploadRefused) as refused:
        await _upload(client, file_id, path)
    assert "at most 100 B" in refused.value.message
    assert _stored(sandbox_state, file_id) is None


async def test_a_file_changed_mid_upload_is_refused(
    client: OnnaClient, sandbox_state: Any, tmp_path: Path
) -> None:
    file_id = await _file_resource(client)
    path = _write(tmp_path, 3 * CHUNK)

    def edit(offset: int) -> None:
        if offset == CHUNK:
            with path.open("ab") as handle:
                handle.write(b"more")

    with pytest.raises(FileChanged) as changed:
        await _upload(client, file_id, path, on_offset=edit)
    assert f"stopped at {CHUNK} of {3 * CHUNK} bytes" in changed.value.message
    assert _stored(sandbox_state, file_id).offset == CHUNK


async def test_without_the_checksum_extension_a_drop_keeps_what_arrived(
    client: OnnaClient, sandbox_state: Any, tmp_path: Path
) -> None:
    sandbox_state.contents.set_upload_settings(checksum=False)
    file_id = await _file_resource(client)
    path = _write(tmp_path, 2 * CHUNK)
    result = await _upload(client, file_id, path)
    assert result.sha256 == _stored(sandbox_state, file_id).sha256()


async def test_a_damaged_chunk_is_refused_by_its_checksum_and_sent_again(
    client: OnnaClient, sandbox_state: Any, tmp_path: Path
) -> None:
    file_id = await _file_resource(client)
    path = _write(tmp_path, 2 * CHUNK)
    sandbox_state.add_fault(
        Fault(path=f"/upload/{file_id}", method="PATCH", status=CHECKSUM_MISMATCH)
    )
    result = await _upload(client, file_id, path)
    assert result.bytes_sent == 3 * CHUNK
    assert result.sha256 == _stored(sandbox_state, file_id).sha256()


@pytest.mark.parametrize("checksum", [False, True])
async def test_a_patch_cut_half_way_resumes_from_what_the_server_kept(
    client: OnnaClient, sandbox_state: Any, tmp_path: Path, checksum: bool
) -> None:
    sandbox_state.contents.set_upload_settings(checksum=checksum)
    file_id = await _file_resource(client)
    path = _write(tmp_path, 3 * CHUNK)
    cut = CHUNK // 3
    armed: list[int] = []

    def arm(offset: int) -> None:
        if offset == CHUNK and not armed:
            armed.append(offset)
            sandbox_state.add_fault(
                Fault(
                    path=f"/upload/{file_id}", method="PATCH", drop="during", drop_after_bytes=cut
                )
            )

    result = await _upload(client, file_id, path, on_offset=arm)
    stored = _stored(sandbox_state, file_id)
    assert stored.sha256() == result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # Without a checksum the server kept the first `cut` bytes of the cut chunk and the
    # client sent only the rest; with one, the damaged chunk was dropped and sent whole.
    assert stored.bytes_received == 3 * CHUNK + (cut if checksum else 0)
    assert result.bytes_sent == 4 * CHUNK - (0 if checksum else cut)  # the cut chunk counts whole
