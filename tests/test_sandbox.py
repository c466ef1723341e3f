"""The sandbox answers like WebEngage: real HTTP on loopback, with httpx and with curl."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import time
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests.conftest import MakeSandbox, account
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Sandbox, SandboxConfig
from tui.webengage.api import QUEUED_BODY, DataCentre, Endpoint
from tui.webengage.request import Connection, build_request

WORKED_EXAMPLE = {
    "userId": "johndoe",
    "eventName": "Order Completed",
    "eventTime": "2026-06-06T18:29:00+0000",
    "eventData": {
        "orderId": "ORD-1337",
        "amount": 39.80,
        "currency": "USD",
        "products": [
            {
                "product_id": "SKU-1",
                "product_name": "Givenchy Pour Homme",
                "price": 39.80,
                "quantity": 1,
            }
        ],
    },
}
GLOBAL_HOST = "api.webengage.com"


@functools.cache
def _client() -> httpx.Client:
    """One client for the module: building one per request (its TLS context) costs ~30 ms."""
    return httpx.Client(timeout=10)


def post(
    sandbox: Sandbox,
    body: Any,
    *,
    endpoint: str = "events",
    license_code: str = DEMO_LICENSE_CODE,
    key: str | None = DEMO_API_KEY,
    host: str = GLOBAL_HOST,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {"Host": host, **(headers or {})}
    if key is not None:
        sent["Authorization"] = f"Bearer {key}"
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return _client().post(
        f"{sandbox.url}/v1/accounts/{license_code}/{endpoint}",
        content=content,
        headers={"Content-Type": "application/json", **sent},
    )


def message(response: httpx.Response) -> str:
    body = response.json()
    assert body["response"]["status"] == "error"
    text: str = body["response"]["message"]
    return text


def test_curl_worked_example_is_queued(sandbox: Sandbox) -> None:
    """The documented request, byte for byte through curl: 200 and WebEngage's exact body."""
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    result = subprocess.run(
        [
            curl,
            "-sS",
            "-w",
            "\n%{http_code}",
            "-X",
            "POST",
            f"{sandbox.url}/v1/accounts/{DEMO_LICENSE_CODE}/events",
            "-H",
            f"Host: {GLOBAL_HOST}",
            "-H",
            f"Authorization: Bearer {DEMO_API_KEY}",
            "-H",
            "Content-Type: application/json",
            "--data-raw",
            json.dumps(WORKED_EXAMPLE),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    body, status = result.stdout.rsplit("\n", 1)
    assert (status, body) == ("200", '{"response":{"status":"queued"}}')
    [stored] = sandbox.accepted()
    assert stored["body"] == WORKED_EXAMPLE
    assert stored["endpoint"] == "events"
    assert stored["license_code"] == DEMO_LICENSE_CODE
    assert stored["host"] == GLOBAL_HOST


def test_connection_routed_to_sandbox_is_accepted(
    sandbox: Sandbox, sandbox_connection: Connection
) -> None:
    """The shared Connection fixture works end to end: wire URL, real Host, real key."""
    request = build_request(sandbox_connection, Endpoint.EVENTS, WORKED_EXAMPLE, request_id="ab12")
    response = httpx.post(
        sandbox_connection.wire_url(Endpoint.EVENTS),
        content=request.body_bytes(),
        headers=sandbox_connection.wire_headers(request),
    )
    assert response.status_code == 200
    assert response.json() == QUEUED_BODY
    assert response.headers["X-RateLimit-Limit"] == "5000"
    assert response.headers["X-RateLimit-Remaining"] == "4999"
    [stored] = sandbox.accepted()
    assert stored["request_id"] == "ab12"
    assert stored["host"] == GLOBAL_HOST


def test_loopback_host_counts_as_home(sandbox: Sandbox) -> None:
    assert post(sandbox, WORKED_EXAMPLE, host=f"127.0.0.1:{sandbox.port}").status_code == 200


@pytest.mark.parametrize(
    ("key", "header", "expected"),
    [
        (None, None, "no Authorization header"),
        (None, "Basic abc", "must be 'Bearer <REST API key>'"),
        (None, "Bearer", "must be 'Bearer <REST API key>'"),
        ("not-the-key", None, "invalid API key"),
        (DEMO_API_KEY[:-1], None, "invalid API key"),
    ],
)
def test_bad_key_is_401(
    sandbox: Sandbox, key: str | None, header: str | None, expected: str
) -> None:
    headers = {"Authorization": header} if header else None
    response = post(sandbox, WORKED_EXAMPLE, key=key, headers=headers)
    assert response.status_code == 401
    assert expected in message(response)
    assert "X-RateLimit-Limit" not in response.headers
    assert sandbox.accepted() == []


def test_wrong_license_is_404(sandbox: Sandbox) -> None:
    response = post(sandbox, WORKED_EXAMPLE, license_code="nosuch01")
    assert response.status_code == 404
    assert "nosuch01" in message(response)


@pytest.mark.parametrize("host", ["api.in.webengage.com", "api.ksa.webengage.com"])
def test_other_data_centre_host_is_401(sandbox: Sandbox, host: str) -> None:
    """The account lives in Global: India and KSA don't know its key."""
    response = post(sandbox, WORKED_EXAMPLE, host=host)
    assert response.status_code == 401
    assert message(response) == "Unauthorized: invalid API key."


def test_accounts_in_several_data_centres(make_sandbox: MakeSandbox) -> None:
    """Each official host answers for its own accounts only, the way diagnose sees it."""
    sandbox = make_sandbox(
        accounts=[
            account("glob01", "key-global-0123456789"),
            account("ind01", "key-india-0123456789", DataCentre.INDIA),
            account(
                "ind02",
                "key-india-2-0123456789",
                DataCentre.INDIA,
                restricted_keys=(SecretStr("key-india-restricted-01"),),
            ),
        ]
    )

    def status(license_code: str, key: str, host: str) -> int:
        return post(
            sandbox, WORKED_EXAMPLE, license_code=license_code, key=key, host=host
        ).status_code

    assert status("ind01", "key-india-0123456789", "api.in.webengage.com") == 200
    assert status("ind01", "key-india-0123456789", "api.webengage.com") == 401
    assert status("ind01", "key-india-0123456789", "api.ksa.webengage.com") == 401
    assert status("ind01", "key-india-0123456789", "localhost") == 200
    assert status("glob01", "key-global-0123456789", "api.webengage.com") == 200
    # A valid key, but the license code is another data centre's: unknown here.
    assert status("glob01", "key-india-0123456789", "api.in.webengage.com") == 404
    # A valid key for another account in the same data centre.
    assert status("ind02", "key-india-0123456789", "api.in.webengage.com") == 401
    # An admin without Account Management + Update Data.
    assert status("ind02", "key-india-restricted-01", "api.in.webengage.com") == 401
    status_body = httpx.get(f"{sandbox.url}/sandbox", headers=sandbox.admin_headers).json()
    assert [a["license_code"] for a in status_body["accounts"]] == ["glob01", "ind01", "ind02"]
    assert "key-" not in json.dumps(status_body)


def test_rate_limit_sliding_window(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(rate_limit=3, bulk_rate_limit=1, window_s=0.4)
    remaining = []
    for _ in range(3):
        response = post(sandbox, WORKED_EXAMPLE)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(response.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    limited = post(sandbox, WORKED_EXAMPLE)
    assert limited.status_code == 429
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert "Too many requests" in message(limited)
    # Each endpoint counts on its own: /users and /bulk-events still have room.
    assert post(sandbox, {"userId": "johndoe"}, endpoint="users").status_code == 200
    bulk = {"events": [WORKED_EXAMPLE]}
    assert post(sandbox, bulk, endpoint="bulk-events").headers["X-RateLimit-Limit"] == "1"
    assert post(sandbox, bulk, endpoint="bulk-events").status_code == 429
    # Once the oldest request leaves the window, there is room again.
    deadline = time.monotonic() + 5
    while (response := post(sandbox, WORKED_EXAMPLE)).status_code == 429:
        assert time.monotonic() < deadline, "the window never slid"
    assert response.status_code == 200
    assert len(sandbox.accepted()) == 3 + 1 + 1 + 1


def test_request_id_repeat_is_queued_but_not_stored(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(dedupe_window_s=0.3)
    first = post(sandbox, WORKED_EXAMPLE, headers={"x-request-id": "feed01"})
    again = post(sandbox, WORKED_EXAMPLE, headers={"x-request-id": "feed01"})
    assert first.status_code == again.status_code == 200
    assert again.json() == QUEUED_BODY
    assert again.headers["X-Sandbox-Duplicate"] == "true"
    assert "X-Sandbox-Duplicate" not in first.headers
    assert len(sandbox.accepted()) == 1
    # Without an id, or with another id, every request is stored.
    post(sandbox, WORKED_EXAMPLE)
    post(sandbox, WORKED_EXAMPLE)
    post(sandbox, WORKED_EXAMPLE, headers={"x-request-id": "feed02"})
    assert len(sandbox.accepted()) == 4
    status = httpx.get(f"{sandbox.url}/sandbox", headers=sandbox.admin_headers).json()
    assert status["duplicates"] == 1
    # After the de-dup window the id is forgotten (WebEngage: 4 hours).
    deadline = time.monotonic() + 5
    while post(sandbox, WORKED_EXAMPLE, headers={"x-request-id": "feed01"}).headers.get(
        "X-Sandbox-Duplicate"
    ):
        assert time.monotonic() < deadline
    assert len(sandbox.accepted()) == 5


def test_rejected_request_id_is_not_remembered(sandbox: Sandbox) -> None:
    """Only ingested requests are de-duplicated: a fixed retry with the same id gets through."""
    assert post(sandbox, {"eventName": "x"}, headers={"x-request-id": "id9"}).status_code == 400
    ok = post(sandbox, WORKED_EXAMPLE, headers={"x-request-id": "id9"})
    assert ok.status_code == 200
    assert "X-Sandbox-Duplicate" not in ok.headers
    assert len(sandbox.accepted()) == 1


def test_events_listing_newest_last_and_clear(sandbox: Sandbox) -> None:
    for name in ("First", "Second", "Third"):
        post(sandbox, {"anonymousId": "a1", "eventName": name})
    listed = httpx.get(f"{sandbox.url}/sandbox/events", headers=sandbox.admin_headers).json()
    assert [e["body"]["eventName"] for e in listed] == ["First", "Second", "Third"]
    assert listed == sandbox.accepted()
    assert set(listed[0]) == {
        "received_at",
        "endpoint",
        "license_code",
        "host",
        "request_id",
        "body",
    }
    cleared = httpx.delete(f"{sandbox.url}/sandbox/events", headers=sandbox.admin_headers)
    assert cleared.json() == {"cleared": 3}
    assert sandbox.accepted() == []


def test_reset_forgets_everything(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(rate_limit=1)
    post(sandbox, WORKED_EXAMPLE, headers={"x-request-id": "r1"})
    assert post(sandbox, WORKED_EXAMPLE).status_code == 429
    sandbox.reset()
    assert sandbox.accepted() == []
    ok = post(sandbox, WORKED_EXAMPLE, headers={"x-request-id": "r1"})
    assert ok.status_code == 200
    assert "X-Sandbox-Duplicate" not in ok.headers
    reset = httpx.post(f"{sandbox.url}/sandbox/reset", headers=sandbox.admin_headers)
    assert reset.json() == {"reset": True}
    assert sandbox.accepted() == []


def test_success_status_201(make_sandbox: MakeSandbox) -> None:
    response = post(make_sandbox(success_status=201), WORKED_EXAMPLE)
    assert (response.status_code, response.json()) == (201, QUEUED_BODY)


def test_unknown_routes_answer_in_json(sandbox: Sandbox) -> None:
    # Under /v1/accounts/<license>/ a resource WebEngage does not have is its 400 "Invalid
    # resource/parameters" (webengage-api.md, Responses: 400 invalid parameters); a URL outside
    # that shape is a 404.
    wrong_endpoint = post(sandbox, WORKED_EXAMPLE, endpoint="event")
    assert wrong_endpoint.status_code == 400
    assert message(wrong_endpoint).startswith("Invalid resource/parameters")
    assert "events, users, bulk-events, bulk-users" in message(wrong_endpoint)
    elsewhere = httpx.post(f"{sandbox.url}/v1/accounts/{DEMO_LICENSE_CODE}/events/x", json={})
    assert elsewhere.status_code == 404
    assert "events,users,bulk-events,bulk-users" in message(elsewhere)
    get = httpx.get(f"{sandbox.url}/v1/accounts/{DEMO_LICENSE_CODE}/events")
    assert get.status_code == 405
    assert "POST" in message(get)
    assert httpx.get(f"{sandbox.url}/").status_code == 404


def test_default_config_and_secrets() -> None:
    config = SandboxConfig()
    [only] = config.accounts
    assert (only.license_code, only.data_centre) == (DEMO_LICENSE_CODE, DataCentre.GLOBAL)
    assert only.api_key.get_secret_value() == DEMO_API_KEY
    assert DEMO_API_KEY not in repr(config)
    assert DEMO_API_KEY not in str(config.model_dump())
    with pytest.raises(ValueError, match="share an API key"):
        SandboxConfig(accounts=(account("a", "same-key-123"), account("b", "same-key-123")))
    with pytest.raises(ValueError, match="share a license code"):
        SandboxConfig(accounts=(account("a", "key-1-123456"), account("a", "key-2-123456")))
