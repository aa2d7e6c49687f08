"""Who may call the sandbox: users (and their developer role), clients and issued tokens.

A plain data structure with no locking and no I/O: `SandboxState` holds the lock,
passes the time in and persists what `to_json` returns. Client secrets are kept
only as salted SHA-256 digests; tokens are never persisted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import SecretStr

from onna_tui.core.tokens import Credentials
from onna_tui.sandbox.randomness import RandomSource
from onna_tui.sandbox.records import IssuedToken, SandboxClient, SandboxUser
from onna_tui.sandbox.refusals import (
    DeveloperRoleRevoked,
    InvalidClient,
    InvalidValue,
    NotFoundError,
    TokenRejected,
    lone_surrogate,
)

#: The user that owns clients created without naming one.
DEFAULT_USER_ID = "sandbox.developer@example.com"

_MAX_CLIENT_ID = 200
_MAX_SECRET = 1000


def _check_client_id(client_id: object) -> None:
    if (
        not isinstance(client_id, str)
        or not client_id
        or len(client_id) > _MAX_CLIENT_ID
        or not client_id.isprintable()
        or any(ch.isspace() for ch in client_id)
    ):
        raise InvalidValue(
            f"client_id must be 1 to {_MAX_CLIENT_ID} printable characters without spaces."
        )


def _check_client_secret(client_secret: object) -> None:
    if (
        not isinstance(client_secret, str)
        or not 1 <= len(client_secret) <= _MAX_SECRET
        or lone_surrogate(client_secret) is not None
    ):
        raise InvalidValue(
            f"client_secret must be 1 to {_MAX_SECRET} characters of valid Unicode text."
        )


def _check_user_mapping(user: Mapping[str, Any]) -> str:
    """The id of a user given as JSON, after checking its fields; InvalidValue if unusable."""
    user_id = user.get("id")
    if not isinstance(user_id, str) or not user_id.strip() or lone_surrogate(user_id):
        raise InvalidValue("user.id must be a non-empty string (usually an email).")
    for key in ("account_id", "name", "surname"):
        value = user.get(key)
        if value is not None and (not isinstance(value, str) or lone_surrogate(value)):
            raise InvalidValue(f"user.{key} must be a string of valid Unicode text.")
    if "developer_role" in user and not isinstance(user["developer_role"], bool):
        raise InvalidValue("user.developer_role must be true or false.")
    return user_id


class Identity:
    """Users by id, clients by client id, and the tokens issued to them."""

    def __init__(self, random: RandomSource) -> None:
        self.random = random
        self.users: dict[str, SandboxUser] = {}
        self.clients: dict[str, SandboxClient] = {}
        self.tokens: dict[str, IssuedToken] = {}

    def ensure_default_user(self) -> None:
        self.users.setdefault(DEFAULT_USER_ID, SandboxUser(id=DEFAULT_USER_ID))

    # ------------------------------------------------------------ users

    def set_developer_role(self, user_id: str, granted: bool) -> None:
        user = self.users.get(user_id)
        if user is None:
            raise NotFoundError(f"No user {user_id!r}.")
        user.developer_role = granted

    def resolve_user(self, user: SandboxUser | Mapping[str, Any] | None) -> SandboxUser:
        """The owner a new client names: a known user as stored, or a new one from JSON."""
        if user is None:
            return self.users[DEFAULT_USER_ID]
        if isinstance(user, SandboxUser):
            return self.users.get(user.id, user)
        if not isinstance(user, Mapping):
            raise InvalidValue("user must be an object with at least an id.")
        user_id = _check_user_mapping(user)
        existing = self.users.get(user_id)
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

    # ---------------------------------------------------------- clients

    def add_client(
        self,
        client_id: str | None,
        client_secret: str | None,
        user: SandboxUser | Mapping[str, Any] | None,
    ) -> Credentials:
        """See `SandboxState.add_client`."""
        owner = self.resolve_user(user)
        if not owner.developer_role:
            raise DeveloperRoleRevoked(
                f"User {owner.id!r} does not have the developer role and cannot "
                "create new credentials."
            )
        if client_id is None:
            client_id = "sbx" + self.random.token_hex(10)
        else:
            _check_client_id(client_id)
        if client_secret is None:
            client_secret = self.random.token_urlsafe(32)
        else:
            _check_client_secret(client_secret)
        salt = self.random.token_hex(8)
        self.users.setdefault(owner.id, owner)
        self.clients[client_id] = SandboxClient(
            client_id=client_id,
            user_id=owner.id,
            secret_salt=salt,
            secret_sha256=SandboxClient.digest(salt, client_secret),
        )
        return Credentials(client_id=client_id, client_secret=SecretStr(client_secret))

    def client_owner(self, client_id: str) -> SandboxUser:
        client = self.clients.get(client_id)
        if client is None:
            raise NotFoundError(f"No client {client_id!r}.")
        return self.users[client.user_id]

    def remove_client(self, client_id: str) -> None:
        """Delete a client; its tokens stop working at once."""
        if self.clients.pop(client_id, None) is None:
            raise NotFoundError(f"No client {client_id!r}.")
        for token, issued in list(self.tokens.items()):
            if issued.client_id == client_id:
                del self.tokens[token]

    # ----------------------------------------------------------- tokens

    def exchange(self, client_id: str, client_secret: str, now: datetime, ttl: int) -> str:
        """The client credentials grant: a new access token living ``ttl`` seconds."""
        client = self.clients.get(client_id)
        if client is None or not client.check_secret(client_secret):
            # One message for both cases: do not tell a guesser which half was wrong.
            raise InvalidClient("Client authentication failed: unknown client or wrong secret.")
        token = self.random.token_urlsafe(48)  # 64 characters
        self._drop_dead_tokens(now)
        self.tokens[token] = IssuedToken(
            client_id=client_id, expires_at=now + timedelta(seconds=ttl)
        )
        return token

    def authenticate(self, token: str, now: datetime) -> SandboxUser:
        """The user behind a bearer token, or TokenRejected saying why not."""
        issued = self.tokens.get(token)
        if issued is None:
            raise TokenRejected("The access token is not valid.")
        if issued.force_expired or now >= issued.expires_at:
            raise TokenRejected(
                "The access token has expired. Exchange your credentials for a new token."
            )
        client = self.clients[issued.client_id]
        return self.users[client.user_id]

    def expire_all_tokens(self) -> None:
        for issued in self.tokens.values():
            issued.force_expired = True

    def _drop_dead_tokens(self, now: datetime) -> None:
        # Keep expired tokens for a day so they answer "expired" rather than
        # "not valid", but do not let a long-running sandbox grow without bound.
        horizon = now - timedelta(days=1)
        for token, issued in list(self.tokens.items()):
            if issued.expires_at < horizon:
                del self.tokens[token]

    # ------------------------------------------------------ persistence

    def to_json(self) -> dict[str, Any]:
        """The users and clients (secret digests only) of the state file; never tokens."""
        return {
            "users": [u.to_json() for u in self.users.values()],
            "clients": [c.to_json() for c in self.clients.values()],
        }

    def load(self, data: Mapping[str, Any]) -> None:
        """Read what `to_json` wrote; raises KeyError/TypeError/ValueError when damaged."""
        for u in data.get("users", []):
            user = SandboxUser(
                id=str(u["id"]),
                account_id=str(u["account_id"]),
                name=str(u["name"]),
                surname=None if u.get("surname") is None else str(u["surname"]),
                developer_role=bool(u.get("developer_role", True)),
            )
            self.users[user.id] = user
        self.ensure_default_user()
        for c in data.get("clients", []):
            client = SandboxClient(
                client_id=str(c["client_id"]),
                user_id=str(c["user_id"]),
                secret_salt=str(c["secret_salt"]),
                secret_sha256=str(c["secret_sha256"]),
            )
            if client.user_id not in self.users:
                raise KeyError(f"user {client.user_id}")
            self.clients[client.client_id] = client
