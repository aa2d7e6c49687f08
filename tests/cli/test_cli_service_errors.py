"""The service layer's hardened messages end to end: the README's exit code and one clear
line on stderr for each failure that used to be wrong or unclear."""

from __future__ import annotations

from clihelpers import Admin, Cli


def test_a_400_from_the_token_endpoint_without_an_oauth_body_exits_3(
    cli: Cli, admin: Admin
) -> None:
    admin.fault(path="/oauth/token", status=400, body={"detail": "bad form"})
    result = cli.run("token", env=cli.env_credentials())
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("onna-tui: Onna refused the token request (HTTP 400).")
    assert "The server said: bad form." in result.stderr


def test_a_broken_gzip_body_is_a_clear_message_with_exit_1(cli: Cli, admin: Admin) -> None:
    admin.fault(path="/workspaces", method="GET", headers={"Content-Encoding": "gzip"})
    result = cli.run("workspace", "list", env=cli.env_credentials())
    assert result.returncode == 1, result.stderr
    assert "The answer could not be decoded" in result.stderr
    assert "DecodingError" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_https_to_the_plain_http_sandbox_asks_about_the_scheme(cli: Cli) -> None:
    https = cli.base_url.replace("http://", "https://")
    result = cli.run("token", env=cli.env_credentials(ONNA_BASE_URL=https))
    assert result.returncode == 5
    assert "does not speak https; is the base URL's scheme right?" in result.stderr
    assert "certificate" not in result.stderr


def test_a_base_url_without_v1_says_so(cli: Cli) -> None:
    root = cli.base_url.removesuffix("/v1")
    result = cli.run("token", env=cli.env_credentials(ONNA_BASE_URL=root))
    assert result.returncode == 1
    assert "It should end in /v1" in result.stderr
    assert "workspace list" not in result.stderr


def test_a_flat_error_body_keeps_its_exit_code_and_its_words(cli: Cli, admin: Admin) -> None:
    body = {"status": "403", "code": "XX403_forbidden", "title": "Forbidden",
            "detail": "Your user lacks the developer role\x1b[2J"}  # fmt: skip
    admin.fault(path="/workspaces", method="GET", status=403, body=body)
    result = cli.run("workspace", "list", "--verbose", env=cli.env_credentials())
    assert result.returncode == 3
    assert "The server said: Forbidden: Your user lacks the developer role" in result.stderr
    assert "code XX403_forbidden" in result.stderr
    assert "\x1b" not in result.stderr
