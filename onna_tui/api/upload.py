"""Uploading one local file's content into a file resource, by TUS: chunked, streamed from
disk, resumable, verified.

- Chunks of ``chunk_size`` bytes are read from disk one at a time, so memory stays
  flat whatever the file's size.
- Every request gets the token manager's token (api.bearer): one that nears expiry
  is renewed between chunks, and a 401 re-mints once.
- A PATCH that gets no answer (dropped connection, timeout) or a 409 is never sent
  again blindly: HEAD asks the server how much it stored, and sending resumes from
  there, so no byte is stored twice. A checksum mismatch (460) is sent again from
  the server's offset too. Failures in a row without progress are bounded.
- The file must not change while it is sent: its size and modification time are
  compared before every chunk and at the end (``FileChanged``).
- Verified: the server's final offset must be the file's size, and where the server
  offers the checksum extension every chunk carries its digest. The SHA-256 of the
  whole file is computed on the way.

``on_offset`` is called after every byte range the server confirms, so a caller can
keep resume state (storage.uploads) and show progress.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from onna_tui.api import tus
from onna_tui.api.errors import NetworkError, OnnaError
from onna_tui.api.requester import Requester
from onna_tui.core.sizes import human_size
from onna_tui.core.tus import DEFAULT_CHUNK_SIZE
from onna_tui.errors import ExitCode, OnnaTuiError

#: PATCH attempts in a row that may fail without the server's offset moving.
MAX_FAILURES_IN_A_ROW = 4
#: Bytes read at a time when hashing what the server already has.
_HASH_READ = 1024 * 1024


class FileChanged(OnnaTuiError):
    """The local file is not the one the upload began with."""

    title = "File changed"
    exit_code = ExitCode.USAGE


class UploadFailed(OnnaTuiError):
    """The upload could not be completed; the message says where it stopped."""

    title = "Upload failed"
    exit_code = ExitCode.API


@dataclass(frozen=True)
class FileSignature:
    """What identifies a local file's content for resuming: size and modification time."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileSignature:
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class UploadResult:
    onna_id: str
    size: int
    sha256: str
    #: The offset the server already had when this run began (0 for a fresh upload).
    resumed_from: int
    #: Bytes this run sent in PATCH bodies (a resent chunk counts twice).
    bytes_sent: int


OffsetListener = Callable[[int], None]


