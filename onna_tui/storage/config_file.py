"""Profiles: the non-secret settings file ``config.toml``.

The file lives in ``platformdirs.user_config_dir("onna-tui")`` (override the
directory with ONNA_TUI_CONFIG_DIR) and looks like::

    default = "prod"
    allow_insecure_storage = false
    secret_max_age_days = 90   # flag secrets stored longer ago (0: never)

    [profiles.prod]
    base_url = "https://api.onna.com/v1"
    client_id = "..."
    org = "acme"
    created_at = 2026-01-01T12:00:00Z
    updated_at = 2026-01-01T12:00:00Z
    secret_set_at = 2026-01-01T12:00:00Z
    insecure_storage = false

It never holds a client secret or a token: those live in the keyring (see
storage.keyring). Writes are atomic (temp file in the same directory, fsync,
os.replace), the file is mode 0600 in a 0700 directory, and the previous
version is kept as ``config.toml.bak``. A file that cannot be read raises
ConfigError naming the file and line; it is never overwritten in that state.

Every change is a re-read-modify-write under one cross-process lock
(``config.toml.lock``, see storage.locks), so processes that change the file
at the same moment (parallel ``profile add``, the TUI and the CLI) never lose
each other's changes. Reading takes no lock: a write replaces the file at once.
A rewrite keeps the person's comments and layout (tomlkit edits the parsed
document in place) and, when config.toml is a symlink, replaces the file it
points to, next to that file, leaving the link as it was.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.errors import ConfigError
from onna_tui.core.profile_rules import (
    DEFAULT_SECRET_MAX_AGE_DAYS,
    PROFILE_NAME,
    PROFILE_NAME_RULE,
    normalize_client_id,
    normalize_org,
    validate_profile_name,
)
from onna_tui.core.urls import DEFAULT_BASE_URL
from onna_tui.core.urls import normalize_base_url as base_url_policy
from onna_tui.errors import ExitCode
from onna_tui.storage.files import atomic_write
from onna_tui.storage.paths import (  # noqa: F401 - re-exported: where config.toml lives
    APP_NAME,
    CONFIG_FILENAME,
    ENV_CONFIG_DIR,
    default_config_dir,
    default_config_path,
)

M = TypeVar("M", bound=BaseModel)

#: How long a change waits for another process's change to config.toml to finish.
#: A holder keeps the lock for one file write plus a few keyring calls, each bounded.
LOCK_WAIT = 30.0
#: A real config.toml is a few kilobytes; anything this big is not one.
MAX_CONFIG_BYTES = 1024 * 1024
#: Tables and arrays nested deeper than this are not a config.toml either.
MAX_NESTING = 16

_HEADER = (
    "# onna-tui profiles. No secrets here: client secrets and tokens live in the system keyring.\n"
)


class ConfigStorageError(ConfigError):
    """config.toml cannot be read or written: a storage failure, like the keyring's."""

    title = "Cannot use the config file"
    exit_code = ExitCode.STORAGE


class ProfileNotFound(ConfigError):
    title = "No such profile"


class NoProfiles(ConfigError):
    title = "No profiles yet"


# ------------------------------------------------------------ validation


def normalize_base_url(url: str) -> str:
    """Check an API base URL with the base-URL policy of core.urls (https, or plain http to
    loopback only; no user info) and drop trailing slashes, so one API has one spelling.
    Raises ValueError, as pydantic validators expect."""
    try:
        return base_url_policy(url)
    except ConfigError as exc:
        raise ValueError(str(exc).rstrip(".")) from None


def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return ("secret" in lowered and lowered != "secret_set_at") or "token" in lowered


def _refuse_secret_keys(extra: Mapping[str, Any] | None) -> None:
    """Unknown keys are kept, but never one that looks like a secret: those go to the keyring."""
    for key in extra or {}:
        if _is_secret_key(key):
            raise ValueError(f"{key!r} looks like a secret; secrets are kept in the keyring only")


def _utc(moment: datetime) -> datetime:
    # A TOML local datetime (no offset) is taken as UTC: that is how we write them.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


# ---------------------------------------------------------------- models


