"""The standard-library config reader of the `onna-tui token` fast path agrees with the full one.

For every file below, ``quick_profile`` either picks what ``resolve_profile``
(ConfigStore.load and its rules) picks, or answers None so the full path runs;
it never answers where the full reader refuses the file, and never raises.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from onna_tui.errors import OnnaTuiError
from onna_tui.profiles.resolve import resolve_profile
from onna_tui.storage.config_file import ConfigStore
from onna_tui.storage.keyring.backends import MemoryKeyring
from onna_tui.storage.keyring.vault import Vault
from onna_tui.storage.quick_config import MAX_CONFIG_BYTES, quick_profile

STAMPS = "created_at = 2026-01-01T12:00:00Z\nupdated_at = 2026-01-01T12:00:00Z\n"
PROD = f'[profiles.prod]\nbase_url = "https://api.example.com/v1/"\nclient_id = " cid-1 "\n{STAMPS}'
STAGE = (
    f'[profiles.stage]\nbase_url = "https://stage.example.com/v1"\nclient_id = "cid-2"\n{STAMPS}'
)

#: name -> (config.toml text, whether the fast reader must answer for the default profile)
PLAIN = {
    "one profile, no default": (PROD, True),
    "default named": ('default = "stage"\n' + PROD + STAGE, True),
    "empty default, one profile": ('default = ""\n' + PROD, True),
    "default base URL": (f'[profiles.prod]\nclient_id = "cid-1"\n{STAMPS}', True),
    "loopback http": (
        f'[profiles.sb]\nbase_url = "http://127.0.0.1:8000/v1"\nclient_id = "c"\n{STAMPS}',
        True,
    ),
    "every known key": (
        "default = 'prod'\nallow_insecure_storage = false\nsecret_max_age_days = 30\n"
        + PROD
        + "org = 'acme'\nsecret_set_at = 2026-01-02T00:00:00+02:00\ninsecure_storage = false\n",
        True,
    ),
    "blank org": (PROD + 'org = "  "\n', True),
    "enterprise URL as org": (PROD + 'org = "https://enterprise.onna.com/acme/"\n', True),
    "local datetimes": (
        '[profiles.prod]\nclient_id = "c"\n'
        "created_at = 2026-01-01T12:00:00\nupdated_at = 2026-01-01T12:00:00.5\n",
        True,
    ),
    "unknown keys kept": ('colour = "blue"\n' + PROD + "note = 'hi'\nname = 'ignored'\n", True),
    "comments": ("# mine\n" + PROD + "# end\n", True),
    "insecure opt-in (file)": ("allow_insecure_storage = true\n" + PROD, True),
    "insecure opt-in (profile)": (PROD + "insecure_storage = true\n", True),
    "several, no default": (PROD + STAGE, False),
}
BROKEN = {
    "no file": None,
    "empty": "",
    "not TOML": "this is not = = toml",
    "not UTF-8": b"\xff\xfe" + PROD.encode(),
    "profiles not a table": "profiles = 3\n",
    "profile not a table": "[profiles]\nprod = 3\n",
    "no profiles": 'default = "prod"\n',
    "default missing": 'default = "gone"\n' + PROD,
    "default not a string": "default = 3\n" + PROD,
    "bad name": PROD.replace("[profiles.prod]", '[profiles."bad name"]'),
    "name too long": PROD.replace("[profiles.prod]", f"[profiles.{'p' * 65}]"),
    "no client id": f"[profiles.prod]\n{STAMPS}",
    "client id not a string": f"[profiles.prod]\nclient_id = 3\n{STAMPS}",
    "client id with a space": f'[profiles.prod]\nclient_id = "a b"\n{STAMPS}',
    "client id blank": f'[profiles.prod]\nclient_id = "  "\n{STAMPS}',
    "plain http off loopback": PROD.replace("https://api", "http://api"),
    "URL with a password": PROD.replace("https://", "https://u:p@"),
    "URL not a string": PROD.replace('"https://api.example.com/v1/"', "1"),
    "bad org": PROD + 'org = "no spaces allowed"\n',
    "org not a string": PROD + "org = 3\n",
    "no created_at": '[profiles.prod]\nclient_id = "c"\nupdated_at = 2026-01-01T12:00:00Z\n',
    "secret_set_at a time": PROD + "secret_set_at = 12:00:00\n",
    "max age negative": "secret_max_age_days = -1\n" + PROD,
    "max age too big": "secret_max_age_days = 36501\n" + PROD,
    "secret in a profile": PROD + 'client_secret = "s3cr3t-VALUE-never-shown-8f2c"\n',
    "token in a profile": PROD + 'access_token = "tok"\n',
    "secret at the top": 'secret = "s3cr3t-VALUE-never-shown-8f2c"\n' + PROD,
    "a broken profile beside a good one": PROD + STAGE.replace('"cid-2"', "2"),
    "too deep": "x = " + "[" * 20 + "]" * 20 + "\n" + PROD,
}


#: Files the full reader accepts by coercing a value (pydantic's lax mode): the quick reader
#: does not guess how, and leaves them to the full path.
LAX = {
    "allow_insecure_storage a number": "allow_insecure_storage = 0\n" + PROD,
    "created_at a date": PROD.replace(
        "created_at = 2026-01-01T12:00:00Z", "created_at = 2026-01-01"
    ),
    "created_at a string": PROD.replace(
        "created_at = 2026-01-01T12:00:00Z", 'created_at = "2026-01-01T12:00:00Z"'
    ),
    "insecure_storage a number": PROD + "insecure_storage = 1\n",
    "insecure_storage a string": PROD + 'insecure_storage = "yes"\n',
    "max age a bool": "secret_max_age_days = true\n" + PROD,
    "max age a float": "secret_max_age_days = 30.0\n" + PROD,
}


def _write(path: Path, content: str | bytes | None) -> Path:
    if content is None:
        return path
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _full(path: Path, name: str | None) -> tuple[str, str, str, bool] | None:
    """What the full path resolves (name, base URL, client id, opt-in); None when it refuses."""
    try:
        resolved = resolve_profile(ConfigStore(path), Vault(MemoryKeyring()), name, env={})
    except OnnaTuiError:
        return None
    return resolved.name, resolved.base_url, resolved.client_id, resolved.insecure_allowed


def _quick(path: Path, name: str | None) -> tuple[str, str, str, bool] | None:
    found = quick_profile(name, path)
    if found is None:
        return None
    return found.name, found.base_url, found.client_id, found.insecure_allowed


NAMES = (None, "prod", "stage", "nope")


@pytest.mark.parametrize("case", sorted(PLAIN) + sorted(BROKEN) + sorted(LAX))
def test_the_quick_reader_answers_only_what_the_full_reader_answers(
    tmp_path: Path, case: str
) -> None:
    text = PLAIN[case][0] if case in PLAIN else {**BROKEN, **LAX}[case]
    path = _write(tmp_path / "config.toml", text)
    for name in NAMES:
        quick = _quick(path, name)
        assert quick is None or quick == _full(path, name), name


@pytest.mark.parametrize("case", sorted(PLAIN))
def test_plain_configs_are_answered(tmp_path: Path, case: str) -> None:
    text, answers_default = PLAIN[case]
    path = _write(tmp_path / "config.toml", text)
    assert (_quick(path, None) is not None) == answers_default
    for name in ("prod", "stage"):
        # A name the file holds is answered; one it lacks is the full path's error.
        assert (_quick(path, name) is not None) == (f"[profiles.{name}]" in text)
    assert _quick(path, "nope") is None and _full(path, "nope") is None


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_config_the_full_reader_refuses_is_not_answered(tmp_path: Path, case: str) -> None:
    path = _write(tmp_path / "config.toml", BROKEN[case])
    assert _full(path, None) is None
    assert _quick(path, None) is None


@pytest.mark.parametrize("case", sorted(LAX))
def test_a_value_the_full_reader_coerces_is_left_to_it(tmp_path: Path, case: str) -> None:
    path = _write(tmp_path / "config.toml", LAX[case])
    assert _full(path, None) is not None
    assert _quick(path, None) is None


def test_a_profile_beside_a_broken_one_is_refused_by_both(tmp_path: Path) -> None:
    path = _write(tmp_path / "config.toml", BROKEN["a broken profile beside a good one"])
    assert _full(path, "prod") is None
    assert _quick(path, "prod") is None


def test_an_oversized_or_unreadable_file_is_not_answered(tmp_path: Path) -> None:
    path = _write(tmp_path / "config.toml", PROD + "#" * MAX_CONFIG_BYTES + "\n")
    assert _full(path, None) is None and _quick(path, None) is None
    directory = tmp_path / "a directory"
    directory.mkdir()
    assert _full(directory, None) is None and _quick(directory, None) is None


def test_quick_profile_repr_is_plain(tmp_path: Path) -> None:
    found = quick_profile(None, _write(tmp_path / "config.toml", PROD))
    assert repr(found) == (
        "QuickProfile('prod', 'https://api.example.com/v1', 'cid-1', insecure_allowed=False)"
    )
