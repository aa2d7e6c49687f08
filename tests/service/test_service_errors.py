"""Every error kind, provoked for real through the sandbox's fault injection, and the
sentence a person will read for each."""

from __future__ import annotations

import socket
import ssl
from typing import Any

import httpx
import pytest
from misbehaving import RawServer

from onna_tui.api.client import OnnaClient
from onna_tui.api.errors import (
    BadResponse,
    Forbidden,
    InvalidCredentials,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TimedOut,
    Unreachable,
)
from onna_tui.core.tokens import Credentials
from onna_tui.core.wire.workspaces import WorkspaceDraft


async def test_forbidden_points_at_the_developer_role(client: OnnaClient, admin: Any) -> None:
    admin.fault(path="/v1/workspaces", status=403)
    with pytest.raises(Forbidden) as info:
        await client.list_workspaces_page()
    assert "developer role" in str(info.value)
    assert info.value.status == 403
    assert info.value.request_id


async def test_token_endpoint_422_is_invalid_credentials(client: OnnaClient, admin: Any) -> None:
    body = {"detail": [{"loc": ["body", "client_id"], "msg": "field required", "type": "missing"}]}
    admin.fault(path="/v1/oauth/token", status=422, body=body)
    with pytest.raises(InvalidCredentials) as info:
        await client.current_user()
    assert "client_id" in str(info.value)


async def test_token_endpoint_400_invalid_client(client: OnnaClient, admin: Any) -> None:
    admin.fault(path="/v1/oauth/token", status=400, body={"error": "invalid_client"})
    with pytest.raises(InvalidCredentials, match="client id or client secret"):
        await client.current_user()


async def test_get_retries_429_honouring_retry_after(
    client: OnnaClient, admin: Any, sleeps: Any
) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces", status=429, headers={"Retry-After": "3"}, count=2)
    page = await client.list_workspaces_page()
    assert page.items == []
    assert sleeps.waits == [3.0, 3.0]


async def test_get_gives_up_after_bounded_retries(
    client: OnnaClient, admin: Any, sleeps: Any
) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces", status=429, headers={"Retry-After": "2"}, count=5)
    with pytest.raises(RateLimited) as info:
        await client.list_workspaces_page()
    assert info.value.retry_after == 2
    assert "Try again in 2 s" in str(info.value)
    assert len(sleeps.waits) == client.get_retries


async def test_get_retries_503_then_succeeds(client: OnnaClient, admin: Any, sleeps: Any) -> None:
    admin.fault(path="/health", status=503, count=1)
    health = await client.health()
    assert health.passing
    assert len(sleeps.waits) == 1


async def test_post_is_never_retried_on_429(client: OnnaClient, admin: Any, sleeps: Any) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces", method="POST", status=429, headers={"Retry-After": "1"})
    with pytest.raises(RateLimited):
        await client.create_workspace(WorkspaceDraft(name="once"))
    assert sleeps.waits == []
    assert [i async for i in client.iter_workspaces()] == []


async def test_server_error_quotes_the_request_id(client: OnnaClient, admin: Any) -> None:
    admin.fault(path="/v1/oauth/user", status=500)
    with pytest.raises(ServerError) as info:
        await client.current_user()
    assert "HTTP 500" in str(info.value)
    assert "request id" in str(info.value)
    assert info.value.request_id and info.value.request_id in info.value.verbose()


async def test_body_that_is_not_json(client: OnnaClient, admin: Any) -> None:
    admin.fault(path="/v1/oauth/user", malformed=True)
    with pytest.raises(BadResponse, match="not JSON"):
        await client.current_user()


async def test_body_that_is_not_the_documented_shape(client: OnnaClient, admin: Any) -> None:
    admin.fault(path="/v1/workspaces", method="GET", wrong_shape=True)
    with pytest.raises(BadResponse, match="not the documented shape"):
        await client.list_workspaces_page()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_refused_connection(sandbox_credentials: Credentials) -> None:
    base = f"http://127.0.0.1:{_closed_port()}/v1"
    async with OnnaClient(base, sandbox_credentials) as client:
        with pytest.raises(Unreachable) as info:
            await client.current_user()
    assert "refused" in str(info.value)
    assert "sandbox running" in str(info.value)
    assert info.value.exit_code == 5


