"""The loopback token server: fresh tokens across lifetimes, its refusals, and the commands.

The endpoint tests run it in this process on real loopback HTTP, with the sandbox
and the token manager on one injected clock, so three token lifetimes pass in no
time. The command tests run `onna-tui exec --server` and `onna-tui serve-token`
as processes.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator

import httpx
import pytest
from clihelpers import REPO, Admin, Cli

from onna_tui.api.tokens import TokenManager
from onna_tui.core.clock import ManualClock
from onna_tui.core.tokens import Credentials
from onna_tui.profiles.token_server import TokenEndpoint, TokenServer, new_secret
from onna_tui.sandbox.server import SandboxServer
from onna_tui.sandbox.state import SandboxState

TTL = 10


@pytest.fixture
async def served(
    sandbox_server: SandboxServer,
    sandbox_state: SandboxState,
    sandbox_clock: ManualClock,
    sandbox_credentials: Credentials,
) -> AsyncIterator[tuple[TokenServer, str]]:
    sandbox_state.token_ttl = TTL
    async with httpx.AsyncClient() as http:
        tokens = TokenManager(
            http=http,
            base_url=sandbox_server.base_url,
            credentials=sandbox_credentials,
            clock=sandbox_clock,
            margin=0,
        )
        secret = new_secret()
        endpoint = TokenEndpoint(tokens, secret, min_left=3, clock=sandbox_clock)
        async with TokenServer(endpoint) as server:
            yield server, secret


async def fetch(server: TokenServer, secret: str | None, **kwargs: object) -> httpx.Response:
    headers = {"Authorization": secret} if secret is not None else {}
    headers.update(kwargs.pop("headers", {}))  # type: ignore[arg-type]
    async with httpx.AsyncClient() as http:
        method = str(kwargs.pop("method", "GET"))
        return await http.request(method, server.url, headers=headers, **kwargs)  # type: ignore[arg-type]


async def test_a_long_job_keeps_getting_working_tokens_one_exchange_per_lifetime(
    served: tuple[TokenServer, str],
    sandbox_server: SandboxServer,
    sandbox_clock: ManualClock,
    admin: Admin,
) -> None:
    server, secret = served
    seen = []
    for _lifetime in range(3):
        for _ in range(3):  # asked often within one lifetime: the same token
            answer = await fetch(server, secret)
            assert answer.status_code == 200
            assert answer.headers["cache-control"] == "no-store"
            body = answer.json()
            assert set(body) == {"access_token", "token_type", "expires_at"}
            assert body["token_type"] == "bearer" and body["expires_at"].endswith("Z")
            async with httpx.AsyncClient() as http:
                used = await http.get(
                    f"{sandbox_server.base_url}/workspaces",
                    headers={"Authorization": f"Bearer {body['access_token']}"},
                )
            assert used.status_code == 200
            seen.append(body["access_token"])
            sandbox_clock.advance(2)
        # 3 x 2 s asked, 2 s more: 2 s left, still valid (the manager's margin is 0) but
        # under min_left (3 s), so the next ask re-mints.
        sandbox_clock.advance(TTL - 8)
    assert len(set(seen)) == 3
    assert admin.exchanges == 3
    assert server.endpoint.served == 9


@pytest.mark.parametrize(
    ("how", "status"),
    [
        ({"secret": None}, 401),
        ({"secret": "not-the-secret"}, 401),
        ({"headers": {"Host": "evil.example:{port}"}}, 403),  # a DNS-rebinding page's name
        ({"headers": {"Host": "evil.example"}}, 403),
        ({"headers": {"Host": "127.0.0.1"}}, 403),  # without the port
        ({"secret": "Bearer {secret}"}, 401),  # the secret is the whole header
        ({"method": "POST"}, 405),
        ({"path": "/admin"}, 404),
        ({"path": "/token/"}, 404),
    ],
)
async def test_refusals_say_why_and_hand_out_nothing(
    served: tuple[TokenServer, str], admin: Admin, how: dict[str, object], status: int
) -> None:
    server, secret = served
    given = json.loads(
        json.dumps(how).replace("{port}", str(server.port)).replace("{secret}", secret)
    )
    use = given.pop("secret", secret)
    path = given.pop("path", None)
    if path is not None:
        async with httpx.AsyncClient() as http:
            answer = await http.get(
                f"http://127.0.0.1:{server.port}{path}", headers={"Authorization": secret}
            )
    else:
        answer = await fetch(server, use, **given)  # type: ignore[arg-type]
    assert answer.status_code == status
    assert set(answer.json()) == {"error"}
    assert "access_token" not in answer.text
    assert admin.exchanges == 0
    assert server.endpoint.served == 0


async def test_localhost_by_name_is_answered(served: tuple[TokenServer, str]) -> None:
    server, secret = served
    answer = await fetch(server, secret, headers={"Host": f"localhost:{server.port}"})
    assert answer.status_code == 200


async def test_a_failed_mint_is_a_502_with_the_reason(
    served: tuple[TokenServer, str], admin: Admin
) -> None:
    server, secret = served
    admin.fault(path="/oauth/token", method="POST", status=401)
    answer = await fetch(server, secret)
    assert answer.status_code == 502
    assert "client" in answer.json()["error"].lower()


# ------------------------------------------------------------ the commands

CHILD = textwrap.dedent(
    """
    import json, os, sys, urllib.request
    assert "ONNA_CLIENT_SECRET" not in os.environ and "ONNA_ACCESS_TOKEN" not in os.environ
    def token(auth):
        ask = urllib.request.Request(os.environ["ONNA_TOKEN_URL"], headers={"Authorization": auth})
        return json.load(urllib.request.urlopen(ask))["access_token"]
    first, second = token(os.environ["ONNA_TOKEN_AUTH"]), token(os.environ["ONNA_TOKEN_AUTH"])
    ask = urllib.request.Request(
        os.environ["ONNA_BASE_URL"] + "/workspaces", headers={"Authorization": "Bearer " + first}
    )
    print(json.load(urllib.request.urlopen(ask))["items"] is not None, first == second)
    try:
        token("wrong")
    except urllib.error.HTTPError as refused:
        print(refused.code)
    sys.exit(3)
    """
)


def start(cli: Cli, *args: str) -> subprocess.Popen[str]:
    """`onna-tui ARGS...` as a running process, its stdout and stderr piped."""
    process = subprocess.Popen(
        cli.command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.full_env(),
        cwd=str(REPO),
    )
    assert process.stdout is not None
    return process


def test_exec_server_serves_the_command_and_passes_its_exit_status(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    script = cli.tmp_path / "child.py"
    script.write_text(CHILD)
    result = cli.run("exec", "--server", "--", sys.executable, str(script))
    assert result.returncode == 3, result.stderr
    assert result.stdout.split() == ["True", "True", "401"]
    assert admin.exchanges == 1


def test_a_min_left_longer_than_tokens_live_is_halved_with_a_note(
    cli: Cli, admin: Admin, sandbox_state: SandboxState
) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    sandbox_state.token_ttl = 600
    script = cli.tmp_path / "child.py"
    script.write_text(CHILD)
    result = cli.run("exec", "--server", "--min-left", "900", "--", sys.executable, str(script))
    assert result.returncode == 3, result.stderr
    assert "at least 300 s left instead" in result.stderr
    assert result.stdout.split() == ["True", "True", "401"]  # the second ask reused the token
    assert admin.exchanges == 1


def test_exec_server_of_a_missing_command_is_127(cli: Cli) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    result = cli.run("exec", "--server", "--", "no-such-command-here")
    assert result.returncode == 127
    assert "command not found" in result.stderr


def test_exec_server_passes_sigterm_on_and_reports_it(cli: Cli) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    child = "import signal, sys, time\nprint('up', flush=True)\ntime.sleep(60)\n"
    process = start(cli, "exec", "--server", "--", sys.executable, "-c", child)
    assert process.stdout.readline().strip() == "up"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err


def test_serve_token_prints_what_to_eval_and_stops_on_sigterm(cli: Cli, admin: Admin) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    process = start(cli, "serve-token", "--json")
    served = json.loads(process.stdout.readline())
    assert set(served) == {"token_url", "token_auth"}
    assert served["token_url"].startswith("http://127.0.0.1:")
    answers = [
        httpx.get(served["token_url"], headers={"Authorization": served["token_auth"]})
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert httpx.get(served["token_url"]).status_code == 401
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    token = answers[0].json()["access_token"]
    assert token not in err and served["token_auth"] not in err
    assert "Stopped after serving 2 token(s)." in err
    assert admin.exchanges == 1


def test_serve_token_prints_shell_assignments(cli: Cli) -> None:
    assert cli.add_profile("sb", verify=False).returncode == 0
    process = start(cli, "serve-token")
    lines = [process.stdout.readline().strip() for _ in range(2)]
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    assert process.returncode == 0
    assert lines[0].startswith("ONNA_TOKEN_URL=http://127.0.0.1:")
    assert lines[0].endswith("; export ONNA_TOKEN_URL;")
    assert lines[1].startswith("ONNA_TOKEN_AUTH=") and lines[1].endswith("export ONNA_TOKEN_AUTH;")
