"""Everything the sandbox remembers: users, clients, tokens, workspaces, faults and counters.

`SandboxState` is plain Python with no HTTP in it, so tests can set the scene
(add a client, revoke a role, expire tokens, inject a fault) by calling methods
directly, and the Starlette app in `onna_tui.sandbox.app` is a thin layer over
it. Every public method takes a lock: the app runs on uvicorn's event loop in
one thread while tests call in from another.

The state is kept per resource in plain data modules without locks or I/O:
``identity`` (users, clients, tokens), ``workspaces``, ``custom_fields``, the
fault queue in ``faults`` and the counters in ``stats``. `SandboxState` owns
them: it holds the lock, the clock, the one random source (``randomness``) and
the state file, and delegates.

Client secrets are kept only as salted SHA-256 digests, in memory and in the
state file; `add_client` hands the secret back once, like the Platform API app's
"Keep the client secret safe!" dialog.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import onna_tui.sandbox.randomness as randomness
from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.token_rules import DOCUMENTED_TOKEN_LIFETIME
from onna_tui.core.tokens import Credentials
from onna_tui.sandbox.content_store import ContentStore
from onna_tui.sandbox.cursors import CursorSigner
from onna_tui.sandbox.custom_fields import CustomFieldRecord, CustomFields, new_field_id
from onna_tui.sandbox.faults import Fault, FaultQueue
from onna_tui.sandbox.identity import DEFAULT_USER_ID, Identity
from onna_tui.sandbox.persistence import (
    STATE_FORMAT,
    STATE_VERSION,
    load_state,
    snapshot_of,
    write_state_file,
)
from onna_tui.sandbox.randomness import RandomSource
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
from onna_tui.sandbox.stats import RequestStats
from onna_tui.sandbox.workspaces import Workspaces

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

#: How API errors are written: the JSON:API envelope ``{"errors": [...]}`` that
#: the document's examples show, or the one flat error object its
#: JsonApiErrorsNNN schemas describe (see `onna_tui.sandbox.app.error_document`).
ERROR_SHAPES = ("envelope", "flat")


class SandboxState:
    """The sandbox's whole world. See the module docstring.

    ``random`` is where every id, secret, token and the cursor key come from: without
    one, `randomness.default_random` as it is when the state is built (cryptographically
    strong); a `SeededRandom` makes a test's ids repeat.
    """

    def __init__(
        self,
        clock: Clock = system_clock,
        token_ttl: int = DOCUMENTED_TOKEN_LIFETIME,
        page_size: int = 50,
        state_file: Path | None = None,
        error_shape: str = "envelope",
        random: RandomSource | None = None,
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
        if random is None:
            random = randomness.default_random
        self.random = random
        self._lock = threading.RLock()
        self._identity = Identity(random)
        self._workspaces = Workspaces(random)
        self._custom = CustomFields(new_id=partial(new_field_id, random=random))
        self._faults = FaultQueue()
        self._stats = RequestStats()
        # Cursors are signed so a garbled or invented one is refused (422). A fresh
        # key per process: cursors do not survive a restart (see sandbox.cursors).
        self._cursors = CursorSigner(random.token_bytes(16))
        #: Folders, files, tickets and their uploads (sandbox.content_store).
        self.contents = ContentStore(
            lock=self._lock,
            new_id=lambda: random.token_hex(16),
            workspace_exists=lambda onna_id: onna_id in self._workspaces.records,
            save=self._save,
        )
        if self.state_file is not None and self.state_file.exists():
            load_state(
                self.state_file, self._identity, self._workspaces, self._custom, self.contents
            )
        self._identity.ensure_default_user()

    # ------------------------------------------------------------ users

    def users(self) -> list[SandboxUser]:
        with self._lock:
            return list(self._identity.users.values())

    def get_user(self, user_id: str) -> SandboxUser | None:
        with self._lock:
            return self._identity.users.get(user_id)

    def revoke_developer_role(self, user_id: str) -> None:
        """The user can no longer create credentials; existing ones keep working (per the guide)."""
        with self._lock:
            self._identity.set_developer_role(user_id, False)
            self._save()

    def grant_developer_role(self, user_id: str) -> None:
        with self._lock:
            self._identity.set_developer_role(user_id, True)
            self._save()

    # --------------------------------------------------------- settings

    def settings(self) -> dict[str, Any]:
        """The run's settings that the admin surface can change."""
        with self._lock:
            return {"error_shape": self.error_shape, **self.contents.upload_settings()}

    def set_error_shape(self, shape: str) -> None:
        """Write API errors as the JSON:API envelope or as one flat error object."""
        if shape not in ERROR_SHAPES:
            raise InvalidValue(f"error_shape must be one of: {', '.join(ERROR_SHAPES)}.")
        with self._lock:
            self.error_shape = shape

    # ---------------------------------------------------------- clients

    def has_client(self, client_id: str) -> bool:
        with self._lock:
            return client_id in self._identity.clients

    def client_ids(self) -> list[str]:
        with self._lock:
            return list(self._identity.clients)

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
            credentials = self._identity.add_client(client_id, client_secret, user)
            self._save()
            return credentials

    def client_owner(self, client_id: str) -> SandboxUser:
        """The user a client belongs to; NotFoundError for an unknown client."""
        with self._lock:
            return self._identity.client_owner(client_id)

    def remove_client(self, client_id: str) -> None:
        """Delete a client; its tokens stop working at once."""
        with self._lock:
            self._identity.remove_client(client_id)
            self._save()

    # ----------------------------------------------------------- tokens

    def exchange(self, client_id: str, client_secret: str) -> tuple[str, int]:
        """The client credentials grant: (access token, lifetime in seconds)."""
        with self._lock:
            token = self._identity.exchange(client_id, client_secret, self.clock(), self.token_ttl)
            self._stats.token_exchanges += 1
            return token, self.token_ttl

    def authenticate(self, token: str) -> SandboxUser:
        """The user behind a bearer token, or TokenRejected saying why not."""
        with self._lock:
            return self._identity.authenticate(token, self.clock())

    def expire_all_tokens(self) -> None:
        """Every token issued so far is now expired (new exchanges still work)."""
        with self._lock:
            self._identity.expire_all_tokens()

    # ------------------------------------------------------- workspaces

    def workspace_count(self) -> int:
        with self._lock:
            return len(self._workspaces.records)

    def workspaces(self) -> list[WorkspaceRecord]:
        with self._lock:
            return list(self._workspaces.records.values())

    def create_workspace(
        self, name: str, description: str | None = None, tags: Sequence[str] | None = None
    ) -> WorkspaceRecord:
        """Store a new workspace (validated already by the app) and return it."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidValue("name must not be blank.")
        with self._lock:
            record = self._workspaces.create(name, description, tags, self.clock())
            self._save()
            return record

    def get_workspace(self, onna_id: str) -> WorkspaceRecord | None:
        with self._lock:
            return self._workspaces.records.get(onna_id)

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
            record, changed = self._workspaces.update(
                onna_id, name, description, tags, self.clock()
            )
            if changed:
                self._save()
            return record

    def delete_workspace(self, onna_id: str) -> None:
        with self._lock:
            self._workspaces.delete(onna_id)
            self._custom.forget_workspace(onna_id)
            self.contents.delete_workspace(onna_id)
            self._save()

    def list_workspaces(
        self, cursor: str | None = None
    ) -> tuple[list[WorkspaceRecord], str | None]:
        """One page in creation order and the cursor of the next page (None on the last).

        The cursor remembers the last workspace served, so deleting or creating
        workspaces between pages neither repeats nor skips the ones that remain.
        """
        after = self._cursors.decode(cursor) if cursor else 0
        with self._lock:
            remaining = self._workspaces.after(after)
        return self._cursors.page(remaining, self.page_size, lambda w: w.seq)

    # ----------------------------------------------------- custom fields

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
        after = self._cursors.decode(cursor, "cf") if cursor else 0
        with self._lock:
            items, last = self._custom.page(after, self.page_size)
        return items, (self._cursors.encode(last, "cf") if last is not None else None)

    def list_workspace_custom_fields(
        self, onna_id: str, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a workspace's enabled fields (PageItemResponseBody items)."""
        kind = f"wcf:{onna_id}:"
        after = self._cursors.decode(cursor, kind) if cursor else 0
        with self._lock:
            self._workspaces.existing(onna_id)
            enabled = sorted(self._custom.enabled(onna_id), key=lambda f: f.seq)
        remaining = [f for f in enabled if f.seq > after]
        page, next_cursor = self._cursors.page(remaining, self.page_size, lambda f: f.seq, kind)
        return [{"onna_id": f.onna_id, "name": f.name} for f in page], next_cursor

    def enable_custom_field(self, onna_id: str, field_id: str) -> None:
        with self._lock:
            self._workspaces.existing(onna_id)
            if not self._custom.enable(onna_id, field_id):
                raise NotFoundError(f"Custom field {field_id!r} does not exist.")
            self._save()

    def _enabled_or_404(self, onna_id: str, field_id: str) -> None:
        self._workspaces.existing(onna_id)
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
            self._faults.add(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults.items)

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, used up by one; None if none applies."""
        with self._lock:
            return self._faults.take(method, path)

    # ------------------------------------------------------------ stats

    def record_request(self, route: str) -> None:
        """Count one /v1 request under its route key, e.g. "GET /v1/workspaces/{onna_id}"."""
        with self._lock:
            self._stats.record(route)

    def stats(self) -> dict[str, Any]:
        """Counters since start (or the last reset_stats): what tests assert on."""
        with self._lock:
            return {
                "token_exchanges": self._stats.token_exchanges,
                "requests": self._stats.requests,
                "by_route": dict(self._stats.by_route),
                "workspaces": len(self._workspaces.records),
                "custom_fields": len(self._custom.fields),
                **self.contents.counts(),
            }

    def reset_stats(self) -> None:
        with self._lock:
            self._stats.reset()

    # ------------------------------------------------------ persistence

    def snapshot(self) -> dict[str, Any]:
        """What the state file holds: users, clients (digests only) and workspaces."""
        with self._lock:
            return snapshot_of(self._identity, self._workspaces, self._custom, self.contents)

    def _save(self) -> None:
        # Called with the lock held, after every change worth keeping. Tokens are
        # not saved: after a restart clients get 401 and exchange again, as they
        # must be able to with the real API.
        if self.state_file is None:
            return
        write_state_file(self.state_file, self.snapshot())
