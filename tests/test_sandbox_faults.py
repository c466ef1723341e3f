"""Injected faults, from Python and over HTTP, as a client really sees them on loopback."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time

import httpx
import pytest

from tests.test_sandbox import WORKED_EXAMPLE, message, post
from tui.sandbox import (
    DEMO_API_KEY,
    DEMO_LICENSE_CODE,
    Fault,
    FaultKind,
    Sandbox,
    SandboxError,
)
from tui.sandbox.models import SandboxConfig


def test_latency_causes_a_read_timeout_then_answers(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind=FaultKind.LATENCY, delay_s=0.4))
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{sandbox.url}/v1/accounts/{DEMO_LICENSE_CODE}/events",
            json=WORKED_EXAMPLE,
            headers={"Authorization": f"Bearer {DEMO_API_KEY}"},
            timeout=httpx.Timeout(5, read=0.1),
        )
    started = time.monotonic()
    assert post(sandbox, WORKED_EXAMPLE).status_code == 200  # used up: answers at once
    assert time.monotonic() - started < 0.4


def test_latency_then_normal_answer(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind=FaultKind.LATENCY, delay_s=0.2))
    started = time.monotonic()
    response = post(sandbox, WORKED_EXAMPLE)
    assert time.monotonic() - started >= 0.2
    assert response.json() == {"response": {"status": "queued"}}
    assert len(sandbox.accepted()) == 1


def test_server_error_json_and_empty(sandbox: Sandbox) -> None:
    sandbox.inject(
        Fault(kind=FaultKind.SERVER_ERROR),
        Fault(kind=FaultKind.SERVER_ERROR, status=500, empty_body=True, retry_after_s=1),
    )
    first = post(sandbox, WORKED_EXAMPLE)
    assert first.status_code == 503
    assert message(first) == "Service Unavailable"
    second = post(sandbox, WORKED_EXAMPLE)
    assert (second.status_code, second.content) == (500, b"")
    assert second.headers["Retry-After"] == "1"
    assert post(sandbox, WORKED_EXAMPLE).status_code == 200
    assert len(sandbox.accepted()) == 1  # faulted requests never reach "WebEngage"


def test_rate_limit_with_and_without_retry_after(sandbox: Sandbox) -> None:
    sandbox.inject(
        Fault(kind=FaultKind.RATE_LIMIT, retry_after_s=2), Fault(kind=FaultKind.RATE_LIMIT)
    )
    with_header = post(sandbox, WORKED_EXAMPLE)
    assert with_header.status_code == 429
    assert with_header.headers["Retry-After"] == "2"
    assert with_header.headers["X-RateLimit-Remaining"] == "0"
    assert with_header.headers["X-RateLimit-Limit"] == "5000"
    without = post(sandbox, WORKED_EXAMPLE)
    assert without.status_code == 429
    assert "Retry-After" not in without.headers
    assert message(without) == "Too Many Requests"
    # An injected 429 doesn't use up the account's real quota.
    assert post(sandbox, WORKED_EXAMPLE).headers["X-RateLimit-Remaining"] == "4999"


def test_fractional_retry_after_for_fast_tests(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind=FaultKind.RATE_LIMIT, retry_after_s=0.05))
    assert post(sandbox, WORKED_EXAMPLE).headers["Retry-After"] == "0.05"


def test_html_error_page(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind=FaultKind.HTML), Fault(kind=FaultKind.HTML, status=504))
    page = post(sandbox, WORKED_EXAMPLE)
    assert page.status_code == 502
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in page.text
    assert "<h1>504 Gateway Timeout</h1>" in post(sandbox, WORKED_EXAMPLE).text


def test_reset_connection_httpx(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind=FaultKind.RESET))
    with pytest.raises(httpx.TransportError) as caught:
        post(sandbox, WORKED_EXAMPLE)
    assert not isinstance(caught.value, httpx.TimeoutException)
    assert post(sandbox, WORKED_EXAMPLE).status_code == 200


def test_reset_connection_curl(sandbox: Sandbox) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    sandbox.inject(Fault(kind=FaultKind.RESET))
    result = subprocess.run(
        [
            curl,
            "-sS",
            "-X",
            "POST",
            f"{sandbox.url}/v1/accounts/{DEMO_LICENSE_CODE}/events",
            "-d",
            "{}",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode in (52, 56), result.stderr  # empty reply / recv failure (reset)
    assert result.stdout == ""


def test_not_json_200(sandbox: Sandbox) -> None:
    sandbox.inject(
        Fault(kind=FaultKind.NOT_JSON), Fault(kind=FaultKind.NOT_JSON, body="<html>portal</html>")
    )
    response = post(sandbox, WORKED_EXAMPLE)
    assert (response.status_code, response.text) == (200, "OK")
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert post(sandbox, WORKED_EXAMPLE).text == "<html>portal</html>"


def test_times_and_forever(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind=FaultKind.SERVER_ERROR, times=2), Fault(kind=FaultKind.HTML))
    assert [post(sandbox, WORKED_EXAMPLE).status_code for _ in range(4)] == [503, 503, 502, 200]
    sandbox.inject(Fault(kind=FaultKind.SERVER_ERROR, status=500, times=None))
    assert [post(sandbox, WORKED_EXAMPLE).status_code for _ in range(5)] == [500] * 5
    sandbox.clear_faults()
    assert post(sandbox, WORKED_EXAMPLE).status_code == 200


def test_faults_only_touch_the_api(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind=FaultKind.SERVER_ERROR))
    assert (
        httpx.get(f"{sandbox.url}/sandbox/events", headers=sandbox.admin_headers).status_code == 200
    )
    assert post(sandbox, WORKED_EXAMPLE, endpoint="nope").status_code == 400  # not a resource
    assert post(sandbox, WORKED_EXAMPLE).status_code == 503


def test_faults_over_http(sandbox: Sandbox) -> None:
    """Another process (a demo script, a test of the CLI) steers the sandbox with JSON."""
    faults = f"{sandbox.url}/sandbox/faults"
    admin = httpx.Client(headers=sandbox.admin_headers)
    assert admin.post(faults, json={"kind": "server_error", "status": 500}).json() == {"queued": 1}
    queued = admin.post(
        faults, json=[{"kind": "rate_limit", "retry_after_s": 1}, {"kind": "not_json", "times": 2}]
    )
    assert queued.json() == {"queued": 2}
    pending = admin.get(faults).json()
    assert [(f["kind"], f["remaining"]) for f in pending] == [
        ("server_error", 1),
        ("rate_limit", 1),
        ("not_json", 2),
    ]
    assert post(sandbox, WORKED_EXAMPLE).status_code == 500
    assert post(sandbox, WORKED_EXAMPLE).headers["Retry-After"] == "1"
    assert admin.delete(faults).json() == {"cleared": 1}
    admin.close()
    assert post(sandbox, WORKED_EXAMPLE).status_code == 200


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"kind": "meteor"}, "kind"),
        ({"kind": "latency", "delay_s": -1}, "delay_s"),
        ({"kind": "html", "colour": "red"}, "colour"),
        ({"kind": "reset", "times": 0}, "times"),
    ],
)
def test_bad_fault_over_http_is_explained(sandbox: Sandbox, payload: object, expected: str) -> None:
    response = httpx.post(
        f"{sandbox.url}/sandbox/faults", json=payload, headers=sandbox.admin_headers
    )
    assert response.status_code == 400
    assert message(response).startswith("Invalid fault:")
    assert expected in message(response)
    not_json = httpx.post(
        f"{sandbox.url}/sandbox/faults", content=b"{", headers=sandbox.admin_headers
    )
    assert not_json.status_code == 400


async def test_async_use_and_latency_does_not_block_the_callers_loop() -> None:
    """Inside an event loop (an async test, the Textual app): the server has its own thread."""
    async with Sandbox() as sandbox:
        sandbox.inject(Fault(kind=FaultKind.LATENCY, delay_s=0.3))
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{sandbox.url}/v1/accounts/{DEMO_LICENSE_CODE}/events",
                json=WORKED_EXAMPLE,
                headers={"Authorization": f"Bearer {DEMO_API_KEY}"},
            )
        ticker.cancel()
        assert response.status_code == 200
        assert ticks >= 10
    assert not sandbox.running


def test_lifecycle() -> None:
    sandbox = Sandbox()
    with pytest.raises(SandboxError):
        _ = sandbox.url
    url = sandbox.start()
    assert sandbox.start() == url  # idempotent
    assert url == f"http://127.0.0.1:{sandbox.port}"
    assert DEMO_API_KEY not in repr(sandbox)
    sandbox.stop()
    sandbox.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/sandbox")
    again = sandbox.start()  # restartable
    health = httpx.get(f"{again}/sandbox/health", headers=sandbox.admin_headers)
    assert health.json()["status"] == "ok"
    sandbox.stop()


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SandboxError, match=f"could not listen on 127.0.0.1:{port}"):
            Sandbox(SandboxConfig(port=port)).start()