async def test_unknown_host(sandbox_credentials: Credentials) -> None:
    async with OnnaClient("https://no-such-host.invalid/v1", sandbox_credentials) as client:
        with pytest.raises(Unreachable, match="could not be found"):
            await client.health()


async def test_https_to_a_plain_http_port_says_the_scheme_is_wrong(
    sandbox_server: Any, sandbox_credentials: Credentials
) -> None:
    """It used to blame the TLS certificate."""
    base = sandbox_server.base_url.replace("http://", "https://")
    port = base.split(":")[2].split("/")[0]
    async with OnnaClient(base, sandbox_credentials) as client:
        with pytest.raises(Unreachable) as info:
            await client.current_user()
    message = str(info.value)
    assert f"The server at 127.0.0.1:{port} does not speak https; is the base URL's scheme " in (
        message
    )
    assert "certificate" not in message
    assert "Nothing was sent" in message
    assert info.value.exit_code == 5


def _self_signed_tls() -> ssl.SSLContext:
    """A server context with a throwaway self-signed certificate for 127.0.0.1."""
    cryptography = pytest.importorskip(
        "cryptography", reason="cryptography (a keyring dependency on Linux) makes the cert"
    )
    del cryptography
    import datetime
    import ipaddress
    import tempfile

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        cert_file, key_file = f"{tmp}/cert.pem", f"{tmp}/key.pem"
        with open(cert_file, "wb") as out:
            out.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(key_file, "wb") as out:
            out.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        context.load_cert_chain(cert_file, key_file)
    return context


async def test_an_untrusted_certificate_is_still_blamed_on_the_certificate(
    sandbox_credentials: Credentials,
) -> None:
    async def never(server: RawServer, writer: Any) -> None:
        raise AssertionError("nothing may be sent over an unverified connection")

    async with RawServer(never, tls=_self_signed_tls()) as server:
        async with OnnaClient(server.base_url, sandbox_credentials) as client:
            with pytest.raises(Unreachable) as info:
                await client.health()
        assert server.requests == []
    assert "TLS certificate of 127.0.0.1" in str(info.value)
    assert "does not speak https" not in str(info.value)


async def test_ipv6_hosts_are_shown_in_brackets(sandbox_credentials: Credentials) -> None:
    """It used to print `::1:PORT`."""
    port = _closed_port()
    async with OnnaClient(f"http://[::1]:{port}/v1", sandbox_credentials) as client:
        with pytest.raises(Unreachable) as info:
            await client.health()
    assert f"[::1]:{port}" in str(info.value)
    assert f" ::1:{port}" not in str(info.value)


async def test_a_broken_gzip_body_says_it_could_not_be_decoded(
    client: OnnaClient, admin: Any
) -> None:
    """It used to say "Could not talk to … (DecodingError)" with exit 5."""
    await client.current_user()
    admin.fault(path="/v1/workspaces", method="GET", headers={"Content-Encoding": "gzip"})
    with pytest.raises(BadResponse) as info:
        await client.list_workspaces_page()
    message = str(info.value)
    assert message.startswith("The answer could not be decoded: 127.0.0.1:")
    assert "GET /v1/workspaces (HTTP 200)" in message and "gzip encoding is broken" in message
    assert "DecodingError" not in message
    assert info.value.exit_code == 1


async def test_a_broken_gzip_answer_to_a_create_says_it_probably_happened(
    client: OnnaClient, admin: Any
) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces", method="POST", headers={"Content-Encoding": "gzip"})
    with pytest.raises(BadResponse) as info:
        await client.create_workspace(WorkspaceDraft(name="once"))
    assert "probably took effect: check the workspace list" in str(info.value)
    assert [item.name async for item in client.iter_workspaces()] == ["once"]


async def test_token_endpoint_400_without_an_oauth_body_is_a_refused_exchange(
    client: OnnaClient, admin: Any
) -> None:
    """It used to exit 1; the README says a refused exchange is 3."""
    admin.fault(path="/v1/oauth/token", status=400, malformed=True, body="Bad Request",
                headers={"Content-Type": "text/plain"})  # fmt: skip
    with pytest.raises(InvalidCredentials) as info:
        await client.current_user()
    message = str(info.value)
    assert message.startswith("Onna refused the token request (HTTP 400). The server said: Bad")
    assert info.value.exit_code == 3


