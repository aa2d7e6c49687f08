"""What the sandbox stores, record by record: users, clients (secret digests only),
issued tokens and workspaces, each with the JSON it is shown or kept as."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class SandboxUser:
    """A Platform user. ``id`` is usually the user's email, as in CurrentUser."""

    id: str
    account_id: str = "sandbox"
    name: str = "Sandbox"
    surname: str | None = "Developer"
    developer_role: bool = True

    def current_user(self) -> dict[str, Any]:
        """The GET /oauth/user body (CurrentUser)."""
        body: dict[str, Any] = {"id": self.id, "account_id": self.account_id, "name": self.name}
        if self.surname is not None:
            body["surname"] = self.surname
        return body

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account_id": self.account_id,
            "name": self.name,
            "surname": self.surname,
            "developer_role": self.developer_role,
        }


@dataclass
class SandboxClient:
    """One set of API credentials; the secret itself is never stored."""

    client_id: str
    user_id: str
    secret_salt: str
    secret_sha256: str

    @staticmethod
    def digest(salt: str, secret: str) -> str:
        return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()

    def check_secret(self, secret: str) -> bool:
        # compare_digest: the sandbox should not teach clients to rely on a timing leak.
        return hmac.compare_digest(self.digest(self.secret_salt, secret), self.secret_sha256)

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "user_id": self.user_id,
            "secret_salt": self.secret_salt,
            "secret_sha256": self.secret_sha256,
        }


@dataclass
class IssuedToken:
    client_id: str
    expires_at: datetime
    #: Set by expire_all_tokens: independent of the clock, so it works with system_clock too.
    force_expired: bool = False


@dataclass
class WorkspaceRecord:
    """A workspace as stored; ``seq`` orders the list and backs the paging cursor."""

    onna_id: str
    name: str
    seq: int
    creation_datetime: datetime
    modification_datetime: datetime
    description: str = ""
    tags: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The GET /workspaces/{onna_id} body (WorkspaceResponseBody)."""
        return {
            "onna_id": self.onna_id,
            "name": self.name,
            "description": self.description,
            "tags": list(self.tags),
            "creation_datetime": self.creation_datetime.isoformat(),
            "modification_datetime": self.modification_datetime.isoformat(),
        }

    def page_item(self) -> dict[str, Any]:
        return {"onna_id": self.onna_id, "name": self.name}