class Profile(BaseModel):
    """One named set of non-secret connection settings."""

    # Unknown keys (from a newer onna-tui, or added by hand) survive a rewrite.
    model_config = ConfigDict(frozen=True, extra="allow")

    name: str
    base_url: str = DEFAULT_BASE_URL
    client_id: str
    org: str | None = None
    created_at: datetime
    updated_at: datetime
    #: When the client secret was last stored in the keyring (None: never).
    secret_set_at: datetime | None = None
    #: This profile's secret may live in a plaintext/non-recommended keyring.
    insecure_storage: bool = False

    @model_validator(mode="after")
    def _no_secret_keys(self) -> Self:
        _refuse_secret_keys(self.model_extra)
        return self

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not PROFILE_NAME.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid profile name: use {PROFILE_NAME_RULE}")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return normalize_base_url(value)

    @field_validator("client_id")
    @classmethod
    def _client_id(cls, value: str) -> str:
        return normalize_client_id(value)

    @field_validator("org")
    @classmethod
    def _org(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return normalize_org(value)

    @field_validator("created_at", "updated_at", "secret_set_at")
    @classmethod
    def _timestamps(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _utc(value)

    @classmethod
    def new(
        cls,
        name: str,
        client_id: str,
        base_url: str | None = None,
        org: str | None = None,
        *,
        insecure_storage: bool = False,
        clock: Clock = system_clock,
    ) -> Self:
        """A fresh profile (created_at = updated_at = now). Raises ConfigError on bad input."""
        validate_profile_name(name)
        now = clock()
        return _validated(
            cls,
            {
                "name": name,
                "client_id": client_id,
                "base_url": base_url or DEFAULT_BASE_URL,
                "org": org,
                "created_at": now,
                "updated_at": now,
                "insecure_storage": insecure_storage,
            },
        )

    def changed(self, clock: Clock = system_clock, **changes: Any) -> Self:
        """A validated copy with ``changes`` applied and updated_at = now."""
        data = self.model_dump()
        data.update(changes)
        data["updated_at"] = clock()
        return _validated(type(self), data)

    @property
    def enterprise_url(self) -> str | None:
        return f"https://enterprise.onna.com/{self.org}" if self.org else None

    def _to_toml(self) -> dict[str, Any]:
        return self.model_dump(exclude={"name"}, exclude_none=True)


class Config(BaseModel):
    """The whole of config.toml."""

    model_config = ConfigDict(extra="allow")

    default: str | None = None
    allow_insecure_storage: bool = False
    #: Stored secrets older than this many days are flagged for rotation (0: never).
    secret_max_age_days: int = Field(default=DEFAULT_SECRET_MAX_AGE_DAYS, ge=0, le=36500)
    profiles: dict[str, Profile] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _no_secret_keys(self) -> Self:
        _refuse_secret_keys(self.model_extra)
        return self

    def default_profile(self) -> Profile | None:
        return self.profiles.get(self.default) if self.default else None

    def _to_toml(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.model_extra or {})
        if self.default is not None:
            data["default"] = self.default
        data["allow_insecure_storage"] = self.allow_insecure_storage
        if (
            "secret_max_age_days" in self.model_fields_set
            or self.secret_max_age_days != DEFAULT_SECRET_MAX_AGE_DAYS
        ):
            data["secret_max_age_days"] = self.secret_max_age_days
        data["profiles"] = {name: p._to_toml() for name, p in sorted(self.profiles.items())}
        return data


Settings = Config


def _validated(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate ``data``, turning pydantic's report into one readable ConfigError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe_validation(exc) + ".") from None


def _describe_validation(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    return "; ".join(problems)


# ----------------------------------------------------------------- files


def _table_line(text: str, profile: str) -> int | None:
    """The line number of ``[profiles.NAME]`` in the file, for error messages."""
    pattern = re.compile(
        r"^\s*\[\s*profiles\s*\.\s*(?:"
        + re.escape(profile)
        + r"|\""
        + re.escape(profile)
        + r"\"|'"
        + re.escape(profile)
        + r"')\s*\]"
    )
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def _depth(value: object, limit: int) -> int:
    """How deeply ``value`` nests tables and arrays, counting no further than ``limit + 1``."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            if level + 1 > limit:
                return level + 1
            deepest = max(deepest, level + 1)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


# ------------------------------------------------------- editing the TOML text


def _plain(value: Any) -> Any:
    """A tomlkit item as the plain Python value it stands for."""
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if callable(unwrap) else value


def _new_table(data: Mapping[str, Any], *, super_table: bool = False) -> Any:
    import tomlkit

    table = tomlkit.table(is_super_table=super_table)
    for key, value in data.items():
        table[key] = _new_table(value) if isinstance(value, Mapping) else value
    return table


def _sync(container: Any, data: Mapping[str, Any]) -> None:
    """Make a parsed TOML table hold ``data``, touching only what differs.

    Keys that stay, with their comments and formatting, are left alone; a
    changed value is replaced where it stands; new keys go at the end.
    """
    for key in [key for key in container if key not in data]:
        del container[key]
    for key, value in data.items():
        current = container[key] if key in container else None
        if isinstance(value, Mapping):
            if current is not None and isinstance(_plain(current), dict):
                _sync(current, value)
            else:
                container[key] = _new_table(value, super_table=key == "profiles")
        elif current is None or _plain(current) != value:
            container[key] = value


def render_toml(data: Mapping[str, Any], previous: str | None) -> str:
    """The text of config.toml holding ``data``: ``previous`` edited in place when there is one
    (the person's comments and layout survive), otherwise a new file with our header."""
    import tomlkit

    def fresh() -> str:
        document = tomlkit.parse(_HEADER)
        _sync(document, data)
        return tomlkit.dumps(document)

    if previous is None:
        return fresh()
    try:
        document = tomlkit.parse(previous)
        _sync(document, data)
        text = tomlkit.dumps(document)
        # The edited text must say exactly what a fresh file would; if tomlkit
        # ever disagrees, correctness beats keeping the layout.
        if tomllib.loads(text) == tomllib.loads(fresh()):
            return text
    except Exception:  # a layout tomlkit cannot edit (tomllib accepted the file)
        pass
    return fresh()


class ConfigStore:
    """Reads and writes config.toml. Every change is lock → re-read → modify → atomic save."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Clock = system_clock,
        lock_wait: float = LOCK_WAIT,
    ) -> None:
        self.path = path if path is not None else default_config_path()
        self.clock = clock
        self.lock_wait = lock_wait

    def __repr__(self) -> str:
        return f"ConfigStore({str(self.path)!r})"

    @property
    def backup_path(self) -> Path:
        return self.path.with_name(self.path.name + ".bak")

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def exists(self) -> bool:
        return self.path.exists()

    # ------------------------------------------------------------- reading

    def load(self) -> Config:
        """The configuration; an empty one when the file does not exist yet."""
        try:
            size = self.path.stat().st_size
            if size > MAX_CONFIG_BYTES:
                raise ConfigError(
                    f"{self.path} is {size} bytes, far more than a config file of profiles "
                    f"(at most {MAX_CONFIG_BYTES} bytes). {self._fix_hint()}"
                )
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Config()
        except OSError as exc:
            raise ConfigStorageError(
                f"Cannot read {self.path} ({exc.strerror or exc}). "
                "Check the file's permissions, or set ONNA_TUI_CONFIG_DIR to another directory."
            ) from None
        try:
            text = raw.decode("utf-8")
            data = tomllib.loads(text)
        except UnicodeDecodeError:
            raise ConfigError(f"{self.path} is not UTF-8 text. {self._fix_hint()}") from None
        except tomllib.TOMLDecodeError as exc:
            # tomllib's message ends with "(at line L, column C)".
            raise ConfigError(f"{self.path} is not valid TOML: {exc}. {self._fix_hint()}") from None
        except RecursionError:
            raise self._too_deep() from None
        if _depth(data, MAX_NESTING) > MAX_NESTING:
            raise self._too_deep()
        return self._validate(data, text)

    def _too_deep(self) -> ConfigError:
        return ConfigError(
            f"{self.path} nests tables or arrays more than {MAX_NESTING} levels deep, which "
            f"no onna-tui setting does. {self._fix_hint()}"
        )

    def _validate(self, data: dict[str, Any], text: str) -> Config:
        profiles_raw = data.get("profiles", {})
        if not isinstance(profiles_raw, dict):
            raise ConfigError(
                f"{self.path}: 'profiles' must be a table of [profiles.NAME] sections, "
                f"not {_toml_kind(profiles_raw)}. {self._fix_hint()}"
            )
        self._refuse_secrets(profiles_raw, text)
        profiles = {}
        for name, body in profiles_raw.items():
            if not isinstance(body, dict):
                raise ConfigError(
                    f"{self.path}: profile {name!r} must be a [profiles.NAME] table, "
                    f"not {_toml_kind(body)}. {self._fix_hint()}"
                )
            try:
                profiles[name] = Profile.model_validate({**body, "name": name})
            except ValidationError as exc:
                line = _table_line(text, name)
                at = f" (line {line})" if line else ""
                raise ConfigError(
                    f"{self.path}: profile {name!r}{at} is invalid: "
                    f"{_describe_validation(exc)}. {self._fix_hint()}"
                ) from None
        try:
            return Config.model_validate({**data, "profiles": profiles})
        except ValidationError as exc:
            raise ConfigError(
                f"{self.path} is invalid: {_describe_validation(exc)}. {self._fix_hint()}"
            ) from None

    def _fix_hint(self) -> str:
        hint = "Fix it in a text editor, or move it away to start over"
        if self.backup_path.exists():
            hint += f" (the previous version is in {self.backup_path})"
        return hint + "; onna-tui will not overwrite it."

    def _refuse_secrets(self, profiles: dict[str, Any], text: str) -> None:
        """A secret typed into this file by hand is an error, not something to use or drop."""
        for name, body in profiles.items():
            if not isinstance(body, dict):
                continue
            for key in body:
                if _is_secret_key(key):
                    line = _table_line(text, name)
                    at = f" (near line {line})" if line else ""
                    raise ConfigError(
                        f"{self.path}: profile {name!r}{at} contains {key!r}. Secrets do not "
                        "belong in this file: delete that line, then store the secret in the "
                        f"keyring with `onna-tui profile set-secret {name}`."
                    )

    def get(self, name: str) -> Profile:
        config = self.load()
        try:
            return config.profiles[name]
        except KeyError:
            raise profile_not_found(name, config) from None

    def names(self) -> list[str]:
        return sorted(self.load().profiles)

    # ------------------------------------------------------------- locking

    def _prepare(self) -> None:
        """Before taking the lock: make the directory, and import the TOML editor now so
        that the lock is held for the write itself, not for an import."""
        import tomlkit  # noqa: F401

        self._make_directory()

    def _make_directory(self) -> None:
        directory = self.path.parent
        if directory.is_dir():
            return
        try:
            directory.mkdir(parents=True, mode=0o700)
            # mkdir's mode is filtered by the umask; this directory is ours, so be exact.
            os.chmod(directory, 0o700)
        except FileExistsError:
            pass  # another process or thread made it a moment ago
        except OSError as exc:
            raise self._write_error(exc) from None

    def _busy(self) -> ConfigStorageError:
        return ConfigStorageError(
            f"Another onna-tui process has been changing {self.path} for over "
            f"{self.lock_wait:g} s, so nothing was changed. Wait for it to finish (or end it) "
            "and try again."
        )

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the config lock (blocking, bounded): no other process changes the file meanwhile.

        Inside, ``load`` then ``save`` is a safe re-read-modify-write. Raises
        ConfigStorageError when another holder keeps it past ``lock_wait``.
        Not re-entrant: never take it again while holding it.
        """
        from onna_tui.storage.locks import LockBusy, hold

        self._prepare()
        with ExitStack() as stack:
            try:
                stack.enter_context(hold(self.lock_path, self.lock_wait))
            except LockBusy:
                raise self._busy() from None
            except OSError as exc:
                raise self._write_error(exc) from None
            yield

    @asynccontextmanager
    async def alocked(self) -> AsyncIterator[None]:
        """``locked`` for the event loop: waiting never blocks it. Load and save in a thread."""
        import asyncio

        from onna_tui.storage.locks import LockBusy, ahold

        await asyncio.to_thread(self._prepare)
        async with AsyncExitStack() as stack:
            try:
                await stack.enter_async_context(ahold(self.lock_path, self.lock_wait))
            except LockBusy:
                raise self._busy() from None
            except OSError as exc:
                raise self._write_error(exc) from None
            yield

    # ------------------------------------------------------------- writing

    def _write_error(self, exc: OSError) -> ConfigStorageError:
        return ConfigStorageError(
            f"Cannot write {self.path} ({exc.strerror or exc}). Check that the directory "
            "exists and is writable, or set ONNA_TUI_CONFIG_DIR to another directory."
        )

    def save(self, config: Config) -> None:
        """Write the whole file atomically (0600), keeping the previous version as .bak.

        Call it only while holding ``locked()`` (the changing methods below do),
        with a ``config`` loaded under that same lock. The person's comments and
        layout are kept; a symlinked config.toml has its target replaced.
        """
        self._make_directory()
        try:
            # A symlinked config.toml (dotfiles) stays a link: its target is replaced.
            target = Path(os.path.realpath(self.path))
            try:
                previous: bytes | None = target.read_bytes()
            except FileNotFoundError:
                previous = None
            previous_text = None
            if previous is not None:
                try:
                    previous_text = previous.decode("utf-8")
                except UnicodeDecodeError:
                    previous_text = None
            data = render_toml(config._to_toml(), previous_text).encode("utf-8")
            if previous is not None and previous != data:
                atomic_write(self.backup_path, previous)
            atomic_write(target, data)
        except OSError as exc:
            raise self._write_error(exc) from None

    def add(self, profile: Profile) -> Profile:
        """Add a new profile; the first profile becomes the default."""
        with self.locked():
            config = self.load()
            if profile.name in config.profiles:
                raise profile_exists(profile.name)
            config.profiles[profile.name] = profile
            if config.default is None or config.default not in config.profiles:
                config.default = profile.name
            self.save(config)
        return profile

    def put(self, profile: Profile) -> Profile:
        """Add or replace a profile (used after a secret is verified and stored)."""
        with self.locked():
            config = self.load()
            put_profile(config, profile)
            self.save(config)
        return profile

    def update(self, name: str, **changes: Any) -> Profile:
        """Change some fields of a profile (validated; updated_at = now)."""
        if "name" in changes and changes["name"] != name:
            raise ConfigError("A profile cannot be renamed in place: add a new one instead.")
        unknown = sorted(set(changes) - set(Profile.model_fields))
        if unknown:
            raise ConfigError(f"Profiles have no setting named {', '.join(map(repr, unknown))}.")
        with self.locked():
            config = self.load()
            if name not in config.profiles:
                raise profile_not_found(name, config)
            profile = config.profiles[name].changed(self.clock, **changes)
            config.profiles[name] = profile
            self.save(config)
        return profile

    def remove(self, name: str) -> Profile:
        """Remove a profile from the file (the vault entries are the caller's job)."""
        with self.locked():
            config = self.load()
            profile = pop_profile(config, name)
            self.save(config)
        return profile

    def set_default(self, name: str) -> None:
        with self.locked():
            config = self.load()
            if name not in config.profiles:
                raise profile_not_found(name, config)
            config.default = name
            self.save(config)

    def set_allow_insecure_storage(self, allow: bool) -> None:
        with self.locked():
            config = self.load()
            config.allow_insecure_storage = allow
            self.save(config)


def _toml_kind(value: object) -> str:
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, datetime):
        return "a date"
    return "a value"


def put_profile(config: Config, profile: Profile) -> None:
    """Add or replace ``profile`` in ``config``; the first profile becomes the default."""
    config.profiles[profile.name] = profile
    if config.default is None or config.default not in config.profiles:
        config.default = profile.name


def pop_profile(config: Config, name: str) -> Profile:
    """Take ``name`` out of ``config``, choosing a new default when that is obvious."""
    if name not in config.profiles:
        raise profile_not_found(name, config)
    profile = config.profiles.pop(name)
    if config.default == name:
        # With exactly one profile left, it is the obvious default.
        config.default = next(iter(config.profiles)) if len(config.profiles) == 1 else None
    return profile


def profile_exists(name: str) -> ConfigError:
    return ConfigError(
        f"A profile named {name!r} already exists. Pick another name, or change "
        f"it with `onna-tui profile update {name}`."
    )


def profile_not_found(name: str, config: Config | None = None) -> ProfileNotFound:
    known = sorted(config.profiles) if config is not None else []
    listing = f" (you have: {', '.join(known)})" if known else ""
    return ProfileNotFound(
        f"No profile named {name!r}{listing}. Run `onna-tui profile list` to see your profiles, "
        f"or add it with `onna-tui profile add {name} --client-id ID`."
    )
