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
import tomllib
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from onna_tui.core.clock import Clock, system_clock
from onna_tui.core.errors import ConfigError
from onna_tui.errors import ExitCode
from onna_tui.storage.config_model import (  # noqa: F401 - re-exported: the models live there
    Config,
    NoProfiles,
    Profile,
    ProfileNotFound,
    Settings,
    describe_validation,
    is_secret_key,
    normalize_base_url,
    pop_profile,
    profile_exists,
    profile_not_found,
    put_profile,
)
from onna_tui.storage.files import atomic_write
from onna_tui.storage.paths import (  # noqa: F401 - re-exported: where config.toml lives
    APP_NAME,
    CONFIG_FILENAME,
    ENV_CONFIG_DIR,
    default_config_dir,
    default_config_path,
)
from onna_tui.storage.quick_config import MAX_CONFIG_BYTES, MAX_NESTING
from onna_tui.storage.toml_text import nesting_depth, render_toml, table_line, toml_kind

#: How long a change waits for another process's change to config.toml to finish.
#: A holder keeps the lock for one file write plus a few keyring calls, each bounded.
LOCK_WAIT = 30.0


class ConfigStorageError(ConfigError):
    """config.toml cannot be read or written: a storage failure, like the keyring's."""

    title = "Cannot use the config file"
    exit_code = ExitCode.STORAGE


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
        if nesting_depth(data, MAX_NESTING) > MAX_NESTING:
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
                f"not {toml_kind(profiles_raw)}. {self._fix_hint()}"
            )
        self._refuse_secrets(profiles_raw, text)
        profiles = {}
        for name, body in profiles_raw.items():
            if not isinstance(body, dict):
                raise ConfigError(
                    f"{self.path}: profile {name!r} must be a [profiles.NAME] table, "
                    f"not {toml_kind(body)}. {self._fix_hint()}"
                )
            try:
                profiles[name] = Profile.model_validate({**body, "name": name})
            except ValidationError as exc:
                line = table_line(text, name)
                at = f" (line {line})" if line else ""
                raise ConfigError(
                    f"{self.path}: profile {name!r}{at} is invalid: "
                    f"{describe_validation(exc)}. {self._fix_hint()}"
                ) from None
        try:
            return Config.model_validate({**data, "profiles": profiles})
        except ValidationError as exc:
            raise ConfigError(
                f"{self.path} is invalid: {describe_validation(exc)}. {self._fix_hint()}"
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
                if is_secret_key(key):
                    line = table_line(text, name)
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
