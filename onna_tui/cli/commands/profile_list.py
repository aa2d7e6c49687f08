"""`onna-tui profile list`: every profile with its secret's age and its cached token.

Read only: config.toml and each profile's cached token from the keyring (never
minting one); a keyring that cannot be read shows as "? (keyring)".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from onna_tui.cli.output import emit_json, note, out, table
from onna_tui.core.formatting import human_duration, iso
from onna_tui.core.profile_rules import secret_age_days, secret_is_old

if TYPE_CHECKING:
    from onna_tui.cli.context import Context
    from onna_tui.storage.config_file import Config, Profile


def _token_summary(ctx: Context, config: Config, profile: Profile) -> dict[str, Any]:
    """The cached token of one profile, read without minting; "unknown" if unreadable."""
    from onna_tui.core.tokens import token_state
    from onna_tui.profiles.manage import scoped_vault
    from onna_tui.storage.keyring.errors import VaultError

    vault = scoped_vault(ctx.vault, config, profile)
    try:
        token = vault.get_token(profile.base_url, profile.client_id)
    except VaultError:
        return {"state": "unknown", "seconds_left": None, "expires_at": None}
    now = ctx.clock()
    return {
        "state": token_state(token, now),
        "seconds_left": token.seconds_left(now) if token is not None else None,
        "expires_at": iso(token.expires_at) if token is not None else None,
    }


def _token_cell(summary: dict[str, Any]) -> str:
    state = str(summary["state"])
    if state in ("valid", "expiring"):
        return f"{state}, {human_duration(summary['seconds_left'])} left"
    return {"none": "-", "unknown": "? (keyring)"}.get(state, state)


def list_profiles(ctx: Context) -> int:
    config = ctx.store.load()
    profiles = [config.profiles[name] for name in sorted(config.profiles)]
    now = ctx.clock()
    items: list[dict[str, Any]] = []
    for profile in profiles:
        items.append(
            {
                "name": profile.name,
                "default": profile.name == config.default,
                "base_url": profile.base_url,
                "client_id": profile.client_id,
                "org": profile.org,
                "secret_set_at": iso(profile.secret_set_at),
                "secret_age_days": secret_age_days(profile.secret_set_at, now),
                "secret_old": secret_is_old(profile.secret_set_at, now, config.secret_max_age_days),
                "token": _token_summary(ctx, config, profile),
            }
        )
    if ctx.as_json:
        emit_json(items)
        return 0
    if not items:
        note("No profiles yet. Add one with: onna-tui profile add NAME --client-id ID")
        return 0
    rows = [
        [
            "*" if item["default"] else "",
            item["name"],
            item["base_url"],
            item["client_id"],
            item["org"] or "-",
            _secret_cell(item),
            _token_cell(item["token"]),
        ]
        for item in items
    ]
    headers = ["", "NAME", "BASE URL", "CLIENT ID", "ORG", "SECRET STORED", "TOKEN"]
    for line in table(headers, rows):
        out(line)
    old = [item["name"] for item in items if item["secret_old"]]
    if old:
        note(
            f"{len(old)} secret(s) stored more than {config.secret_max_age_days} days ago: "
            f"rotate with `onna-tui profile rotate {old[0]}` (secret_max_age_days in "
            "config.toml sets the age; 0 turns this off)."
        )
    return 0


def _secret_cell(item: dict[str, Any]) -> str:
    if item["secret_set_at"] is None:
        return "not stored"
    days = item["secret_age_days"]
    cell = f"{item['secret_set_at'].replace('T', ' ')} ({days} day{'s' if days != 1 else ''})"
    return cell + " OLD" if item["secret_old"] else cell
