"""The sandbox's TUS uploads: one per file resource, its bytes, offset and SHA-256.

A plain data structure with no locking: the state that owns it holds the lock. The
bytes go to a spooled temporary file (memory up to 1 MiB, then disk), so a large
upload does not sit in memory; the SHA-256 is kept as the bytes arrive. Counters
(``bytes_received``, ``bytes_stored``, ``patches``) let tests prove that a resumed
upload sent no stored byte twice. Uploads are not written to ``--state FILE``.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any

#: The default largest upload the sandbox takes (Tus-Max-Size).
DEFAULT_MAX_UPLOAD_SIZE = 2 * 1024**3
_SPOOL = 1024 * 1024


@dataclass
class Upload:
    onna_id: str
    length: int | None
    metadata: dict[str, str | None]
    offset: int = 0
    bytes_received: int = 0
    patches: int = 0
    _sha: Any = field(default_factory=hashlib.sha256, repr=False)
    _md5: Any = field(default_factory=hashlib.md5, repr=False)
    _data: IO[bytes] = field(
        default_factory=lambda: tempfile.SpooledTemporaryFile(max_size=_SPOOL), repr=False
    )

    @property
    def complete(self) -> bool:
        return self.length is not None and self.offset == self.length

    def append(self, data: bytes) -> None:
        """Store bytes at the current offset (the caller checked offset and length)."""
        self._data.seek(self.offset)
        self._data.write(data)
        self._sha.update(data)
        self._md5.update(data)
        self.offset += len(data)

    def sha256(self) -> str:
        return str(self._sha.hexdigest())

    def md5(self) -> str:
        return str(self._md5.hexdigest())

    def read(self) -> bytes:
        """The stored bytes (for tests and the admin surface's content download)."""
        self._data.seek(0)
        return self._data.read(self.offset)

    def close(self) -> None:
        self._data.close()

    def to_json(self) -> dict[str, Any]:
        """How the admin surface shows it."""
        return {
            "onna_id": self.onna_id,
            "length": self.length,
            "offset": self.offset,
            "complete": self.complete,
            "sha256": self.sha256(),
            "bytes_received": self.bytes_received,
            "patches": self.patches,
            "metadata": dict(self.metadata),
        }


@dataclass
class Uploads:
    """Uploads by file id; ``max_size`` is what OPTIONS advertises and POST enforces."""

    max_size: int = DEFAULT_MAX_UPLOAD_SIZE
    #: Whether the checksum extension is offered (Upload-Checksum on PATCH).
    checksum: bool = True
    by_id: dict[str, Upload] = field(default_factory=dict)

    def start(self, onna_id: str, length: int | None, metadata: dict[str, str | None]) -> Upload:
        self.drop(onna_id)
        upload = Upload(onna_id, length, metadata)
        self.by_id[onna_id] = upload
        return upload

    def get(self, onna_id: str) -> Upload | None:
        return self.by_id.get(onna_id)

    def drop(self, *onna_ids: str) -> None:
        for onna_id in onna_ids:
            upload = self.by_id.pop(onna_id, None)
            if upload is not None:
                upload.close()

    def clear(self) -> None:
        self.drop(*list(self.by_id))
