"""The models of config.toml (`Config`, `Profile`), the rules their values follow,
and the operations and errors on them that need no file: no I/O here.

storage.config_file reads and writes these models (see its docstring for the file).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
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
    is_secret_key,
    normalize_client_id,
    normalize_org,
    validate_profile_name,
)
from onna_tui.core.urls import DEFAULT_BASE_URL
from onna_tui.core.urls import normalize_base_url as base_url_policy

M = TypeVar("M", bound=BaseModel)


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


def _refuse_secret_keys(extra: Mapping[str, Any] | None) -> None:
    """Unknown keys are kept, but never one that looks like a secret: those go to the keyring."""
    for key in extra or {}:
        if is_secret_key(key):
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
        raise ConfigError(describe_validation(exc) + ".") from None


def describe_validation(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    return "; ".join(problems)


# ------------------------------------------------ changing a loaded Config


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
