"""The sandbox state's door to workspace contents and their uploads, under the state's lock.

`SandboxState` owns one `ContentStore` (``state.contents``): the routes in
``sandbox/web/contents.py`` and ``sandbox/web/uploads.py`` call it, tests can too.
Folders, files and tickets are saved in ``--state FILE``; upload bytes are not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from onna_tui.sandbox.contents import Contents, Kind, Node
from onna_tui.sandbox.refusals import InvalidValue, NotFoundError
from onna_tui.sandbox.uploads import DEFAULT_MAX_UPLOAD_SIZE, Upload, Uploads


class UploadConflict(InvalidValue):
    """A TUS request that does not fit the upload's state (409)."""

    status = 409


class UploadTooLarge(InvalidValue):
    status = 413


class ContentStore:
    """Folders, files, tickets and uploads; every method takes the state's lock."""

    def __init__(
        self,
        *,
        lock: threading.RLock,
        new_id: Callable[[], str],
        workspace_exists: Callable[[str], bool],
        save: Callable[[], None],
        max_upload_size: int = DEFAULT_MAX_UPLOAD_SIZE,
    ) -> None:
        self._lock = lock
        self._save = save
        self._contents = Contents(new_id=new_id, workspace_exists=workspace_exists)
        self.uploads = Uploads(max_size=max_upload_size)

    # ---------------------------------------------------------------- nodes

    def create(self, kind: Kind, parent_id: str, fields: Mapping[str, Any]) -> Node:
        with self._lock:
            node = self._contents.create(kind, parent_id, fields)
            self._save()
            return node

    def get(self, kind: Kind, onna_id: str) -> dict[str, Any]:
        """The node's Read*Response body; a file's carries what its upload stored."""
        with self._lock:
            node = self._contents.get(kind, onna_id)
            body = node.to_json(onna_url=f"https://sandbox.onna.invalid/{kind}s/{onna_id}")
            upload = self.uploads.get(onna_id) if kind == "file" else None
            if upload is not None and upload.complete:
                body.update(size=upload.offset, md5=upload.md5())
                name = upload.metadata.get("filename")
                if name:
                    body["filename"] = name
                    if "." in name:
                        body["extension"] = name.rsplit(".", 1)[1]
                if upload.metadata.get("filetype"):
                    body["mime_type"] = upload.metadata["filetype"]
            return body

    def rename_folder(self, onna_id: str, name: str) -> None:
        with self._lock:
            self._contents.update("folder", onna_id, {"name": name})
            self._save()

    def delete(self, kind: Kind, onna_id: str) -> list[str]:
        with self._lock:
            gone = self._contents.delete(kind, onna_id)
            self.uploads.drop(*gone)
            self._save()
            return gone

    def delete_workspace(self, workspace_id: str) -> None:
        """Called by the state, with its lock held, when a workspace is deleted."""
        with self._lock:
            self.uploads.drop(*self._contents.delete_workspace(workspace_id))

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {
                "folders": self._contents.count("folder"),
                "files": self._contents.count("file"),
                "tickets": self._contents.count("ticket"),
            }

    def to_json(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._contents.to_json()

    def load(self, data: Any) -> None:
        with self._lock:
            self._contents.load(data)

    # -------------------------------------------------------------- uploads

    def _file(self, onna_id: str) -> None:
        self._contents.get("file", onna_id)

    def start_upload(
        self, onna_id: str, length: int | None, metadata: dict[str, str | None]
    ) -> Upload:
        """TUS creation for a file resource: 404 unknown file, 409 if one exists, 413."""
        with self._lock:
            self._file(onna_id)
            if self.uploads.get(onna_id) is not None:
                raise UploadConflict(
                    f"File {onna_id} has an upload already: HEAD it for the offset to resume."
                )
            self._check_length(length)
            return self.uploads.start(onna_id, length, metadata)

    def _check_length(self, length: int | None) -> None:
        if length is not None and length > self.uploads.max_size:
            raise UploadTooLarge(
                f"The upload is {length} bytes; this server takes at most "
                f"{self.uploads.max_size} (Tus-Max-Size)."
            )

    def upload_of(self, onna_id: str) -> Upload:
        """The file's upload: 404 when the file or its upload does not exist."""
        with self._lock:
            self._file(onna_id)
            upload = self.uploads.get(onna_id)
            if upload is None:
                raise NotFoundError(
                    f"File {onna_id} has no upload: POST to this URL first to create one."
                )
            return upload

    def append(self, upload: Upload, data: bytes) -> None:
        """Store a PATCH's bytes at the upload's offset (the route checked offset and room)."""
        with self._lock:
            upload.append(data)

    def replace_content(self, onna_id: str, data: bytes, filetype: str | None) -> Upload:
        """PUT: the whole content in one request, replacing any upload."""
        with self._lock:
            self._file(onna_id)
            self._check_length(len(data))
            upload = self.uploads.start(onna_id, len(data), {"filetype": filetype})
            upload.bytes_received += len(data)
            upload.patches += 1
            upload.append(data)
            return upload

    def upload_settings(self) -> dict[str, Any]:
        with self._lock:
            return {"max_upload_size": self.uploads.max_size, "tus_checksum": self.uploads.checksum}

    def set_upload_settings(
        self, *, max_size: int | None = None, checksum: bool | None = None
    ) -> None:
        with self._lock:
            if max_size is not None:
                if max_size < 0:
                    raise InvalidValue("max_upload_size must be 0 or more bytes.")
                self.uploads.max_size = max_size
            if checksum is not None:
                self.uploads.checksum = checksum

    def uploads_json(self) -> list[dict[str, Any]]:
        with self._lock:
            return [u.to_json() for u in self.uploads.by_id.values()]
