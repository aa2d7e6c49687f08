"""OnnaAuth: scripts share the CLI's token (one exchange), in sync and async code.

Scripts run as their own processes against the loopback sandbox, with the same
isolated config directory and file keyring as the CLI tests, so "shares the
token with `onna-tui token`" is tested across real processes.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from clihelpers import REPO, Admin, Cli

from onna_tui.core.clock import ManualClock
from onna_tui.core.errors import ConfigError
from onna_tui.profiles.onna_auth import OnnaAuth

#: The README's example, with two lines that report the token's hash.
TEN_LINES = """\
import hashlib
import httpx
from onna_tui import OnnaAuth

auth = OnnaAuth("sb")
with httpx.Client(auth=auth, base_url=auth.base_url) as http:
    for _ in range(3):
        response = http.get("/workspaces")
        response.raise_for_status()
token = auth.token().access_token.get_secret_value()
print(len(response.json()["items"]), hashlib.sha256(token.encode()).hexdigest())
"""


def run_script(cli: Cli, code: str, *args: str, env: dict[str, str | None] | None = None):
    script = cli.tmp_path / "script.py"
    script.write_text(code)
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.full_env(env),
        cwd=str(REPO),
    )


def finish(process: subprocess.Popen[str], cli: Cli) -> str:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert cli.secret not in out + err
    return out


def sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def test_a_script_and_a_concurrent_onna_tui_token_make_one_exchange(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    cli.api_create_workspace("Seen by the script")
    before = admin.exchanges
    script = run_script(cli, TEN_LINES)
    token = cli.run("token")
    out = finish(script, cli)
    assert token.returncode == 0, token.stderr
    count, digest = out.split()
    assert int(count) >= 1
    assert digest == sha(token.stdout.strip())
    # One exchange between them (api_create_workspace made its own, counted in before).
    assert admin.exchanges - before == 1


def test_async_clients_share_one_token_and_one_exchange(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    code = textwrap.dedent(
        """
        import asyncio, sys
        import httpx
        from onna_tui import OnnaAuth

        async def main():
            auth = OnnaAuth("sb")
            async with httpx.AsyncClient(auth=auth, base_url=sys.argv[1]) as http:
                answers = await asyncio.gather(*(http.get("/workspaces") for _ in range(20)))
            with httpx.Client(auth=auth, base_url=sys.argv[1]) as http:  # sync, same token
                answers.append(http.get("/workspaces"))
            print(sorted({a.status_code for a in answers}), auth.exchanges)
            auth.close()

        asyncio.run(main())
        """
    )
    out = finish(run_script(cli, code, cli.base_url), cli)
    assert out.split("]")[0] == "[200"
    assert out.strip().endswith(" 1")
    assert admin.exchanges == 1


def test_a_401_drops_the_token_mints_once_and_retries_once(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    first = cli.run("token").stdout.strip()
    admin.expire_tokens()  # the server forgets it; the cache still holds it, unexpired
    code = textwrap.dedent(
        """
        import sys
        import httpx
        from onna_tui import OnnaAuth

        with OnnaAuth("sb") as auth, httpx.Client(auth=auth, base_url=sys.argv[1]) as http:
            print(http.get("/workspaces").status_code, auth.exchanges)
        """
    )
    out = finish(run_script(cli, code, cli.base_url), cli)
    assert out.split() == ["200", "1"]
    assert admin.exchanges == 2
    second = cli.run("token").stdout.strip()
    assert second and second != first  # the refused token left the shared cache


def test_credentials_the_server_refuses_after_a_remint_are_answered_401_not_looped(
    cli: Cli, admin: Admin
) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    admin.fault(path="/workspaces", method="GET", status=401, count=5)
    code = textwrap.dedent(
        """
        import sys
        import httpx
        from onna_tui import OnnaAuth

        with OnnaAuth("sb") as auth, httpx.Client(auth=auth, base_url=sys.argv[1]) as http:
            print(http.get("/workspaces").status_code, auth.exchanges)
        """
    )
    out = finish(run_script(cli, code, cli.base_url), cli)
    assert out.split() == ["401", "2"]  # the first token, one re-mint, then the answer


def test_environment_credentials_leave_nothing_in_the_keyring(cli: Cli, admin: Admin) -> None:
    code = textwrap.dedent(
        """
        import sys
        import httpx
        from onna_tui import OnnaAuth

        with OnnaAuth() as auth, httpx.Client(auth=auth, base_url=sys.argv[1]) as http:
            print(http.get("/workspaces").status_code, repr(auth))
        """
    )
    out = finish(run_script(cli, code, cli.base_url, env=cli.env_credentials()), cli)
    assert out.startswith("200 OnnaAuth(profile='environment'")
    assert cli.keyring() == {}


def test_only_requests_to_the_profile_base_url_carry_the_token(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    code = textwrap.dedent(
        """
        import sys
        import httpx
        from onna_tui import OnnaAuth

        seen = []
        def elsewhere(request):
            seen.append(request.headers.get("Authorization"))
            return httpx.Response(401)
        with OnnaAuth("sb") as auth:
            with httpx.Client(auth=auth, transport=httpx.MockTransport(elsewhere)) as other:
                print(other.get("https://downloads.example/file").status_code, seen)
            with httpx.Client(auth=auth) as http:
                print(http.get(sys.argv[1] + "/workspaces").status_code, auth.exchanges)
        """
    )
    out = finish(run_script(cli, code, cli.base_url), cli)
    assert out.split("\n")[:2] == ["401 [None]", "200 1"]
    assert admin.exchanges == 1


def test_a_forked_child_gets_its_own_token_thread(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    code = textwrap.dedent(
        """
        import multiprocessing, sys
        import httpx
        from onna_tui import OnnaAuth

        auth = OnnaAuth("sb")
        def work(_):
            with httpx.Client(auth=auth, timeout=20) as http:
                return http.get(sys.argv[1] + "/workspaces").status_code
        print(work(0))
        with multiprocessing.get_context("fork").Pool(2) as pool:
            print(pool.map(work, range(4), chunksize=1))
        """
    )
    out = finish(run_script(cli, code, cli.base_url), cli)
    assert out.split("\n")[:2] == ["200", "[200, 200, 200, 200]"]
    assert admin.exchanges == 1  # the children found the parent's token in the cache


def test_importing_it_loads_neither_textual_nor_the_tui(cli: Cli) -> None:
    code = (
        "import sys\nfrom onna_tui import OnnaAuth\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('onna_tui.tui')))"
    )
    assert finish(run_script(cli, code), cli).strip() == "[]"


# ---------------------------------------------------------- in this process


def test_no_profile_says_how_to_add_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        OnnaAuth(config_path=tmp_path / "config.toml", env={})
    assert "onna-tui profile add" in str(caught.value)


def test_the_margin_follows_the_injected_clock(
    cli: Cli, admin: Admin, sandbox_clock: ManualClock
) -> None:
    """Environment credentials (a memory cache); the sandbox and the auth share a clock."""
    env = {k: v for k, v in cli.env_credentials().items() if v is not None}
    with OnnaAuth(env=env, clock=sandbox_clock, margin=60) as auth:
        first = auth.token()
        sandbox_clock.advance(3599 - 61)
        assert auth.token() is first  # 61 s left: more than the margin
        sandbox_clock.advance(2)
        second = auth.token()  # 59 s left: renewed before it expires
        assert second.access_token != first.access_token
        assert auth.exchanges == 2
        assert admin.exchanges == 2
        assert first.access_token.get_secret_value() not in repr(auth)