async def test_token_endpoint_400_with_an_oauth_error_names_it(
    client: OnnaClient, admin: Any
) -> None:
    body = {"error": "unsupported_grant_type", "error_description": "use client_credentials"}
    admin.fault(path="/v1/oauth/token", status=400, body=body)
    with pytest.raises(InvalidCredentials) as info:
        await client.current_user()
    assert "(unsupported_grant_type). The server said: use client_credentials." in str(info.value)
    assert info.value.code == "unsupported_grant_type"


async def test_a_base_url_without_v1_gets_a_base_url_hint_not_a_workspace_id_hint(
    sandbox_server: Any, sandbox_credentials: Credentials
) -> None:
    """The sandbox's root has no /oauth/token: that 404 used to talk about workspace ids."""
    async with OnnaClient(sandbox_server.root_url, sandbox_credentials) as client:
        with pytest.raises(NotFound) as info:
            await client.current_user()
    message = str(info.value)
    assert "has no token endpoint at /oauth/token (HTTP 404)" in message
    assert "the base URL probably lacks the API's path or has a wrong one" in message
    assert "should end in /v1" in message
    assert "workspace" not in message


async def test_expires_in_true_is_a_malformed_answer(client: OnnaClient, admin: Any) -> None:
    """`expires_in: true` used to be taken as a one-second lifetime."""
    body = {"access_token": "abcdefghijklmnop", "token_type": "bearer", "expires_in": True}
    admin.fault(path="/v1/oauth/token", status=200, body=body)
    with pytest.raises(BadResponse) as info:
        await client.require_tokens().get()
    assert "not the documented shape (problem with: expires_in)" in str(info.value)


def _quick(sandbox_server: Any, creds: Credentials) -> OnnaClient:
    timeout = httpx.Timeout(connect=2.0, read=0.3, write=2.0, pool=2.0)
    from onna_tui.api.http import make_http_client

    return OnnaClient(sandbox_server.base_url, creds, http=make_http_client(timeout=timeout))


async def test_slow_get_times_out(
    sandbox_server: Any, sandbox_credentials: Credentials, admin: Any
) -> None:
    client = _quick(sandbox_server, sandbox_credentials)
    try:
        await client.current_user()
        admin.fault(path="/v1/workspaces", latency=1.5)
        with pytest.raises(TimedOut, match="did not answer in time"):
            await client.list_workspaces_page()
    finally:
        await client.http.aclose()


async def test_slow_post_may_have_happened_and_is_not_retried(
    sandbox_server: Any, sandbox_credentials: Credentials, admin: Any
) -> None:
    client = _quick(sandbox_server, sandbox_credentials)
    try:
        await client.current_user()
        admin.fault(path="/v1/workspaces", method="POST", latency=1.5)
        with pytest.raises(OutcomeUnknown) as info:
            await client.create_workspace(WorkspaceDraft(name="slow"))
        assert "may or may not" in str(info.value)
        assert "Check the workspace list" in str(info.value)
        assert admin.stats()["by_route"]["POST /v1/workspaces"] == 1
    finally:
        await client.http.aclose()


async def test_dropped_post_is_reported_and_not_retried(client: OnnaClient, admin: Any) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces", method="POST", drop="after")
    with pytest.raises(OutcomeUnknown) as info:
        await client.create_workspace(WorkspaceDraft(name="dropped"))
    assert "dropped" in str(info.value)
    assert "Check the workspace list" in str(info.value)
    # The server did create it, exactly once: no blind retry made a duplicate.
    names = [item.name async for item in client.iter_workspaces()]
    assert names == ["dropped"]


async def test_dropped_get_is_unreachable(client: OnnaClient, admin: Any) -> None:
    await client.current_user()
    admin.fault(path="/v1/workspaces", method="GET", drop="before")
    with pytest.raises(Unreachable, match="dropped"):
        await client.list_workspaces_page()
