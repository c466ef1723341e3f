"""The client against a real sandbox on loopback: every outcome of PRODUCT.md §5, for real."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from tui.sandbox import (
    DEMO_API_KEY,
    DEMO_LICENSE_CODE,
    Fault,
    FaultKind,
    RequestRecord,
    Sandbox,
    SandboxAccount,
    SandboxConfig,
)
from tui.webengage.api import DataCentre, Endpoint
from tui.webengage.client import RetryPolicy, WebEngageClient, classify_response, parse_retry_after
from tui.webengage.entry import RESPONSE_BODY_MAX, LogEntry
from tui.webengage.outcomes import NetworkFailure, Outcome
from tui.webengage.request import Connection, build_request

FAST = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.05, jitter_s=0.01)
EVENT = {"userId": "u-1", "eventName": "Order Completed", "eventData": {"amount": 12.5}}
RESTRICTED_KEY = "restricted-admin-key-0000000000"


@pytest.fixture
async def sbx() -> AsyncIterator[Sandbox]:
    config = SandboxConfig(
        accounts=(
            SandboxAccount(
                license_code=DEMO_LICENSE_CODE,
                api_key=SecretStr(DEMO_API_KEY),
                restricted_keys=(SecretStr(RESTRICTED_KEY),),
            ),
        )
    )
    async with Sandbox(config) as sandbox:
        yield sandbox


def connection_to(sandbox: Sandbox, **changes: Any) -> Connection:
    base = Connection(
        data_centre=DataCentre.GLOBAL,
        license_code=DEMO_LICENSE_CODE,
        api_key=SecretStr(DEMO_API_KEY),
        route_to=sandbox.url,
    )
    return base.model_copy(update=changes)


async def deliver(
    connection: Connection, body: Any = EVENT, *, timeout_s: float = 5.0, **kwargs: Any
) -> LogEntry:
    async with WebEngageClient(connection, retry=FAST, timeout_s=timeout_s) as client:
        return await client.deliver(build_request(connection, Endpoint.EVENTS, body), **kwargs)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_accepted_carries_everything_the_log_needs(sbx: Sandbox) -> None:
    updates: list[int] = []
    entry = await deliver(
        connection_to(sbx), on_update=lambda e: updates.append(len(e.attempts)), source="t"
    )
    assert entry.outcome is Outcome.ACCEPTED and entry.status == 200
    assert len(entry.attempts) == 1 and entry.attempts[0].latency_ms is not None
    assert updates[0] == 0 and updates[-1] == 1  # once before the first attempt
    assert entry.hint is not None and "queued" in entry.hint.title.lower()
    assert entry.host == "api.webengage.com" and entry.data_centre == "Global"
    assert entry.request.headers["x-request-id"] == entry.request_id
    assert entry.rate_limit_limit == 5000 and entry.rate_limit_remaining == 4999
    [stored] = sbx.accepted()
    assert stored["request_id"] == entry.request_id
    assert stored["host"] == "api.webengage.com"  # routed, but with the real Host
    assert DEMO_API_KEY not in entry.model_dump_json()


@pytest.mark.parametrize(
    ("changes", "outcome", "status"),
    [
        ({"api_key": SecretStr("wrong-key-123456789012")}, Outcome.AUTH, 401),
        ({"api_key": SecretStr(RESTRICTED_KEY)}, Outcome.AUTH, 401),
        ({"data_centre": DataCentre.INDIA}, Outcome.AUTH, 401),  # the wrong data centre
        ({"license_code": "nope~123"}, Outcome.NOT_FOUND, 404),
    ],
)
async def test_credential_problems_are_not_retried(
    sbx: Sandbox, changes: dict[str, Any], outcome: Outcome, status: int
) -> None:
    entry = await deliver(connection_to(sbx, **changes))
    assert (entry.outcome, entry.status, len(entry.attempts)) == (outcome, status, 1)
    assert entry.hint is not None and entry.hint.fix
    assert "wrong-key-123456789012" not in entry.model_dump_json()


@pytest.mark.parametrize(
    ("body", "outcome"),
    [
        ({"eventName": "Signed Up"}, Outcome.MISSING_IDENTITY),
        ({"userId": "u", "eventName": "X", "eventData": {"we_x": 1}}, Outcome.RESERVED_NAME),
        ({"userId": "u", "eventName": "we_thing"}, Outcome.RESERVED_NAME),
        ({"userId": "u"}, Outcome.BAD_REQUEST),
        ([1, 2], Outcome.BAD_REQUEST),
    ],
)
async def test_400s_are_told_apart(sbx: Sandbox, body: Any, outcome: Outcome) -> None:
    entry = await deliver(connection_to(sbx), body)
    assert (entry.outcome, entry.status, len(entry.attempts)) == (outcome, 400, 1)
    assert entry.response_body and "error" in entry.response_body
    assert sbx.accepted() == []


async def test_rate_limited_is_retried_a_bounded_number_of_times(sbx: Sandbox) -> None:
    sbx.inject(Fault(kind=FaultKind.RATE_LIMIT, times=None))
    backoffs: list[float | None] = []
    entry = await deliver(
        connection_to(sbx),
        on_update=lambda e: backoffs.append(e.attempts[-1].backoff_s if e.attempts else None),
    )
    assert entry.outcome is Outcome.RATE_LIMITED and entry.outcome.exit_code == 6
    assert [a.status for a in entry.attempts] == [429, 429, 429]
    assert [a.backoff_s is not None for a in entry.attempts] == [True, True, False]
    assert any(b is not None for b in backoffs)  # the UI saw the countdown before the wait
    assert entry.rate_limit_remaining == 0
    assert entry.hint is not None and "after 3 attempts" in entry.hint.title


async def test_retry_after_is_honoured(sbx: Sandbox) -> None:
    sbx.inject(Fault(kind=FaultKind.RATE_LIMIT, retry_after_s=0.3))
    entry = await deliver(connection_to(sbx))
    assert entry.outcome is Outcome.ACCEPTED
    first, second = entry.attempts
    assert first.retry_after_s == pytest.approx(0.3) and first.backoff_s == pytest.approx(0.3)
    gap = (second.started_at - first.started_at).total_seconds()
    assert gap >= 0.3
    assert len(sbx.accepted()) == 1


async def test_retry_after_is_capped(sbx: Sandbox) -> None:
    sbx.inject(Fault(kind=FaultKind.RATE_LIMIT, retry_after_s=120))
    connection = connection_to(sbx)
    policy = FAST.model_copy(update={"retry_after_max_s": 0.05})
    async with WebEngageClient(connection, retry=policy) as client:
        entry = await client.deliver(build_request(connection, Endpoint.EVENTS, EVENT))
    assert entry.outcome is Outcome.ACCEPTED
    assert entry.attempts[0].retry_after_s == 120 and entry.attempts[0].backoff_s == 0.05


def test_retry_after_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:07 GMT", now) == 7
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0


async def test_server_error_then_success_is_ingested_once(sbx: Sandbox) -> None:
    sbx.inject(Fault(kind=FaultKind.SERVER_ERROR, status=503))
    entry = await deliver(connection_to(sbx))
    assert [a.status for a in entry.attempts] == [503, 200]
    assert entry.outcome is Outcome.ACCEPTED
    assert len(sbx.accepted()) == 1


async def test_html_502_is_a_server_error_with_the_page_kept(sbx: Sandbox) -> None:
    sbx.inject(Fault(kind=FaultKind.HTML, times=None))
    entry = await deliver(connection_to(sbx))
    assert entry.outcome is Outcome.SERVER_ERROR and entry.status == 502
    assert len(entry.attempts) == FAST.max_attempts
    assert entry.response_body and "<html>" in entry.response_body
    assert entry.outcome.exit_code == 8


async def test_non_json_200_is_a_bad_response(sbx: Sandbox) -> None:
    sbx.inject(Fault(kind=FaultKind.NOT_JSON, body="<html>captive portal</html>"))
    entry = await deliver(connection_to(sbx))
    assert (entry.outcome, entry.status, len(entry.attempts)) == (Outcome.BAD_RESPONSE, 200, 1)
    assert entry.response_body == "<html>captive portal</html>"
    assert Outcome.BAD_RESPONSE.exit_code == 9


async def test_a_huge_error_page_is_kept_bounded(sbx: Sandbox) -> None:
    sbx.inject(Fault(kind=FaultKind.HTML, status=500, body="<p>" + "x" * 200_000, times=None))
    entry = await deliver(connection_to(sbx))
    assert entry.response_truncated
    assert entry.response_body is not None and len(entry.response_body) == RESPONSE_BODY_MAX


async def test_dns_failure() -> None:
    connection = Connection(
        data_centre=None,
        custom_host="api.nonexistent.invalid",
        license_code="x",
        api_key=SecretStr(DEMO_API_KEY),
    )
    entry = await deliver(connection)
    assert entry.outcome is Outcome.NETWORK and entry.status is None
    assert entry.attempts[-1].network_failure is NetworkFailure.DNS
    assert entry.hint is not None and "does not resolve" in entry.hint.detail
    assert entry.outcome.exit_code == 7


async def test_connection_refused_is_retried_then_reported() -> None:
    connection = Connection(
        license_code="x",
        api_key=SecretStr(DEMO_API_KEY),
        route_to=f"http://127.0.0.1:{closed_port()}",
    )
    entry = await deliver(connection)
    assert entry.outcome is Outcome.NETWORK
    assert [a.network_failure for a in entry.attempts] == [NetworkFailure.REFUSED] * 3
    assert entry.hint is not None and "Nothing is listening" in entry.hint.detail


async def test_tls_failure_against_a_plain_http_port(sbx: Sandbox) -> None:
    connection = Connection(
        data_centre=None,
        custom_host=f"https://127.0.0.1:{sbx.port}",
        license_code="x",
        api_key=SecretStr(DEMO_API_KEY),
    )
    entry = await deliver(connection)
    assert entry.outcome is Outcome.NETWORK
    assert entry.attempts[-1].network_failure is NetworkFailure.TLS
    assert len(entry.attempts) == 1  # a TLS mismatch does not fix itself


async def test_read_timeout_then_retry_is_ingested_once() -> None:
    records: list[RequestRecord] = []
    async with Sandbox(on_request=records.append) as sandbox:
        sandbox.inject(Fault(kind=FaultKind.LATENCY, delay_s=0.6))
        entry = await deliver(connection_to(sandbox), timeout_s=0.2)
        assert entry.outcome is Outcome.ACCEPTED
        assert entry.attempts[0].network_failure is NetworkFailure.TIMEOUT
        assert entry.attempts[1].status == 200
        # Wait until the slow first request has been handled too, then count what was ingested.
        deadline = time.monotonic() + 5
        while len(records) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert len(records) == 2
        assert len(sandbox.accepted()) == 1


async def test_a_repeated_request_id_is_ingested_once(sbx: Sandbox) -> None:
    connection = connection_to(sbx)
    request = build_request(connection, Endpoint.EVENTS, EVENT, request_id="abc123")
    async with WebEngageClient(connection, retry=FAST) as client:
        first = await client.deliver(request)
        second = await client.deliver(request)
    assert first.outcome is second.outcome is Outcome.ACCEPTED
    assert first.request_id == second.request_id == "abc123"
    assert len(sbx.accepted()) == 1


async def test_persistent_timeout_is_a_network_timeout(sbx: Sandbox) -> None:
    sbx.inject(Fault(kind=FaultKind.LATENCY, delay_s=0.3, times=3))
    entry = await deliver(connection_to(sbx), timeout_s=0.1)
    assert entry.outcome is Outcome.NETWORK
    assert [a.network_failure for a in entry.attempts] == [NetworkFailure.TIMEOUT] * 3
    assert entry.hint is not None and "did not answer in time" in entry.hint.detail


async def test_reset_is_retried(sbx: Sandbox) -> None:
    sbx.inject(Fault(kind=FaultKind.RESET))
    entry = await deliver(connection_to(sbx))
    assert entry.attempts[0].network_failure is NetworkFailure.RESET
    assert entry.outcome is Outcome.ACCEPTED
    sbx.inject(Fault(kind=FaultKind.RESET, times=None))
    entry = await deliver(connection_to(sbx))
    assert entry.outcome is Outcome.NETWORK
    assert entry.attempts[-1].network_failure is NetworkFailure.RESET


async def test_cancellation_leaves_a_cut_off_entry(sbx: Sandbox) -> None:
    sbx.inject(Fault(kind=FaultKind.LATENCY, delay_s=2))
    seen: list[LogEntry] = []
    connection = connection_to(sbx)
    async with WebEngageClient(connection, retry=FAST) as client:
        task = asyncio.create_task(
            client.deliver(build_request(connection, Endpoint.EVENTS, EVENT), on_update=seen.append)
        )
        while not seen or not seen[-1].attempts:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert seen[-1].outcome is None
    assert seen[-1].attempts[-1].error == "cancelled before a response"


def test_classify_response_table() -> None:
    assert classify_response(201, '{"response":{"status":"queued"}}')[0] is Outcome.ACCEPTED
    assert classify_response(200, '{"response":{"status":"error"}}')[0] is Outcome.BAD_RESPONSE
    assert classify_response(403, "")[0] is Outcome.AUTH
    assert classify_response(413, "")[0] is Outcome.BAD_REQUEST
    assert classify_response(504, "")[0] is Outcome.SERVER_ERROR
    assert classify_response(302, "")[0] is Outcome.BAD_RESPONSE
    message = (
        '{"response":{"status":"error","message":"Error: userId and anonymousId cannot be empty."}}'
    )
    assert classify_response(400, message) == (
        Outcome.MISSING_IDENTITY,
        "Error: userId and anonymousId cannot be empty.",
    )


async def test_a_key_with_illegal_characters_never_leaks(sbx: Sandbox) -> None:
    key = "bad\nkey-with-newline-0123456789"
    entry = await deliver(connection_to(sbx, api_key=SecretStr(key)))
    assert entry.outcome is not None and entry.outcome is not Outcome.ACCEPTED
    assert key not in entry.model_dump_json() and "key-with-newline" not in entry.model_dump_json()
