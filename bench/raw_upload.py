"""The floor of `onna-tui upload`: a raw httpx loop sending the same TUS chunks.

``python bench/raw_upload.py BASE_URL CLIENT_ID PARENT_ID FILE CHUNK < secret``:
mints a token, creates the file resource, creates the TUS upload and PATCHes the
file in CHUNK-byte pieces read from disk, then prints the resource's onna_id.
No checksum, no resume state, no progress: the least a client must do.
"""

from __future__ import annotations

import os
import sys

import httpx


def main() -> int:
    base_url, client_id, parent, path, chunk_text = sys.argv[1:6]
    chunk = int(chunk_text)
    secret = sys.stdin.readline().rstrip("\r\n")
    size = os.path.getsize(path)
    with httpx.Client(base_url=base_url, timeout=60, trust_env=False) as http:
        grant = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
        }
        minted = http.post("oauth/token", data=grant)
        minted.raise_for_status()
        auth = {"Authorization": f"Bearer {minted.json()['access_token']}"}
        name = os.path.basename(path)
        body = {"onna_parent_id": parent, "ref": name, "url": f"file:///{name}", "name": name}
        created = http.post("resources/files", json=body, headers=auth)
        created.raise_for_status()
        onna_id = created.json()["onna_id"]
        tus = {**auth, "Tus-Resumable": "1.0.0"}
        http.post(
            f"upload/{onna_id}/tus", headers={**tus, "Upload-Length": str(size)}
        ).raise_for_status()
        offset = 0
        with open(path, "rb") as handle:
            while offset < size:
                data = handle.read(chunk)
                headers = {
                    **tus,
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                }
                answer = http.patch(f"upload/{onna_id}/tus", content=data, headers=headers)
                answer.raise_for_status()
                offset = int(answer.headers["Upload-Offset"])
    sys.stdout.write(onna_id + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
