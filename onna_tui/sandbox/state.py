"""Everything the sandbox remembers: users, clients, tokens, workspaces, faults and counters.

`SandboxState` is plain Python with no HTTP in it, so tests can set the scene
(add a client, revoke a role, expire tokens, inject a fault) by calling methods
directly, and the Starlette app in `onna_tui.sandbox.app` is a thin layer over
it. Every public method takes a lock: the app runs on uvicorn's event loop in
one thread while tests call in from another.

Client secrets are kept only as salted SHA-256 digests, in memory and in the
state file; `add_client` hands the secret back once, like the Platform API app's
"Keep the client secret safe!" dialog.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import string
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.token_rules import DOCUMENTED_TOKEN_LIFETIME
from onna_tui.core.tokens import Credentials
from onna_tui.sandbox.custom_fields import CustomFieldRecord, CustomFields
from onna_tui.sandbox.faults import Fault
from onna_tui.sandbox.persistence import (
    STATE_FORMAT,
    STATE_VERSION,
    read_state_file,
    write_state_file,
)
from onna_tui.sandbox.records import IssuedToken, SandboxClient, SandboxUser, WorkspaceRecord
from onna_tui.sandbox.refusals import (
    DeveloperRoleRevoked,
    InvalidClient,
    InvalidCursor,
    InvalidValue,
    NotFoundError,
    SandboxError,
    StateFileError,
    TokenRejected,
    lone_surrogate,
)

# The records and refusals live in their own modules; importing them from here works too.
__all__ = [
    "DEFAULT_USER_ID",
    "ERROR_SHAPES",
    "STATE_FORMAT",
    "STATE_VERSION",
    "DeveloperRoleRevoked",
    "InvalidClient",
    "InvalidCursor",
    "InvalidValue",
    "IssuedToken",
    "NotFoundError",
    "SandboxClient",
    "SandboxError",
    "SandboxState",
    "SandboxUser",
    "StateFileError",
    "TokenRejected",
    "WorkspaceRecord",
    "lone_surrogate",
]

#: The user that owns clients created without naming one.
DEFAULT_USER_ID = "sandbox.developer@example.com"

_ID_ALPHABET = string.ascii_letters + string.digits
_MAX_CLIENT_ID = 200
_MAX_SECRET = 1000

#: How API errors are written: the JSON:API envelope ``{"errors": [...]}`` that
#: the document's examples show, or the one flat error object its
#: JsonApiErrorsNNN schemas describe (see `onna_tui.sandbox.app.error_document`).
ERROR_SHAPES = ("envelope", "flat")


# ------------------------------------------------------------------- state


class SandboxState:
    """The sandbox's whole world. See the module docstring."""

    def __init__(
        self,
        clock: Clock = system_clock,
        token_ttl: int = DOCUMENTED_TOKEN_LIFETIME,
        page_size: int = 50,
        state_file: Path | None = None,
        error_shape: str = "envelope",
    ) -> None:
        if token_ttl < 1:
            raise ValueError("token_ttl must be at least 1 second")
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        if error_shape not in ERROR_SHAPES:
            raise ValueError(f"error_shape must be one of {', '.join(ERROR_SHAPES)}")
        self.clock = clock
        #: "envelope" or "flat": see ERROR_SHAPES. A setting of this run, not saved.
        self.error_shape = error_shape
        self.token_ttl = token_ttl
        self.page_size = page_size
        self.state_file = Path(state_file) if state_file is not None else None
        self._lock = threading.RLock()
        self._users: dict[str, SandboxUser] = {}
        self._clients: dict[str, SandboxClient] = {}
        self._tokens: dict[str, IssuedToken] = {}
        self._workspaces: dict[str, WorkspaceRecord] = {}
        self._custom = CustomFields(new_id=self._new_field_id)
        self._next_seq = 1
        self._faults: list[Fault] = []
        self._token_exchanges = 0
        self._requests = 0
        self._by_route: Counter[str] = Counter()
        # Cursors are signed so a garbled or invented one is refused (422) rather
        # than silently read as "start somewhere". A fresh key per process means
        # cursors do not survive a restart, which clients must cope with anyway.
        self._cursor_key = secrets.token_bytes(16)
        if self.state_file is not None and self.state_file.exists():
            self._load(self.state_file)
        self._users.setdefault(DEFAULT_USER_ID, SandboxUser(id=DEFAULT_USER_ID))

    # ------------------------------------------------------------ users

    def users(self) -> list[SandboxUser]:
        with self._lock:
            return list(self._users.values())

    def get_user(self, user_id: str) -> SandboxUser | None:
        with self._lock:
            return self._users.get(user_id)

    def revoke_developer_role(self, user_id: str) -> None:
        """The user can no longer create credentials; existing ones keep working (per the guide)."""
        with self._lock:
            user = self._users.get(user_id)
            if user is None:
                raise NotFoundError(f"No user {user_id!r}.")
            user.developer_role = False
            self._save()

    def grant_developer_role(self, user_id: str) -> None:
        with self._lock:
            user = self._users.get(user_id)
            if user is None:
                raise NotFoundError(f"No user {user_id!r}.")
            user.developer_role = True
            self._save()

    # --------------------------------------------------------- settings

    def settings(self) -> dict[str, Any]:
        """The run's settings that the admin surface can change."""
        with self._lock:
            return {"error_shape": self.error_shape}

    def set_error_shape(self, shape: str) -> None:
        """Write API errors as the JSON:API envelope or as one flat error object."""
        if shape not in ERROR_SHAPES:
            raise InvalidValue(f"error_shape must be one of: {', '.join(ERROR_SHAPES)}.")
        with self._lock:
            self.error_shape = shape

    # ---------------------------------------------------------- clients

    def has_client(self, client_id: str) -> bool:
        with self._lock:
            return client_id in self._clients

    def client_ids(self) -> list[str]:
        with self._lock:
            return list(self._clients)

    def add_client(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        user: SandboxUser | Mapping[str, Any] | None = None,
    ) -> Credentials:
        """Create (or, for an existing id, re-key) a client and return its credentials.

        Missing id or secret are generated. ``user`` names the owner (a mapping
        needs at least ``id``); without it the client belongs to the default user.
        Raises DeveloperRoleRevoked when the owner lacks the developer role, and
        InvalidValue for an unusable id, secret or user.
        """
        with self._lock:
            owner = self._resolve_user(user)
            if not owner.developer_role:
                raise DeveloperRoleRevoked(
                    f"User {owner.id!r} does not have the developer role and cannot "
                    "create new credentials."
                )
            if client_id is None:
                client_id = "sbx" + secrets.token_hex(10)
            elif (
                not isinstance(client_id, str)
                or not client_id
                or len(client_id) > _MAX_CLIENT_ID
                or not client_id.isprintable()
                or any(ch.isspace() for ch in client_id)
            ):
                raise InvalidValue(
                    f"client_id must be 1 to {_MAX_CLIENT_ID} printable characters without spaces."
                )
            if client_secret is None:
                client_secret = secrets.token_urlsafe(32)
            elif (
                not isinstance(client_secret, str)
                or not 1 <= len(client_secret) <= _MAX_SECRET
                or lone_surrogate(client_secret) is not None
            ):
                raise InvalidValue(
                    f"client_secret must be 1 to {_MAX_SECRET} characters of valid Unicode text."
                )
            salt = secrets.token_hex(8)
            self._users.setdefault(owner.id, owner)
            self._clients[client_id] = SandboxClient(
                client_id=client_id,
                user_id=owner.id,
                secret_salt=salt,
                secret_sha256=SandboxClient.digest(salt, client_secret),
            )
            self._save()
            return Credentials(client_id=client_id, client_secret=SecretStr(client_secret))

    def _resolve_user(self, user: SandboxUser | Mapping[str, Any] | None) -> SandboxUser:
        if user is None:
            return self._users[DEFAULT_USER_ID]
        if isinstance(user, SandboxUser):
            return self._users.get(user.id, user)
        if not isinstance(user, Mapping):
            raise InvalidValue("user must be an object with at least an id.")
        user_id = user.get("id")
        if not isinstance(user_id, str) or not user_id.strip() or lone_surrogate(user_id):
            raise InvalidValue("user.id must be a non-empty string (usually an email).")
        for key in ("account_id", "name", "surname"):
            value = user.get(key)
            if value is not None and (not isinstance(value, str) or lone_surrogate(value)):
                raise InvalidValue(f"user.{key} must be a string of valid Unicode text.")
        if "developer_role" in user and not isinstance(user["developer_role"], bool):
            raise InvalidValue("user.developer_role must be true or false.")
        existing = self._users.get(user_id)
        if existing is not None:
            # An existing user keeps its role: re-sending developer_role=true must
            # not undo a revocation (only grant_developer_role does that).
            return existing
        local = user_id.split("@", 1)[0] or user_id
        return SandboxUser(
            id=user_id,
            account_id=user.get("account_id") or "sandbox",
            name=user.get("name") or local,
            surname=user.get("surname"),
            developer_role=user.get("developer_role", True),
        )

    def client_owner(self, client_id: str) -> SandboxUser:
        """The user a client belongs to; NotFoundError for an unknown client."""
        with self._lock:
            client = self._clients.get(client_id)
            if client is None:
                raise NotFoundError(f"No client {client_id!r}.")
            return self._users[client.user_id]

    def remove_client(self, client_id: str) -> None:
        """Delete a client; its tokens stop working at once."""
        with self._lock:
            if self._clients.pop(client_id, None) is None:
                raise NotFoundError(f"No client {client_id!r}.")
            for token, issued in list(self._tokens.items()):
                if issued.client_id == client_id:
                    del self._tokens[token]
            self._save()

    # ----------------------------------------------------------- tokens

    def exchange(self, client_id: str, client_secret: str) -> tuple[str, int]:
        """The client credentials grant: (access token, lifetime in seconds)."""
        with self._lock:
            client = self._clients.get(client_id)
            if client is None or not client.check_secret(client_secret):
                # One message for both cases: do not tell a guesser which half was wrong.
                raise InvalidClient("Client authentication failed: unknown client or wrong secret.")
            token = secrets.token_urlsafe(48)  # 64 characters
            now = self.clock()
            self._drop_dead_tokens(now)
            self._tokens[token] = IssuedToken(
                client_id=client_id, expires_at=now + timedelta(seconds=self.token_ttl)
            )
            self._token_exchanges += 1
            return token, self.token_ttl

    def authenticate(self, token: str) -> SandboxUser:
        """The user behind a bearer token, or TokenRejected saying why not."""
        with self._lock:
            issued = self._tokens.get(token)
            if issued is None:
                raise TokenRejected("The access token is not valid.")
            if issued.force_expired or self.clock() >= issued.expires_at:
                raise TokenRejected(
                    "The access token has expired. Exchange your credentials for a new token."
                )
            client = self._clients[issued.client_id]
            return self._users[client.user_id]

    def expire_all_tokens(self) -> None:
        """Every token issued so far is now expired (new exchanges still work)."""
        with self._lock:
            for issued in self._tokens.values():
                issued.force_expired = True

    def _drop_dead_tokens(self, now: datetime) -> None:
        # Keep expired tokens for a day so they answer "expired" rather than
        # "not valid", but do not let a long-running sandbox grow without bound.
        horizon = now - timedelta(days=1)
        for token, issued in list(self._tokens.items()):
            if issued.expires_at < horizon:
                del self._tokens[token]

    # ------------------------------------------------------- workspaces

    def workspace_count(self) -> int:
        with self._lock:
            return len(self._workspaces)

    def workspaces(self) -> list[WorkspaceRecord]:
        with self._lock:
            return list(self._workspaces.values())

    def create_workspace(
        self, name: str, description: str | None = None, tags: Sequence[str] | None = None
    ) -> WorkspaceRecord:
        """Store a new workspace (validated already by the app) and return it."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidValue("name must not be blank.")
        with self._lock:
            now = self.clock()
            record = WorkspaceRecord(
                onna_id=self._new_workspace_id(name),
                name=name,
                seq=self._next_seq,
                creation_datetime=now,
                modification_datetime=now,
                description=description or "",
                tags=list(tags or []),
            )
            self._next_seq += 1
            self._workspaces[record.onna_id] = record
            self._save()
            return record

    def _new_workspace_id(self, name: str) -> str:
        # The spec's example ids look like "myworkspace-ZPM9Jf4zQ": a slug plus randomness.
        slug = re.sub(r"[^a-z0-9]", "", name.lower())[:20] or "ws"
        while True:
            candidate = slug + "-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(9))
            if candidate not in self._workspaces:
                return candidate

    def get_workspace(self, onna_id: str) -> WorkspaceRecord | None:
        with self._lock:
            return self._workspaces.get(onna_id)

    def update_workspace(
        self,
        onna_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> WorkspaceRecord:
        """Change the given fields; raises NotFoundError for an unknown id."""
        with self._lock:
            record = self._workspaces.get(onna_id)
            if record is None:
                raise NotFoundError(f"Workspace {onna_id!r} does not exist.")
            if name is not None:
                if not name.strip():
                    raise InvalidValue("name must not be blank.")
                record.name = name
            if description is not None:
                record.description = description
            if tags is not None:
                record.tags = list(tags)
            if name is not None or description is not None or tags is not None:
                record.modification_datetime = self.clock()
                self._save()
            return record

    def delete_workspace(self, onna_id: str) -> None:
        with self._lock:
            if self._workspaces.pop(onna_id, None) is None:
                raise NotFoundError(f"Workspace {onna_id!r} does not exist.")
            self._custom.forget_workspace(onna_id)
            self._save()

    def list_workspaces(
        self, cursor: str | None = None
    ) -> tuple[list[WorkspaceRecord], str | None]:
        """One page in creation order and the cursor of the next page (None on the last).

        The cursor remembers the last workspace served, so deleting or creating
        workspaces between pages neither repeats nor skips the ones that remain.
        """
        after = self._decode_cursor(cursor) if cursor else 0
        with self._lock:
            remaining = [w for w in self._workspaces.values() if w.seq > after]
        page = remaining[: self.page_size]
        more = len(remaining) > self.page_size
        return page, (self._encode_cursor(page[-1].seq) if more else None)

    def _encode_cursor(self, seq: int, kind: str = "") -> str:
        payload = base64.urlsafe_b64encode(str(seq).encode()).decode().rstrip("=")
        mac = hmac.new(self._cursor_key, (kind + payload).encode(), hashlib.sha256).hexdigest()
        return f"{payload}.{mac[:16]}"

    def _decode_cursor(self, cursor: str, kind: str = "") -> int:
        """``kind`` tells lists apart: one list's cursor is refused by another."""
        if not cursor.isascii():  # ours never are; compare_digest refuses non-ASCII str
            raise InvalidCursor("The cursor is not valid: use the cursor of a previous page.")
        payload, _, mac = cursor.partition(".")
        expected = hmac.new(
            self._cursor_key, (kind + payload).encode(), hashlib.sha256
        ).hexdigest()[:16]
        if not mac or not hmac.compare_digest(mac, expected):
            raise InvalidCursor("The cursor is not valid: use the cursor of a previous page.")
        try:
            return int(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (binascii.Error, ValueError):  # pragma: no cover - signed, so ours
            raise InvalidCursor("The cursor is not valid.") from None

    # ----------------------------------------------------- custom fields

    def _new_field_id(self, name: str) -> str:
        # The spec's example: "cf-my-custom-field-b20696ae9".
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24] or "field"
        return f"cf-{slug}-{secrets.token_hex(5)[:9]}"

    def create_custom_field(
        self, name: str, type: str, description: str, required: bool
    ) -> CustomFieldRecord:
        with self._lock:
            record = self._custom.create(name, type, description, required)
            self._save()
            return record

    def custom_field_usage(self, field_id: str) -> int:
        with self._lock:
            return self._custom.usage_count(field_id)

    def list_custom_fields(
        self, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the account's fields (CustomFieldResponseBody items) and the next cursor."""
        after = self._decode_cursor(cursor, "cf") if cursor else 0
        with self._lock:
            items, last = self._custom.page(after, self.page_size)
        return items, (self._encode_cursor(last, "cf") if last is not None else None)

    def _workspace_or_404(self, onna_id: str) -> None:
        if onna_id not in self._workspaces:
            raise NotFoundError(f"Workspace {onna_id!r} does not exist.")

    def list_workspace_custom_fields(
        self, onna_id: str, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a workspace's enabled fields (PageItemResponseBody items)."""
        kind = f"wcf:{onna_id}:"
        after = self._decode_cursor(cursor, kind) if cursor else 0
        with self._lock:
            self._workspace_or_404(onna_id)
            enabled = sorted(self._custom.enabled(onna_id), key=lambda f: f.seq)
        remaining = [f for f in enabled if f.seq > after]
        page = remaining[: self.page_size]
        more = len(remaining) > self.page_size
        items = [{"onna_id": f.onna_id, "name": f.name} for f in page]
        return items, (self._encode_cursor(page[-1].seq, kind) if more else None)

    def enable_custom_field(self, onna_id: str, field_id: str) -> None:
        with self._lock:
            self._workspace_or_404(onna_id)
            if not self._custom.enable(onna_id, field_id):
                raise NotFoundError(f"Custom field {field_id!r} does not exist.")
            self._save()

    def _enabled_or_404(self, onna_id: str, field_id: str) -> None:
        self._workspace_or_404(onna_id)
        if field_id not in self._custom.fields:
            raise NotFoundError(f"Custom field {field_id!r} does not exist.")
        if not self._custom.is_enabled(onna_id, field_id):
            raise NotFoundError(
                f"Custom field {field_id!r} is not enabled for workspace {onna_id!r}: "
                "enable it first."
            )

    def custom_value(self, onna_id: str, field_id: str) -> str | None:
        with self._lock:
            self._enabled_or_404(onna_id, field_id)
            return self._custom.value(onna_id, field_id)

    def set_custom_value(self, onna_id: str, field_id: str, value: str) -> None:
        with self._lock:
            self._enabled_or_404(onna_id, field_id)
            self._custom.set_value(onna_id, field_id, value)
            self._save()

    # ----------------------------------------------------------- faults

    def add_fault(self, fault: Fault | Mapping[str, Any]) -> Fault:
        """Queue a fault (a Fault or its admin-API JSON); raises FaultSpecError if invalid."""
        if not isinstance(fault, Fault):
            fault = Fault.from_json(fault)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, used up by one; None if none applies."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
            return None

    # ------------------------------------------------------------ stats

    def record_request(self, route: str) -> None:
        """Count one /v1 request under its route key, e.g. "GET /v1/workspaces/{onna_id}"."""
        with self._lock:
            self._requests += 1
            self._by_route[route] += 1

    def stats(self) -> dict[str, Any]:
        """Counters since start (or the last reset_stats): what tests assert on."""
        with self._lock:
            return {
                "token_exchanges": self._token_exchanges,
                "requests": self._requests,
                "by_route": dict(self._by_route),
                "workspaces": len(self._workspaces),
                "custom_fields": len(self._custom.fields),
            }

    def reset_stats(self) -> None:
        with self._lock:
            self._token_exchanges = 0
            self._requests = 0
            self._by_route.clear()

    # ------------------------------------------------------ persistence

    def snapshot(self) -> dict[str, Any]:
        """What the state file holds: users, clients (digests only) and workspaces."""
        with self._lock:
            return {
                "format": STATE_FORMAT,
                "version": STATE_VERSION,
                "next_seq": self._next_seq,
                "users": [u.to_json() for u in self._users.values()],
                "clients": [c.to_json() for c in self._clients.values()],
                "workspaces": [{**w.to_json(), "seq": w.seq} for w in self._workspaces.values()],
                "custom_fields": self._custom.to_json(),
            }

    def _save(self) -> None:
        # Called with the lock held, after every change worth keeping. Tokens are
        # not saved: after a restart clients get 401 and exchange again, as they
        # must be able to with the real API.
        if self.state_file is None:
            return
        write_state_file(self.state_file, self.snapshot())

    def _load(self, path: Path) -> None:
        data = read_state_file(path)
        try:
            for u in data.get("users", []):
                user = SandboxUser(
                    id=str(u["id"]),
                    account_id=str(u["account_id"]),
                    name=str(u["name"]),
                    surname=None if u.get("surname") is None else str(u["surname"]),
                    developer_role=bool(u.get("developer_role", True)),
                )
                self._users[user.id] = user
            self._users.setdefault(DEFAULT_USER_ID, SandboxUser(id=DEFAULT_USER_ID))
            for c in data.get("clients", []):
                client = SandboxClient(
                    client_id=str(c["client_id"]),
                    user_id=str(c["user_id"]),
                    secret_salt=str(c["secret_salt"]),
                    secret_sha256=str(c["secret_sha256"]),
                )
                if client.user_id not in self._users:
                    raise KeyError(f"user {client.user_id}")
                self._clients[client.client_id] = client
            records = []
            for w in data.get("workspaces", []):
                records.append(
                    WorkspaceRecord(
                        onna_id=str(w["onna_id"]),
                        name=str(w["name"]),
                        seq=int(w["seq"]),
                        creation_datetime=datetime.fromisoformat(w["creation_datetime"]),
                        modification_datetime=datetime.fromisoformat(w["modification_datetime"]),
                        description=str(w.get("description") or ""),
                        tags=[str(t) for t in w.get("tags") or []],
                    )
                )
            for record in sorted(records, key=lambda r: r.seq):
                self._workspaces[record.onna_id] = record
            self._next_seq = max([int(data.get("next_seq", 1))] + [r.seq + 1 for r in records])
            self._custom.load(data.get("custom_fields") or {}, self._workspaces)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise StateFileError(f"{path} is damaged ({type(exc).__name__}: {exc}).") from exc
