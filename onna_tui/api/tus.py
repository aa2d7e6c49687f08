"""The TUS 1.0.0 calls on ``/upload/{onna_id}/tus``: OPTIONS, POST (creation), HEAD, PATCH
and PUT (a whole file in one request). The upload loop that uses them is api.upload.

A small client of our own rather than a kept TUS library: the Python ones (tuspy)
send through requests or aiohttp, so they would bypass this client's httpx
transport, TLS policy, deadlines, size caps and the token manager's 401 → mint once →
retry once. Five requests with a few headers each are little code on ``Requester``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from onna_tui.api.errors import NotFound, OnnaError
from onna_tui.api.requester import Requester, segment
from onna_tui.core import tus
from onna_tui.core.sizes import human_size


class UploadRefused(OnnaError):
    """The server refused an upload request in a way the protocol names (409, 412, 413, 460)."""

    title = "Upload refused"


def upload_path(onna_id: str) -> str:
    return f"/upload/{segment(onna_id, what='file')}/tus"


def _headers(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    headers = {tus.TUS_RESUMABLE: tus.TUS_VERSION}
    headers.update(extra or {})
    return headers


@dataclass(frozen=True)
class Capabilities:
    """What OPTIONS says the server supports (empty when it says nothing)."""

    versions: tuple[str, ...] = ()
    extensions: frozenset[str] = frozenset()
    max_size: int | None = None
    checksum: str | None = None

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> Capabilities:
        def items(name: str) -> list[str]:
            return [v.strip() for v in headers.get(name, "").split(",") if v.strip()]

        return cls(
            versions=tuple(items(tus.TUS_VERSION_HEADER)),
            extensions=frozenset(e.lower() for e in items(tus.TUS_EXTENSION)),
            max_size=tus.parse_offset(headers.get(tus.TUS_MAX_SIZE)),
            checksum=tus.pick_checksum(headers.get(tus.TUS_CHECKSUM_ALGORITHM)),
        )


@dataclass(frozen=True)
class UploadState:
    """What HEAD says: the bytes stored so far and the length declared (None if deferred)."""

    offset: int
    length: int | None


def _refused(exc: OnnaError, onna_id: str, what: str) -> OnnaError:
    """A protocol refusal as a sentence that says what to do; other errors as they are."""
    status = exc.status
    if status == 412:
        message = (
            f"The server does not speak TUS {tus.TUS_VERSION} for file {onna_id} (HTTP 412 when "
            f"trying to {what}): check that the base URL is the Onna Platform API."
        )
    elif status == 413:
        message = (
            f"The server refused the upload of file {onna_id} as too large (HTTP 413). "
            "Upload a smaller file, or ask an Onna admin about the limit."
        )
    elif status == 409:
        message = (
            f"The server's upload of file {onna_id} is not where this client expected "
            f"(HTTP 409 when trying to {what}). Run the upload again to resume from the "
            "server's offset."
        )
    elif status == tus.CHECKSUM_MISMATCH:
        message = (
            f"The server found that a chunk of file {onna_id} arrived damaged (checksum "
            f"mismatch, HTTP {status}). Run the upload again; it resumes from the last good byte."
        )
    else:
        return exc
    return UploadRefused(message, status=status, request_id=exc.request_id)


async def options(api: Requester, onna_id: str) -> Capabilities:
    """OPTIONS: the server's versions, extensions, maximum size and checksum algorithms."""
    response = await api.send(
        "OPTIONS", upload_path(onna_id), action=f"ask how file {onna_id} can be uploaded"
    )
    return Capabilities.from_headers(response.headers)


async def create(
    api: Requester, onna_id: str, *, length: int, metadata: Mapping[str, str | None]
) -> None:
    """POST: start an upload of ``length`` bytes for the file resource."""
    headers = _headers(
        {
            tus.UPLOAD_LENGTH: str(length),
            tus.UPLOAD_METADATA: tus.encode_metadata(metadata),
        }
    )
    what = f"start the upload of file {onna_id}"
    try:
        await api.send("POST", upload_path(onna_id), action=what, headers=headers, content=b"")
    except OnnaError as exc:
        raise _refused(exc, onna_id, what) from None


async def head(api: Requester, onna_id: str) -> UploadState | None:
    """HEAD: the stored offset, or None when no upload was created for the resource."""
    what = f"ask how much of file {onna_id} is stored"
    try:
        response = await api.send("HEAD", upload_path(onna_id), action=what, headers=_headers())
    except NotFound:
        return None
    except OnnaError as exc:
        raise _refused(exc, onna_id, what) from None
    offset = tus.parse_offset(response.headers.get(tus.UPLOAD_OFFSET))
    if offset is None:
        raise UploadRefused(
            f"The server answered HEAD for file {onna_id} without a valid Upload-Offset, so "
            "the upload cannot be resumed safely.",
            status=response.status_code,
        )
    return UploadState(offset, tus.parse_offset(response.headers.get(tus.UPLOAD_LENGTH)))


async def patch(
    api: Requester, onna_id: str, *, offset: int, data: bytes, checksum: str | None = None
) -> int:
    """PATCH ``data`` at ``offset``; the new offset the server reports."""
    extra = {tus.UPLOAD_OFFSET: str(offset), "Content-Type": tus.OFFSET_OCTET_STREAM}
    if checksum is not None:
        extra[tus.UPLOAD_CHECKSUM] = tus.checksum_header(checksum, data)
    what = f"send {human_size(len(data))} of file {onna_id} at byte {offset}"
    try:
        response = await api.send(
            "PATCH", upload_path(onna_id), action=what, headers=_headers(extra), content=data
        )
    except OnnaError as exc:
        raise _refused(exc, onna_id, what) from None
    new_offset = tus.parse_offset(response.headers.get(tus.UPLOAD_OFFSET))
    if new_offset is None or not offset <= new_offset <= offset + len(data):
        raise UploadRefused(
            f"The server answered a PATCH of file {onna_id} with an Upload-Offset that does "
            f"not fit the {len(data)} bytes sent at {offset}; stopping rather than guessing.",
            status=response.status_code,
        )
    return new_offset


async def put(api: Requester, onna_id: str, data: bytes) -> None:
    """PUT: the whole content in one request (no resume; for small files)."""
    what = f"upload file {onna_id} in one request"
    try:
        await api.send(
            "PUT",
            upload_path(onna_id),
            action=what,
            headers={"Content-Type": tus.OFFSET_OCTET_STREAM},
            content=data,
        )
    except OnnaError as exc:
        raise _refused(exc, onna_id, what) from None
