"""Putting data into a workspace for one profile: folders, tickets and file uploads, with what
this machine must remember about them (storage.local_records), used by the CLI and the TUI.

An upload is: create the file resource (POST /resources/files), remember it as a
pending upload (path, size, modification time; no secret), send the content by
TUS (api.upload), keeping the confirmed offset after every chunk, and on success
record the size and SHA-256 and forget the pending upload. A run that is
interrupted anywhere after the resource exists can be finished by ``resume``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from onna_tui.api.client import OnnaClient
from onna_tui.api.requester import DeleteOutcome
from onna_tui.api.upload import DEFAULT_CHUNK_SIZE, FileChanged, FileSignature, UploadResult
from onna_tui.core.wire.contents import Created, FileDraft, FolderDraft, TicketDraft
from onna_tui.storage.local_records import (
    CreatedItem,
    CreatedRecords,
    Kind,
    PendingUpload,
    PendingUploads,
)

#: Called with (bytes confirmed by the server, file size) after every chunk.
Progress = Callable[[int, int], None]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class UploadRequest:
    """One local file to upload under ``parent_id``; ref and url default to the file's."""

    path: Path
    parent_id: str
    name: str | None = None
    tags: list[str] = field(default_factory=list)
    description: str | None = None
    ref: str | None = None
    url: str | None = None

    def draft(self) -> FileDraft:
        path = self.path.resolve()
        return FileDraft(
            onna_parent_id=self.parent_id,
            name=self.name or path.name,
            ref=self.ref or path.name,
            url=self.url or path.as_uri(),
            path=str(path.parent),
            tags=self.tags,
            description=self.description,
        )


@dataclass(frozen=True)
class UploadOutcome:
    onna_id: str
    name: str
    path: Path
    parent_id: str
    result: UploadResult


class ContentOps:
    """The content operations of one profile's client, recorded on this machine."""

    def __init__(
        self,
        client: OnnaClient,
        *,
        profile: str,
        records: CreatedRecords | None = None,
        pending: PendingUploads | None = None,
    ) -> None:
        self.client = client
        self.profile = profile
        self.records = records if records is not None else CreatedRecords()
        self.pending = pending if pending is not None else PendingUploads()

    @property
    def base_url(self) -> str:
        return self.client.base_url

    def _remember(
        self, kind: Kind, onna_id: str, name: str, parent_id: str, **extra: object
    ) -> None:
        self.records.add(
            CreatedItem(
                base_url=self.base_url,
                onna_id=onna_id,
                kind=kind,
                name=name,
                parent_id=parent_id,
                workspace_id=self.records.workspace_of(self.base_url, parent_id),
                created_at=_now(),
                **extra,  # type: ignore[arg-type]
            )
        )

    async def create_folder(self, draft: FolderDraft) -> Created:
        created = await self.client.create_folder(draft)
        self._remember("folder", created.onna_id, draft.name, draft.onna_parent_id)
        return created

    async def create_ticket(self, draft: TicketDraft) -> Created:
        created = await self.client.create_ticket(draft)
        self._remember("ticket", created.onna_id, draft.name, draft.onna_parent_id)
        return created

    async def delete(self, kind: Kind, onna_id: str) -> DeleteOutcome:
        """Delete on the server, then forget it here (with everything recorded under it)."""
        call = {
            "folder": self.client.delete_folder,
            "file": self.client.delete_file,
            "ticket": self.client.delete_ticket,
        }[kind]
        outcome = await call(onna_id)
        for gone in self.records.forget(self.base_url, onna_id):
            self.pending.done(self.base_url, gone)
        return outcome

    async def upload(
        self,
        request: UploadRequest,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        progress: Progress | None = None,
    ) -> UploadOutcome:
        """Create the file resource and upload ``request.path`` into it."""
        signature = FileSignature.of(request.path)
        draft = request.draft()
        created = await self.client.create_file(draft)
        name = draft.name or request.path.name
        self._remember(
            "file", created.onna_id, name, request.parent_id, size=signature.size, content="partial"
        )
        pending = PendingUpload(
            base_url=self.base_url,
            profile=self.profile,
            onna_id=created.onna_id,
            parent_id=request.parent_id,
            path=str(request.path.resolve()),
            size=signature.size,
            mtime_ns=signature.mtime_ns,
            offset=0,
            name=name,
            chunk_size=chunk_size,
            started_at=_now(),
        )
        self.pending.save(pending)
        return await self._send(pending, signature, progress)

    def resumable(self) -> list[PendingUpload]:
        """The unfinished uploads of this profile's base URL, oldest first."""
        return [
            p
            for p in self.pending.all()
            if p.base_url == self.base_url and p.profile == self.profile
        ]

    async def resume(
        self, pending: PendingUpload, *, progress: Progress | None = None
    ) -> UploadOutcome:
        """Finish an interrupted upload from the server's offset; FileChanged when the
        local file is not the one it began with."""
        path = Path(pending.path)
        try:
            signature = FileSignature.of(path)
        except OSError as exc:
            raise FileChanged(
                f"{path} cannot be read any more ({exc.strerror}), so the upload of file "
                f"{pending.onna_id} cannot be finished. Restore the file, or delete the "
                f"resource (`onna-tui file delete {pending.onna_id}`)."
            ) from None
        if signature != FileSignature(pending.size, pending.mtime_ns):
            raise FileChanged(
                f"{path} changed since its upload began, so the bytes already sent may not "
                f"match it. Delete file {pending.onna_id} (`onna-tui file delete "
                f"{pending.onna_id}`) and upload the new version."
            )
        return await self._send(pending, signature, progress)

    async def _send(
        self, pending: PendingUpload, signature: FileSignature, progress: Progress | None
    ) -> UploadOutcome:
        def confirmed(offset: int) -> None:
            if offset != pending.offset:
                pending.offset = offset
                self.pending.set_offset(self.base_url, pending.onna_id, offset)
            if progress is not None:
                progress(offset, signature.size)

        path = Path(pending.path)
        uploader = self.client.uploader(
            pending.onna_id, path, signature, chunk_size=pending.chunk_size, on_offset=confirmed
        )
        result = await uploader.run()
        self.records.update(
            self.base_url,
            pending.onna_id,
            size=result.size,
            sha256=result.sha256,
            content="uploaded",
        )
        self.pending.done(self.base_url, pending.onna_id)
        return UploadOutcome(pending.onna_id, pending.name, path, pending.parent_id, result)
