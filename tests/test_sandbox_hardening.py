"""The sandbox under hostile or broken clients (issue 11): lone surrogates, other web pages, an
endless stream of events, connections that never finish, clients that hang up mid-request."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import struct
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from pydantic import SecretStr, ValidationError

from tests.conftest import MakeSandbox
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, RequestRecord, Sandbox, SandboxConfig
from tui.sandbox.answers import CLIENT_GONE
from tui.sandbox.app import create_app
from tui.sandbox.models import ADMIN_TOKEN_HEADER, KEEP_EVENTS, READ_TIMEOUT_S
from tui.sandbox.state import SandboxState

EVENT = {"userId": "johndoe", "eventName": "Order Completed"}
API_HEADERS = {"Authorization": f"Bearer {DEMO_API_KEY}", "Host": "api.webengage.com"}
EVENTS_PATH = f"/v1/accounts/{DEMO_LICENSE_CODE}/events"


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


def post_event(
    client: httpx.Client, sandbox: Sandbox, body: bytes | dict[str, Any]
) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        sandbox.url + EVENTS_PATH,
        content=content,
        headers={**API_HEADERS, "Content-Type": "application/json"},
    )


def message(response: httpx.Response) -> str:
    text: str = response.json()["response"]["message"]
    return text


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


# 2. A lone surrogate -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "raw", "where"),
    [
        ("events", rb'{"userId":"u1","eventName":"Order \ud800"}', "the string at eventName"),
        (
            "events",
            rb'{"userId":"u1","eventName":"x","eventData":{"k\udc00":1}}',
            "a key in eventData",
        ),
        (
            "bulk-events",
            rb'{"events":[{"userId":"u1","eventName":"a"},{"userId":"\udfff","eventName":"b"}]}',
            "the string at events[1].userId",
        ),
    ],
)
def test_lone_surrogate_is_rejected_at_ingestion(
    sandbox: Sandbox, client: httpx.Client, endpoint: str, raw: bytes, where: str
) -> None:
    """`\\ud800` is valid JSON syntax but no Unicode text: WebEngage stores UTF-8, so a 400 that
    says where, never a 200 for data that cannot be stored (nor a 500 on the next listing)."""
    response = client.post(
        f"{sandbox.url}/v1/accounts/{DEMO_LICENSE_CODE}/{endpoint}",
        content=raw,
        headers={**API_HEADERS, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert message(response).startswith(f"Invalid request: {where} holds a lone surrogate")
    assert "not valid Unicode" in message(response)
    assert sandbox.accepted() == []
    listing = client.get(f"{sandbox.url}/sandbox/events", headers=sandbox.admin_headers)
    assert (listing.status_code, listing.json()) == (200, [])


def test_surrogate_pairs_and_escaped_backslashes_are_still_accepted(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    pair = rb'{"userId":"u1","eventName":"Smile \ud83d\ude00","eventData":{"raw":"\\ud800"}}'
    assert post_event(client, sandbox, pair).status_code == 200
    [stored] = sandbox.accepted()
    assert stored["body"]["eventName"] == "Smile \U0001f600"
    assert stored["body"]["eventData"]["raw"] == "\\ud800"  # a backslash and five letters


def test_events_listing_never_500s_on_a_stored_surrogate(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    """Whatever got stored (here put in directly), the listing answers: exact JSON, in ASCII."""
    record = {
        "endpoint": "events",
        "license_code": DEMO_LICENSE_CODE,
        "body": {"eventName": "x\ud800é"},
    }
    sandbox.state.ingest(record, None)
    listing = client.get(f"{sandbox.url}/sandbox/events", headers=sandbox.admin_headers)
    assert listing.status_code == 200, listing.text
    assert listing.json()[0]["body"]["eventName"] == "x\ud800é"
    assert b"\\ud800" in listing.content
    status = client.get(f"{sandbox.url}/sandbox", headers=sandbox.admin_headers)
    assert status.json()["accepted"] == 1


# 3. The control endpoints: a token, and no other origin --------------------------------------

CONTROL = [
    ("GET", "/sandbox"),
    ("GET", "/sandbox/health"),
    ("GET", "/sandbox/events"),
    ("DELETE", "/sandbox/events"),
    ("GET", "/sandbox/faults"),
    ("POST", "/sandbox/faults"),
    ("DELETE", "/sandbox/faults"),
    ("POST", "/sandbox/reset"),
]
FAULT = json.dumps({"kind": "server_error", "times": None}).encode()


@pytest.mark.parametrize(("method", "path"), CONTROL)
@pytest.mark.parametrize("token", [None, "not-the-token-0123456789", ""])
def test_control_endpoints_need_the_admin_token(
    sandbox: Sandbox, client: httpx.Client, method: str, path: str, token: str | None
) -> None:
    assert post_event(client, sandbox, EVENT).status_code == 200
    headers = {} if token is None else {ADMIN_TOKEN_HEADER: token}
    response = client.request(method, sandbox.url + path, headers=headers, content=FAULT)
    assert response.status_code == 401
    assert message(response).startswith("Unauthorized:")
    assert ADMIN_TOKEN_HEADER in message(response)
    assert sandbox.admin_token not in response.text
    # Nothing was read, injected, cleared or reset.
    assert len(sandbox.accepted()) == 1
    assert sandbox.state.pending_faults() == []
    assert post_event(client, sandbox, EVENT).status_code == 200
    # With the token, the same request goes through.
    allowed = client.request(
        method, sandbox.url + path, headers=sandbox.admin_headers, content=FAULT
    )
    assert allowed.status_code == 200, allowed.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},  # a sandboxed iframe, a file:// page
        {"Origin": "http://127.0.0.1:1"},  # loopback, but another port: another origin
        {"Origin": "https://127.0.0.1"},
        {"Sec-Fetch-Site": "cross-site"},  # a no-cors GET carries no Origin, but this
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_control_endpoints_refuse_other_origins(
    sandbox: Sandbox, client: httpx.Client, headers: dict[str, str]
) -> None:
    """Even with the token (a DNS-rebound page, say): a browser request from elsewhere is 403."""
    sent = {**sandbox.admin_headers, **headers}
    injected = client.post(f"{sandbox.url}/sandbox/faults", content=FAULT, headers=sent)
    assert injected.status_code == 403
    assert message(injected).startswith("Forbidden:")
    assert sandbox.state.pending_faults() == []
    assert client.get(f"{sandbox.url}/sandbox/events", headers=sent).status_code == 403
    # The WebEngage endpoints answer as before: they are guarded by the key, like WebEngage's.
    assert (
        client.post(
            sandbox.url + EVENTS_PATH, json=EVENT, headers={**API_HEADERS, **headers}
        ).status_code
        == 200
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_control_endpoints_answer_their_own_origin(
    sandbox: Sandbox, client: httpx.Client, host: str
) -> None:
    own = {**sandbox.admin_headers, "Origin": f"http://{host}:{sandbox.port}"}
    assert client.get(f"{sandbox.url}/sandbox/events", headers=own).status_code == 200
    same = {**sandbox.admin_headers, "Sec-Fetch-Site": "same-origin"}
    assert client.get(f"{sandbox.url}/sandbox/events", headers=same).status_code == 200


def test_admin_token_per_instance_or_from_config() -> None:
    first, second = Sandbox(), Sandbox()
    assert first.admin_token != second.admin_token
    assert len(first.admin_token) >= 32
    assert first.admin_headers == {ADMIN_TOKEN_HEADER: first.admin_token}
    chosen = "my-own-admin-token-0123456789"
    config = SandboxConfig(admin_token=SecretStr(chosen))
    assert Sandbox(config).admin_token == chosen
    assert chosen not in repr(config)
    for bad in ("short-secret", "has a space in it 0123456789", "\x1b[2J-0123456789abcdef"):
        with pytest.raises(ValidationError, match="admin token") as rejected:
            SandboxConfig(admin_token=bad)  # a str: pydantic makes it a SecretStr
        assert bad not in str(rejected.value)


def test_python_api_needs_no_token(sandbox: Sandbox, client: httpx.Client) -> None:
    """`inject`, `accepted`, `reset` act on the state: the token guards HTTP only."""
    from tui.sandbox import Fault, FaultKind

    sandbox.inject(Fault(kind=FaultKind.SERVER_ERROR))
    assert post_event(client, sandbox, EVENT).status_code == 503
    assert post_event(client, sandbox, EVENT).status_code == 200
    assert len(sandbox.accepted()) == 1
    sandbox.reset()
    assert sandbox.accepted() == []


# 4. Bounded memory ---------------------------------------------------------------------------


def test_accepted_events_are_bounded(make_sandbox: MakeSandbox, client: httpx.Client) -> None:
    sandbox = make_sandbox(keep_events=3)
    for index in range(5):
        assert post_event(client, sandbox, {**EVENT, "eventName": f"E{index}"}).status_code == 200
    assert [e["body"]["eventName"] for e in sandbox.accepted()] == ["E2", "E3", "E4"]
    assert sandbox.dropped == 2
    listing = client.get(f"{sandbox.url}/sandbox/events", headers=sandbox.admin_headers)
    assert [e["body"]["eventName"] for e in listing.json()] == ["E2", "E3", "E4"]
    assert listing.headers["X-Sandbox-Dropped"] == "2"
    assert listing.headers["X-Sandbox-Keep"] == "3"
    status = client.get(f"{sandbox.url}/sandbox", headers=sandbox.admin_headers).json()
    assert (status["accepted"], status["dropped"], status["keep_events"]) == (3, 2, 3)
    cleared = client.delete(f"{sandbox.url}/sandbox/events", headers=sandbox.admin_headers)
    assert cleared.json() == {"cleared": 3}
    assert sandbox.dropped == 0
    assert post_event(client, sandbox, EVENT).status_code == 200
    listing = client.get(f"{sandbox.url}/sandbox/events", headers=sandbox.admin_headers)
    assert (len(listing.json()), listing.headers["X-Sandbox-Dropped"]) == (1, "0")


def test_keep_default_and_validation() -> None:
    assert SandboxConfig().keep_events == KEEP_EVENTS == 10_000
    with pytest.raises(ValidationError, match="keep_events"):
        SandboxConfig(keep_events=0)


# 5. Idle and half-sent connections -----------------------------------------------------------

SHORT_TIMEOUT_S = 0.4


def seconds_until_closed(sock: socket.socket, limit: float = 10.0) -> tuple[float, bytes]:
    """How long until the server closes `sock`, and what it sent before."""
    started = time.monotonic()
    sock.settimeout(limit)
    received = b""
    with contextlib.suppress(ConnectionResetError):  # closed with unread bytes: an RST
        while chunk := sock.recv(4096):  # socket.timeout (a failure) if it is never closed
            received += chunk
    return time.monotonic() - started, received


@pytest.mark.parametrize(
    "sent",
    [
        b"",  # connects and says nothing
        b"POST /v1/acc",  # half a request line
        b"POST /v1/accounts/sbx~demo/events HTTP/1.1\r\nHost: api.webengage.com\r\n",  # no end
    ],
)
def test_idle_or_half_sent_connection_is_closed(make_sandbox: MakeSandbox, sent: bytes) -> None:
    sandbox = make_sandbox(read_timeout_s=SHORT_TIMEOUT_S)
    with socket.create_connection(("127.0.0.1", sandbox.port)) as sock:
        sock.sendall(sent)
        elapsed, received = seconds_until_closed(sock)
    assert received == b""
    assert SHORT_TIMEOUT_S * 0.5 <= elapsed < SHORT_TIMEOUT_S + 2.0


def test_trickled_headers_do_not_keep_a_connection_open(make_sandbox: MakeSandbox) -> None:
    """Slowloris: a byte now and then does not push the deadline back."""
    sandbox = make_sandbox(read_timeout_s=SHORT_TIMEOUT_S)
    with socket.create_connection(("127.0.0.1", sandbox.port)) as sock:
        started = time.monotonic()
        with contextlib.suppress(OSError):  # the server may hang up between two bytes
            for byte in b"POST /v1/accounts/sbx~demo/events HTTP/1.1\r\nX-Slow: 1":
                sock.sendall(bytes([byte]))
                time.sleep(0.05)
                if time.monotonic() - started > SHORT_TIMEOUT_S + 2.0:
                    break
        _, received = seconds_until_closed(sock)
    assert received == b""
    assert time.monotonic() - started < SHORT_TIMEOUT_S + 2.0


def test_stalled_body_is_answered_408_and_closed(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(read_timeout_s=SHORT_TIMEOUT_S)
    head = (
        f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: api.webengage.com\r\n"
        f"Authorization: Bearer {DEMO_API_KEY}\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", sandbox.port)) as sock:
        sock.sendall(head + b'{"userId":')
        elapsed, received = seconds_until_closed(sock)
    assert received.startswith(b"HTTP/1.1 408 ")
    assert b"Request timeout: the body did not arrive within 0.4 s." in received
    assert b"X-RateLimit-Limit" in received
    assert elapsed < 2 * SHORT_TIMEOUT_S + 2.0
    assert sandbox.accepted() == []


def test_read_timeout_default_is_a_few_seconds() -> None:
    assert SandboxConfig().read_timeout_s == READ_TIMEOUT_S == 5.0
    with pytest.raises(ValidationError, match="read_timeout_s"):
        SandboxConfig(read_timeout_s=0)


def test_keep_alive_still_works_within_the_timeout(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(read_timeout_s=2.0)
    with httpx.Client(timeout=10) as http:
        first = post_event(http, sandbox, EVENT)
        second = post_event(http, sandbox, EVENT)
    assert first.status_code == second.status_code == 200
    assert first.headers.get("Connection", "keep-alive").lower() != "close"


# 6. A client that hangs up mid-request -------------------------------------------------------

PARTIAL_REQUEST = (
    f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: api.webengage.com\r\n"
    f"Authorization: Bearer {DEMO_API_KEY}\r\nContent-Type: application/json\r\n"
    'Content-Length: 100\r\n\r\n{"userId":'
).encode()


@pytest.mark.parametrize("abort", [False, True], ids=["close", "reset"])
def test_client_hanging_up_mid_body_is_not_a_sandbox_bug(
    caplog: pytest.LogCaptureFixture, abort: bool
) -> None:
    caplog.set_level(logging.INFO, logger="tui.sandbox.app")
    records: list[RequestRecord] = []
    with Sandbox(on_request=records.append) as sandbox:
        sock = socket.create_connection(("127.0.0.1", sandbox.port))
        sock.sendall(PARTIAL_REQUEST)
        time.sleep(0.2)  # the handler is reading the body by now
        if abort:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        wait_for(lambda: bool(records))
        assert sandbox.accepted() == []
    [record] = records
    assert (record.path, record.status, record.note) == (EVENTS_PATH, None, CLIENT_GONE)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "sandbox bug" not in caplog.text
    assert f"client went away during POST {EVENTS_PATH}" in caplog.text


async def test_handler_cancelled_by_a_disconnect_is_not_a_sandbox_bug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With aiohttp's `handler_cancellation`, a hang-up cancels the handler mid-read instead."""
    caplog.set_level(logging.INFO, logger="tui.sandbox.app")
    records: list[RequestRecord] = []
    app = create_app(
        SandboxState(SandboxConfig()), records.append, admin_token="cancel-test-token-0123"
    )
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = int(runner.addresses[0][1])
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(PARTIAL_REQUEST)
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.close()
        deadline = time.monotonic() + 5
        while not records:
            assert time.monotonic() < deadline, "no record of the request"
            await asyncio.sleep(0.02)
    finally:
        await runner.cleanup()
    [record] = records
    assert (record.status, record.note) == (None, CLIENT_GONE)
    assert "sandbox bug" not in caplog.text
    assert "client went away" in caplog.text