class _Hasher:
    """The SHA-256 of the file's first ``done`` bytes, fed from chunks or from disk."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._sha = hashlib.sha256()
        self.done = 0

    def advance(self, upto: int, chunk_start: int = 0, chunk: bytes = b"") -> None:
        if upto < self.done:  # the server went back: start again
            self._sha, self.done = hashlib.sha256(), 0
        if chunk and chunk_start <= self.done < chunk_start + len(chunk):
            end = min(upto, chunk_start + len(chunk))
            self._sha.update(chunk[self.done - chunk_start : end - chunk_start])
            self.done = end
        while self.done < upto:
            self._handle.seek(self.done)
            block = self._handle.read(min(_HASH_READ, upto - self.done))
            if not block:
                raise FileChanged("The file got shorter while it was being uploaded.")
            self._sha.update(block)
            self.done += len(block)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


@dataclass
class Uploader:
    """Sends one file's content into the file resource ``onna_id``."""

    api: Requester
    onna_id: str
    path: Path
    signature: FileSignature
    chunk_size: int = DEFAULT_CHUNK_SIZE
    on_offset: OffsetListener | None = None
    metadata: dict[str, str | None] | None = None

    def _check_unchanged(self, offset: int) -> None:
        try:
            now = FileSignature.of(self.path)
        except OSError as exc:
            raise FileChanged(
                f"{self.path} cannot be read any more ({exc.strerror}); the upload of file "
                f"{self.onna_id} stopped at {offset} of {self.signature.size} bytes."
            ) from None
        if now != self.signature:
            raise FileChanged(
                f"{self.path} changed since its upload began (size or modification time), so "
                f"the bytes already sent may not match it. The upload of file {self.onna_id} "
                f"stopped at {offset} of {self.signature.size} bytes: delete that file "
                f"(`onna-tui file delete {self.onna_id}`) and upload the new version."
            )

    async def _start(self, caps: tus.Capabilities) -> int:
        """The server's offset: an existing upload's, or 0 after creating one."""
        size = self.signature.size
        if caps.max_size is not None and size > caps.max_size:
            raise tus.UploadRefused(
                f"{self.path} is {human_size(size)}; this server takes uploads of at most "
                f"{human_size(caps.max_size)}.",
                status=413,
            )
        state = await tus.head(self.api, self.onna_id)
        if state is None:
            metadata = self.metadata or {"filename": self.path.name}
            await tus.create(self.api, self.onna_id, length=size, metadata=metadata)
            return 0
        if state.length is not None and state.length != size:
            raise FileChanged(
                f"The server's upload of file {self.onna_id} is for {state.length} bytes, but "
                f"{self.path} has {size}: it is not the file the upload began with."
            )
        return state.offset

    async def _capabilities(self) -> tus.Capabilities:
        try:
            return await tus.options(self.api, self.onna_id)
        except OnnaError as exc:
            if exc.status in (404, 405, 501):
                return tus.Capabilities()  # no OPTIONS: assume only the core protocol
            raise

    async def run(self) -> UploadResult:
        caps = await self._capabilities()
        self._check_unchanged(0)
        offset = start = await self._start(caps)
        sent = 0
        with self.path.open("rb") as handle:
            hasher = _Hasher(handle)
            hasher.advance(offset)
            self._notify(offset)
            failures = 0
            while offset < self.signature.size:
                self._check_unchanged(offset)
                handle.seek(offset)
                chunk = handle.read(min(self.chunk_size, self.signature.size - offset))
                try:
                    new_offset = await tus.patch(
                        self.api, self.onna_id, offset=offset, data=chunk, checksum=caps.checksum
                    )
                    sent += len(chunk)
                except (NetworkError, tus.UploadRefused) as exc:
                    sent += len(chunk)
                    failures = self._failed(exc, failures, offset)
                    new_offset = await self._server_offset()
                    if new_offset > offset:
                        failures = 0
                else:
                    failures = 0
                hasher.advance(new_offset, offset, chunk)
                offset = new_offset
                self._notify(offset)
            self._check_unchanged(offset)
            await self._verify_complete()
            hasher.advance(self.signature.size)
        return UploadResult(self.onna_id, self.signature.size, hasher.hexdigest(), start, sent)

    def _failed(self, exc: OnnaTuiError, failures: int, offset: int) -> int:
        """Count a failed PATCH; give up (UploadFailed) after too many in a row."""
        retryable = isinstance(exc, NetworkError) or (
            isinstance(exc, tus.UploadRefused) and exc.status in (409, 460)
        )
        failures += 1
        if not retryable or failures >= MAX_FAILURES_IN_A_ROW:
            if not retryable:
                raise exc
            why = (
                "the connection failed"
                if isinstance(exc, NetworkError)
                else f"the server refused it (HTTP {getattr(exc, 'status', '?')})"
            )
            raise UploadFailed(
                f"Sending file {self.onna_id} failed {failures} times in a row ({why}). It "
                f"stopped at {offset} of {self.signature.size} bytes, which the server keeps: "
                "run `onna-tui upload --resume` to go on from there."
            ) from None
        return failures

    async def _server_offset(self) -> int:
        """The offset by HEAD after a failed PATCH (the only way to know what was stored)."""
        state = await tus.head(self.api, self.onna_id)
        if state is None:
            raise UploadFailed(
                f"The server no longer knows the upload of file {self.onna_id}; delete the "
                "file resource and upload again."
            )
        if state.offset > self.signature.size:
            raise UploadFailed(
                f"The server says it holds {state.offset} bytes of file {self.onna_id}, more "
                f"than the {self.signature.size} of {self.path}."
            )
        return state.offset

    async def _verify_complete(self) -> None:
        state = await tus.head(self.api, self.onna_id)
        size = self.signature.size
        if state is None or state.offset != size or state.length not in (None, size):
            stored = "nothing" if state is None else f"{state.offset} bytes"
            raise UploadFailed(
                f"After sending all {size} bytes of {self.path}, the server holds {stored} "
                f"for file {self.onna_id}: the upload did not complete."
            )

    def _notify(self, offset: int) -> None:
        if self.on_offset is not None:
            self.on_offset(offset)


def local_signature(path: Path) -> FileSignature:
    """The signature of a file to upload; FileChanged-free OSError sentences for the caller."""
    if not path.is_file():
        kind = "a directory" if path.is_dir() else "not a regular file"
        raise FileNotFoundError(f"{path} is {kind}" if path.exists() else f"{path} does not exist")
    if not os.access(path, os.R_OK):
        raise PermissionError(f"{path} cannot be read (permission denied)")
    return FileSignature.of(path)
