"""The TUS 1.0.0 resumable-upload protocol's rules (tus.io), shared by the client and the
sandbox: header names, Upload-Metadata, Upload-Checksum. Standard library only.

Onna puts a resource's content at ``/upload/{onna_id}/tus``: OPTIONS says what the
server supports, POST creates the upload (Upload-Length, or Upload-Defer-Length: 1),
HEAD gives the offset stored so far, PATCH appends bytes at that offset, and PUT
sends a whole small file in one request. Every request and answer carries
``Tus-Resumable: 1.0.0``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping

TUS_VERSION = "1.0.0"
#: The media type of every PATCH body.
OFFSET_OCTET_STREAM = "application/offset+octet-stream"

TUS_RESUMABLE = "Tus-Resumable"
TUS_VERSION_HEADER = "Tus-Version"
TUS_EXTENSION = "Tus-Extension"
TUS_MAX_SIZE = "Tus-Max-Size"
TUS_CHECKSUM_ALGORITHM = "Tus-Checksum-Algorithm"
UPLOAD_OFFSET = "Upload-Offset"
UPLOAD_LENGTH = "Upload-Length"
UPLOAD_DEFER_LENGTH = "Upload-Defer-Length"
UPLOAD_METADATA = "Upload-Metadata"
UPLOAD_CHECKSUM = "Upload-Checksum"

#: The checksum extension's status for a body whose checksum does not match.
CHECKSUM_MISMATCH = 460
#: Algorithms we can compute, best first (hashlib names are the TUS names).
CHECKSUM_ALGORITHMS = ("sha256", "sha1", "md5")

#: The default size of one PATCH (api.upload; here so api.client need not load that).
DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024


class MetadataError(ValueError):
    """An Upload-Metadata header that breaks the protocol's rules; the message says which."""


def encode_metadata(pairs: Mapping[str, str | None]) -> str:
    """``key base64(value)`` pairs joined by commas; a None value is sent as a bare key."""
    parts = []
    for key, value in pairs.items():
        if not key or any(ch in key for ch in " ,") or not key.isascii():
            raise MetadataError(f"{key!r} cannot be an Upload-Metadata key.")
        if value is None:
            parts.append(key)
        else:
            parts.append(f"{key} {base64.b64encode(value.encode('utf-8')).decode('ascii')}")
    return ",".join(parts)


def decode_metadata(header: str) -> dict[str, str | None]:
    """The pairs of an Upload-Metadata header; MetadataError when it is not well formed."""
    pairs: dict[str, str | None] = {}
    if not header.strip():
        return pairs
    for part in header.split(","):
        bits = part.strip().split(" ")
        key = bits[0]
        if not key or len(bits) > 2 or key in pairs:
            raise MetadataError(f"Upload-Metadata has a bad or repeated key in {part.strip()!r}.")
        if len(bits) == 1 or bits[1] == "":
            pairs[key] = None
            continue
        try:
            pairs[key] = base64.b64decode(bits[1], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise MetadataError(f"The Upload-Metadata value of {key!r} is not Base64.") from None
    return pairs


def checksum_header(algorithm: str, data: bytes) -> str:
    """``Upload-Checksum: <algorithm> <base64 digest>`` of one PATCH body."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm} {base64.b64encode(digest).decode('ascii')}"


def parse_checksum(header: str) -> tuple[str, bytes]:
    """(algorithm, digest) of an Upload-Checksum header; ValueError when it is not one."""
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS or not encoded:
        raise ValueError(f"{header!r} is not '<algorithm> <base64 digest>'.")
    try:
        return algorithm, base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise ValueError("The Upload-Checksum digest is not Base64.") from None


def pick_checksum(advertised: str | None) -> str | None:
    """The best algorithm both sides know, from a Tus-Checksum-Algorithm header."""
    offered = {name.strip().lower() for name in (advertised or "").split(",")}
    return next((name for name in CHECKSUM_ALGORITHMS if name in offered), None)


def parse_offset(value: str | None) -> int | None:
    """A non-negative integer header (Upload-Offset, Upload-Length), or None."""
    if value is None or not value.strip().isdigit() or not value.strip().isascii():
        return None
    return int(value.strip())
