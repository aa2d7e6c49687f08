"""The floor of `onna-tui workspace list --json`: a raw httpx loop over the same pages.

``python bench/raw_list.py BASE_URL CLIENT_ID < secret``: mints a token with the
client credentials grant, follows the cursors of ``GET /workspaces`` to the last
page, and prints the items as one JSON array, as the CLI does.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import httpx


def main() -> int:
    base_url, client_id = sys.argv[1:3]
    secret = sys.stdin.readline().rstrip("\r\n")
    items: list[Any] = []
    # trust_env=False: like onna-tui, never send credentials through an environment proxy.
    with httpx.Client(base_url=base_url, timeout=30, trust_env=False) as http:
        grant = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
        }
        minted = http.post("oauth/token", data=grant)
        minted.raise_for_status()
        headers = {"Authorization": f"Bearer {minted.json()['access_token']}"}
        params: dict[str, str] = {}
        while True:
            page = http.get("workspaces", params=params, headers=headers)
            page.raise_for_status()
            body = page.json()
            items.extend(body["items"])
            if not body.get("cursor"):
                break
            params = {"cursor": body["cursor"]}
    sys.stdout.write(json.dumps(items) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
