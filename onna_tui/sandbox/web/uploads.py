"""The TUS 1.0.0 routes at /upload/{onna_id}/tus, as faithful to tus.io as the document allows.

- Every request but OPTIONS must carry ``Tus-Resumable: 1.0.0`` (412 with
  ``Tus-Version`` otherwise); every answer carries it.
- POST creates the upload (Upload-Length, or Upload-Defer-Length: 1; Upload-Metadata),
  201 with Location; 413 past the maximum size, 409 when the file has one already.
- HEAD gives Upload-Offset (and Upload-Length), never cached.
- PATCH needs Content-Type application/offset+octet-stream (415) and the current
  Upload-Offset (409 otherwise); bytes past the length are refused (413). Without
  a checksum the bytes are stored as they arrive, so a connection dropped halfway
  keeps what arrived (HEAD then tells the client where to resume). With
  Upload-Checksum (the checksum extension, sha256/sha1/md5) the chunk is kept only
  if its digest matches (460 otherwise).
- PUT stores a whole file in one request (201).

The document lists 200 for POST and PATCH; tus.io says 201 and 204, which the
sandbox sends (a client must accept any 2xx).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from onna_tui.core import tus
from onna_tui.sandbox.content_store import ContentStore
from onna_tui.sandbox.refusals import SandboxError
from onna_tui.sandbox.uploads import Upload
from onna_tui.sandbox.web.auth import bearer_user
from onna_tui.sandbox.web.bodies import media_type_of
from onna_tui.sandbox.web.common import API_PREFIX, ApiError, state_of

#: The largest PATCH body kept in memory to check its checksum.
MAX_CHECKED_CHUNK = 64 * 1024 * 1024
_RESUMABLE = {tus.TUS_RESUMABLE: tus.TUS_VERSION}


def _store(request: Request) -> ContentStore:
    state = state_of(request)
    bearer_user(request, state)
    store: ContentStore = state.contents
    return store


def _refuse(status: int, detail: str, headers: dict[str, str] | None = None) -> ApiError:
    return ApiError(status, detail, headers={**_RESUMABLE, **(headers or {})})


def _check_version(request: Request) -> None:
    if request.headers.get(tus.TUS_RESUMABLE, "").strip() != tus.TUS_VERSION:
        raise _refuse(
            412,
            f"Send {tus.TUS_RESUMABLE}: {tus.TUS_VERSION}; it is the only version served here.",
            {tus.TUS_VERSION_HEADER: tus.TUS_VERSION},
        )


T = TypeVar("T")


def _call(call: Callable[[], T]) -> T:
    """A store call whose refusal (404, 409, 413, ...) becomes the TUS answer."""
    try:
        return call()
    except SandboxError as exc:
        raise _refuse(exc.status, str(exc)) from None


def _upload_or_404(store: ContentStore, onna_id: str) -> Upload:
    return _call(lambda: store.upload_of(onna_id))


def _extensions(store: ContentStore) -> str:
    names = ["creation", "creation-defer-length"]
    if store.uploads.checksum:
        names.append("checksum")
    return ",".join(names)


async def options(request: Request) -> Response:
    store = _store(request)
    headers = {
        **_RESUMABLE,
        tus.TUS_VERSION_HEADER: tus.TUS_VERSION,
        tus.TUS_EXTENSION: _extensions(store),
        tus.TUS_MAX_SIZE: str(store.uploads.max_size),
    }
    if store.uploads.checksum:
        headers[tus.TUS_CHECKSUM_ALGORITHM] = ",".join(tus.CHECKSUM_ALGORITHMS)
    return Response(status_code=204, headers=headers)


def _creation_length(request: Request) -> int | None:
    length_header = request.headers.get(tus.UPLOAD_LENGTH)
    deferred = request.headers.get(tus.UPLOAD_DEFER_LENGTH)
    if length_header is not None and deferred is None:
        length = tus.parse_offset(length_header)
        if length is None:
            raise _refuse(400, "Upload-Length must be a non-negative integer.")
        return length
    if length_header is None and deferred is not None and deferred.strip() == "1":
        return None
    raise _refuse(400, "Send either Upload-Length or Upload-Defer-Length: 1 (not both, not none).")


async def create(request: Request) -> Response:
    store = _store(request)
    _check_version(request)
    onna_id = request.path_params["onna_id"]
    length = _creation_length(request)
    try:
        metadata = tus.decode_metadata(request.headers.get(tus.UPLOAD_METADATA, ""))
    except tus.MetadataError as exc:
        raise _refuse(400, str(exc)) from None
    _call(lambda: store.start_upload(onna_id, length, metadata))
    return Response(status_code=201, headers={**_RESUMABLE, "Location": str(request.url)})


def _offset_headers(upload: Upload) -> dict[str, str]:
    headers = {**_RESUMABLE, tus.UPLOAD_OFFSET: str(upload.offset), "Cache-Control": "no-store"}
    if upload.length is None:
        headers[tus.UPLOAD_DEFER_LENGTH] = "1"
    else:
        headers[tus.UPLOAD_LENGTH] = str(upload.length)
    return headers


async def head(request: Request) -> Response:
    store = _store(request)
    _check_version(request)
    upload = _upload_or_404(store, request.path_params["onna_id"])
    return Response(status_code=200, headers=_offset_headers(upload))


def _patch_preconditions(request: Request, upload: Upload) -> tuple[str, bytes] | None:
    """The checksum to verify (or None), after the 415 / 409 / 400 checks."""
    if media_type_of(request) != tus.OFFSET_OCTET_STREAM:
        raise _refuse(415, f"A PATCH body must be sent as Content-Type: {tus.OFFSET_OCTET_STREAM}.")
    offset = tus.parse_offset(request.headers.get(tus.UPLOAD_OFFSET))
    if offset is None:
        raise _refuse(400, "Upload-Offset must be a non-negative integer.")
    if offset != upload.offset:
        raise _refuse(
            409,
            f"Upload-Offset is {offset}, but {upload.offset} bytes are stored: HEAD for the "
            "offset and send from there.",
            {tus.UPLOAD_OFFSET: str(upload.offset)},
        )
    if upload.length is None:
        length = tus.parse_offset(request.headers.get(tus.UPLOAD_LENGTH))
        if length is not None:
            upload.length = length
    header = request.headers.get(tus.UPLOAD_CHECKSUM)
    if header is None:
        return None
    try:
        return tus.parse_checksum(header)
    except ValueError as exc:
        raise _refuse(400, f"{exc} Supported: {', '.join(tus.CHECKSUM_ALGORITHMS)}.") from None


def _room(upload: Upload, store: ContentStore, incoming: int) -> None:
    limit = upload.length if upload.length is not None else store.uploads.max_size
    if upload.offset + incoming > limit:
        raise _refuse(
            413,
            f"The body goes past the upload's {limit} bytes.",
            {tus.UPLOAD_OFFSET: str(upload.offset)},
        )


async def patch(request: Request) -> Response:
    store = _store(request)
    _check_version(request)
    upload = _upload_or_404(store, request.path_params["onna_id"])
    checksum = _patch_preconditions(request, upload)
    upload.patches += 1
    if checksum is None:
        await _stream_into(request, store, upload)
    else:
        await _checked_into(request, store, upload, checksum)
    return Response(status_code=204, headers=_offset_headers(upload))


async def _stream_into(request: Request, store: ContentStore, upload: Upload) -> None:
    """Store the body as it arrives: a drop keeps what came before it."""
    async for piece in request.stream():
        if not piece:
            continue
        upload.bytes_received += len(piece)
        _room(upload, store, len(piece))
        store.append(upload, piece)


async def _checked_into(
    request: Request, store: ContentStore, upload: Upload, checksum: tuple[str, bytes]
) -> None:
    """Store the body only if it arrived whole with the digest it was sent with."""
    pieces: list[bytes] = []
    size = 0
    async for piece in request.stream():
        upload.bytes_received += len(piece)
        size += len(piece)
        if size > MAX_CHECKED_CHUNK:
            raise _refuse(413, f"A checksummed PATCH may carry at most {MAX_CHECKED_CHUNK} bytes.")
        pieces.append(piece)
    data = b"".join(pieces)
    _room(upload, store, len(data))
    algorithm, expected = checksum
    if not hmac.compare_digest(hashlib.new(algorithm, data).digest(), expected):
        raise _refuse(
            tus.CHECKSUM_MISMATCH,
            "The body does not match its Upload-Checksum; it was not stored.",
            {tus.UPLOAD_OFFSET: str(upload.offset)},
        )
    store.append(upload, data)


async def put(request: Request) -> Response:
    store = _store(request)
    onna_id = request.path_params["onna_id"]
    _call(lambda: store.get("file", onna_id))
    pieces: list[bytes] = []
    size = 0
    async for piece in request.stream():
        size += len(piece)
        if size > store.uploads.max_size:
            raise _refuse(413, f"The body is larger than {store.uploads.max_size} bytes.")
        pieces.append(piece)
    filetype = media_type_of(request)
    keep_type = filetype if filetype not in ("", tus.OFFSET_OCTET_STREAM) else None
    _call(lambda: store.replace_content(onna_id, b"".join(pieces), keep_type))
    return Response(status_code=201, headers=_RESUMABLE)


def routes(p: str = API_PREFIX) -> list[BaseRoute]:
    """The routes of this resource under the API prefix ``p``."""
    path = f"{p}/upload/{{onna_id}}/tus"
    methods: list[tuple[str, Any]] = [
        ("OPTIONS", options),
        ("POST", create),
        ("HEAD", head),
        ("PATCH", patch),
        ("PUT", put),
    ]
    return [Route(path, handler, methods=[method]) for method, handler in methods]
