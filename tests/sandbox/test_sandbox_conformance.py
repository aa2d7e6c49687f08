"""The sandbox's real responses, validated against onna_tui/spec/openapi.yaml with openapi-core.

Every operation is driven over real uvicorn through each status it documents
and the sandbox can produce (200/201/204/400/401/404/422), once with errors in
the JSON:API envelope and once in the flat shape (``error_shape``): the
document's examples show the one, its schemas the other, and the bundled spec
accepts both. Requests and responses are adapted from httpx to openapi-core's
protocols. The spec's server is https://api.onna.com/v1; the loaded copy is
pointed at the sandbox instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

import httpx
import pytest
import yaml  # type: ignore[import-untyped]
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.response.exceptions import InvalidData
from werkzeug.datastructures import Headers, ImmutableMultiDict

from onna_tui.sandbox.server import SandboxServer

# openapi-core cannot check oauth2 security schemes and says so for every request.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type:UserWarning")


class OpenAPIRequest:
    """An httpx.Request seen through openapi-core's Request protocol."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return f"{self._request.url.scheme}://{self._request.url.netloc.decode()}"

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return self._request.headers.get("content-type", "").lower()


class OpenAPIResponse:
    """An httpx.Response seen through openapi-core's Response protocol."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Headers:
        return Headers(list(self._response.headers.items()))

    @property
    def content_type(self) -> str:
        return self._response.headers.get("content-type", "").lower()

    @property
    def data(self) -> bytes | None:
        return self._response.content


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    text = resources.files("onna_tui").joinpath("spec", "openapi.yaml").read_text("utf-8")
    spec = yaml.safe_load(text)
    # A server-relative URL: any host (the sandbox's http://127.0.0.1:PORT) under /v1.
    # Built once per module: checking the document itself takes a few tenths of a second.
    spec["servers"] = [{"url": "/v1"}]
    return OpenAPI.from_dict(spec)


@pytest.fixture(params=["envelope", "flat"], autouse=True)
def error_shape(request: pytest.FixtureRequest, sandbox_server: SandboxServer) -> str:
    """Every test runs with the sandbox writing errors in each shape."""
    shape: str = request.param
    sandbox_server.state.set_error_shape(shape)
    return shape


@pytest.fixture
def http(sandbox_server: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.base_url, timeout=5) as client:
        yield client


Conforms = Callable[[httpx.Response, int], None]


@pytest.fixture
def conforms(openapi: OpenAPI, error_shape: str) -> Conforms:
    """Assert the status, then that request and response match the spec.

    A JSON:API error must also be in the shape the sandbox was set to: the
    spec takes either, so validation alone would not notice the wrong one.
    """

    def check(response: httpx.Response, status: int) -> None:
        assert response.status_code == status, response.text
        request = OpenAPIRequest(response.request)
        openapi.validate_request(request)
        openapi.validate_response(request, OpenAPIResponse(response))
        fastapi_422 = status == 422 and isinstance(response.json().get("detail"), list)
        has_body = response.request.method != "HEAD"  # HEAD answers carry no body
        if (
            status >= 400
            and has_body
            and not fastapi_422
            and not response.request.url.path.endswith("/oauth/token")
        ):
            body = response.json()
            if error_shape == "flat":
                assert body["status"] == str(status) and body["detail"], body
            else:
                assert body["errors"][0]["status"] == str(status), body

    return check


@pytest.fixture
def token(http: httpx.Client, sandbox_credentials: Any) -> str:
    response = http.post(
        "/oauth/token",
        data={
            "client_id": sandbox_credentials.client_id,
            "client_secret": sandbox_credentials.client_secret.get_secret_value(),
            "grant_type": "client_credentials",
        },
    )
    return str(response.json()["access_token"])


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_health(http: httpx.Client, conforms: Conforms) -> None:
    conforms(http.get("/health"), 200)


def test_token(http: httpx.Client, conforms: Conforms, sandbox_credentials: Any) -> None:
    good = {
        "client_id": sandbox_credentials.client_id,
        "client_secret": sandbox_credentials.client_secret.get_secret_value(),
        "grant_type": "client_credentials",
    }
    conforms(http.post("/oauth/token", data=good), 200)
    conforms(http.post("/oauth/token", data={"grant_type": "client_credentials"}), 422)
    # 400 and 401 come from RFC 6749 section 5.2 (the published document lists
    # neither); the bundled spec adds them with the RFC's error body.
    refused = http.post("/oauth/token", data={**good, "grant_type": "password"})
    conforms(refused, 400)
    assert refused.json()["error"] == "unsupported_grant_type"
    wrong = http.post("/oauth/token", data={**good, "client_secret": "wrong"})
    conforms(wrong, 401)
    assert wrong.json()["error"] == "invalid_client"


def test_current_user(http: httpx.Client, conforms: Conforms, auth: dict[str, str]) -> None:
    conforms(http.get("/oauth/user", headers=auth), 200)
    conforms(http.get("/oauth/user"), 401)


def test_list_workspaces(
    http: httpx.Client, conforms: Conforms, auth: dict[str, str], sandbox_server: SandboxServer
) -> None:
    state = sandbox_server.state
    state.page_size = 2
    conforms(http.get("/workspaces", headers=auth), 200)  # empty
    for name in ("a", "b", "c"):
        state.create_workspace(name, description="d", tags=["t"])
    first = http.get("/workspaces", headers=auth)
    conforms(first, 200)
    conforms(http.get("/workspaces", params={"cursor": first.json()["cursor"]}, headers=auth), 200)
    conforms(http.get("/workspaces", params={"cursor": "garbled"}, headers=auth), 422)
    conforms(http.get("/workspaces"), 401)


def test_create_workspace(http: httpx.Client, conforms: Conforms, auth: dict[str, str]) -> None:
    conforms(
        http.post(
            "/workspaces",
            json={"name": "My workspace", "description": "Mine", "tags": ["project-x"]},
            headers=auth,
        ),
        201,
    )
    conforms(http.post("/workspaces", json={"name": " "}, headers=auth), 422)
    conforms(http.post("/workspaces", json={"name": "x"}), 401)


def test_read_update_delete_workspace(
    http: httpx.Client, conforms: Conforms, auth: dict[str, str]
) -> None:
    onna_id = http.post("/workspaces", json={"name": "W"}, headers=auth).json()["onna_id"]
    path = f"/workspaces/{onna_id}"
    conforms(http.get(path, headers=auth), 200)
    conforms(http.get(path), 401)
    conforms(http.patch(path, json={"name": "W2", "tags": ["a"]}, headers=auth), 204)
    conforms(http.patch(path, json={"name": ""}, headers=auth), 422)
    conforms(http.patch(path, json={"name": "x"}), 401)
    conforms(http.delete(path), 401)
    conforms(http.delete(path, headers=auth), 204)
    conforms(http.get(path, headers=auth), 404)
    conforms(http.patch(path, json={"name": "x"}, headers=auth), 404)
    conforms(http.delete(path, headers=auth), 404)


def test_custom_fields_of_the_account(
    http: httpx.Client, conforms: Conforms, auth: dict[str, str], sandbox_server: SandboxServer
) -> None:
    body = {"name": "Matter", "type": "keyword", "description": "", "required": False}
    created = http.post("/customFields", json=body, headers=auth)
    conforms(created, 201)
    assert created.json()["onna_id"].startswith("cf-matter-")
    blank = http.post("/customFields", json={**body, "name": " "}, headers=auth)
    conforms(blank, 422)
    # A body the spec itself refuses (members missing) gets 422 too, pointing at each.
    missing = http.post("/customFields", json={"name": "x"}, headers=auth)
    assert missing.status_code == 422
    assert "/type" in missing.text and "required is required: send true or false" in missing.text
    conforms(http.post("/customFields", json=body), 401)
    listed = http.get("/customFields", headers=auth)
    conforms(listed, 200)
    (item,) = listed.json()["items"]
    assert item == {**body, "onna_id": created.json()["onna_id"], "usage_count": 0}
    conforms(http.get("/customFields", params={"cursor": "forged"}, headers=auth), 422)
    conforms(http.get("/customFields"), 401)


def test_custom_fields_of_a_workspace(
    http: httpx.Client, conforms: Conforms, auth: dict[str, str]
) -> None:
    onna_id = http.post("/workspaces", json={"name": "W"}, headers=auth).json()["onna_id"]
    body = {"name": "Matter", "type": "keyword", "description": "d", "required": True}
    field_id = http.post("/customFields", json=body, headers=auth).json()["onna_id"]
    fields = f"/workspaces/{onna_id}/customFields"
    value = f"{fields}/{field_id}"
    conforms(http.get(value, headers=auth), 404)  # not enabled yet
    conforms(http.patch(fields, json={"onna_id": field_id}, headers=auth), 204)
    conforms(http.patch(fields, json={"onna_id": "cf-none"}, headers=auth), 404)
    conforms(http.patch(fields, json={"onna_id": " "}, headers=auth), 422)
    listed = http.get(fields, headers=auth)
    conforms(listed, 200)
    assert listed.json()["items"] == [{"onna_id": field_id, "name": "Matter"}]
    unset = http.get(value, headers=auth)
    conforms(unset, 200)
    assert unset.json() == {"onna_id": field_id}
    conforms(http.patch(value, json={"value": "M-42"}, headers=auth), 204)
    not_text = http.patch(value, json={"value": 42}, headers=auth)
    assert not_text.status_code == 422 and "/value" in not_text.text
    got = http.get(value, headers=auth)
    conforms(got, 200)
    assert got.json() == {"onna_id": field_id, "value": "M-42"}
    assert http.get("/customFields", headers=auth).json()["items"][0]["usage_count"] == 1
    conforms(http.get(value), 401)
    conforms(http.get("/workspaces/none/customFields", headers=auth), 404)
    conforms(
        http.patch(f"/workspaces/none/customFields/{field_id}", json={"value": "x"}, headers=auth),
        404,
    )
    http.delete(f"/workspaces/{onna_id}", headers=auth)
    assert http.get("/customFields", headers=auth).json()["items"][0]["usage_count"] == 0
    conforms(http.get(value, headers=auth), 404)


def test_injected_error_statuses_conform(
    http: httpx.Client, conforms: Conforms, auth: dict[str, str], sandbox_server: SandboxServer
) -> None:
    # The default body of a fault is the documented JSON:API error for its status.
    sandbox_server.state.add_fault({"status": 500})
    conforms(http.get("/health"), 500)
    sandbox_server.state.add_fault({"status": 403, "path": "/workspaces"})
    conforms(http.get("/workspaces", headers=auth), 403)


def test_the_validator_does_catch_a_wrong_shape(
    http: httpx.Client, openapi: OpenAPI, auth: dict[str, str], sandbox_server: SandboxServer
) -> None:
    # Guard against a validator that accepts anything (for example a server URL
    # mismatch that silently skips checks).
    sandbox_server.state.add_fault({"wrong_shape": True, "path": "/workspaces"})
    response = http.get("/workspaces", headers=auth)
    with pytest.raises(InvalidData):
        openapi.validate_response(OpenAPIRequest(response.request), OpenAPIResponse(response))


@pytest.mark.parametrize(
    "body",
    [
        {"detail": "neither shape"},  # FastAPI's, where a JSON:API error is documented
        {"status": "404", "title": "Not Found"},  # flat, but without its required code
        {"errors": []},  # an envelope with no error in it
        {  # both shapes at once
            "errors": [{"status": "404", "code": "XX404_not_found"}],
            "status": "404",
            "code": "XX404_not_found",
        },
    ],
)
def test_the_validator_refuses_an_error_body_of_neither_shape(
    http: httpx.Client,
    openapi: OpenAPI,
    auth: dict[str, str],
    sandbox_server: SandboxServer,
    body: dict[str, Any],
) -> None:
    # The spec's oneOf of the two shapes must still have teeth.
    sandbox_server.state.add_fault({"status": 404, "path": "/workspaces", "body": body})
    response = http.get("/workspaces/x", headers=auth)
    assert response.status_code == 404
    with pytest.raises(InvalidData):
        openapi.validate_response(OpenAPIRequest(response.request), OpenAPIResponse(response))


def test_folders(http: httpx.Client, conforms: Conforms, auth: dict[str, str]) -> None:
    ws = http.post("/workspaces", json={"name": "W"}, headers=auth).json()["onna_id"]
    created = http.post("/folders", json={"name": "F", "onna_parent_id": ws}, headers=auth)
    conforms(created, 201)
    folder = f"/folders/{created.json()['onna_id']}"
    conforms(http.get(folder, headers=auth), 200)
    conforms(http.patch(folder, json={"name": "G"}, headers=auth), 204)
    conforms(http.patch(folder, json={"name": " "}, headers=auth), 422)
    blank = http.post("/folders", json={"name": " ", "onna_parent_id": ws}, headers=auth)
    assert blank.status_code == 422
    conforms(blank, 422)  # FastAPI's shape, as the document gives POST /folders
    assert blank.json()["detail"][0]["loc"] == ["body", "name"]
    unknown = http.post("/folders", json={"name": "F", "onna_parent_id": "nope"}, headers=auth)
    conforms(unknown, 404)
    conforms(http.delete(folder, headers=auth), 204)
    conforms(http.get(folder, headers=auth), 404)
    conforms(http.get(folder), 401)


def test_files_and_tickets(http: httpx.Client, conforms: Conforms, auth: dict[str, str]) -> None:
    ws = http.post("/workspaces", json={"name": "W"}, headers=auth).json()["onna_id"]
    body = {"onna_parent_id": ws, "ref": "r", "url": "https://x.test/r", "tags": ["a"]}
    created = http.post("/resources/files", json=body, headers=auth)
    conforms(created, 201)
    file = f"/resources/files/{created.json()['onna_id']}"
    conforms(http.get(file, headers=auth), 200)
    # A body the spec itself refuses: 422 pointing at each missing member.
    missing = http.post("/resources/files", json={"ref": "r"}, headers=auth)
    assert missing.status_code == 422
    assert {e["source"]["pointer"] for e in missing.json().get("errors", [missing.json()])} >= {
        "/onna_parent_id"
    }
    conforms(http.delete(file, headers=auth), 204)
    conforms(http.delete(file, headers=auth), 404)
    ticket_body = {**body, "name": "CS1"}
    ticket = http.post("/resources/tickets", json=ticket_body, headers=auth)
    conforms(ticket, 201)
    path = f"/resources/tickets/{ticket.json()['onna_id']}"
    conforms(http.get(path, headers=auth), 200)
    assert http.post("/resources/tickets", json=body, headers=auth).status_code == 422  # no name
    conforms(http.delete(path, headers=auth), 204)


def test_tus_upload(http: httpx.Client, conforms: Conforms, auth: dict[str, str]) -> None:
    ws = http.post("/workspaces", json={"name": "W"}, headers=auth).json()["onna_id"]
    body = {"onna_parent_id": ws, "ref": "r", "url": "https://x.test/r"}
    file_id = http.post("/resources/files", json=body, headers=auth).json()["onna_id"]
    url = f"/upload/{file_id}/tus"
    tus = {**auth, "Tus-Resumable": "1.0.0"}
    options = http.options(url, headers=auth)
    conforms(options, 204)
    assert options.headers["Tus-Version"] == "1.0.0"
    assert "checksum" in options.headers["Tus-Extension"]
    conforms(http.head(url, headers=tus), 404)
    conforms(http.post(url, headers={**auth, "Upload-Length": "5"}), 412)
    conforms(http.post(url, headers={**tus, "Upload-Length": "x"}), 400)
    created = http.post(
        url, headers={**tus, "Upload-Length": "5", "Upload-Metadata": "filename YS50eHQ="}
    )
    conforms(created, 201)
    assert created.headers["Tus-Resumable"] == "1.0.0"
    conforms(http.post(url, headers={**tus, "Upload-Length": "5"}), 409)
    octets = {**tus, "Content-Type": "application/offset+octet-stream"}
    conforms(http.patch(url, content=b"he", headers={**octets, "Upload-Offset": "1"}), 409)
    # A request the spec refuses (no media type): 415, as tus.io says.
    wrong_type = http.patch(url, content=b"he", headers={**tus, "Upload-Offset": "0"})
    assert wrong_type.status_code == 415 and wrong_type.headers["Tus-Resumable"] == "1.0.0"
    conforms(http.patch(url, content=b"hello!", headers={**octets, "Upload-Offset": "0"}), 413)
    bad_sum = {**octets, "Upload-Offset": "0", "Upload-Checksum": "sha256 AAAA"}
    conforms(http.patch(url, content=b"he", headers=bad_sum), 460)
    first = http.patch(url, content=b"he", headers={**octets, "Upload-Offset": "0"})
    conforms(first, 204)
    assert first.headers["Upload-Offset"] == "2"
    head = http.head(url, headers=tus)
    conforms(head, 200)
    assert (head.headers["Upload-Offset"], head.headers["Upload-Length"]) == ("2", "5")
    assert head.headers["Cache-Control"] == "no-store"
    conforms(http.patch(url, content=b"llo", headers={**octets, "Upload-Offset": "2"}), 204)
    read = http.get(f"/resources/files/{file_id}", headers=auth).json()
    assert (read["size"], read["filename"], read["extension"]) == (5, "a.txt", "txt")
    octet = {**auth, "Content-Type": "application/offset+octet-stream"}
    conforms(http.put(url, content=b"whole", headers=octet), 201)
    conforms(http.head(url, headers={"Tus-Resumable": "1.0.0"}), 401)
