"""The relay in-process: real httpx calls through `Relay` to a real sandbox upstream.

Each call is checked, forwarded once through the delivery service (recorded, the key masked) and
answered with the sandbox's own status, body and rate-limit headers.
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import MakeSandbox
from tui.cli.relay import format_exchange
from tui.delivery.service import DeliveryEvent
from tui.live.exchange import Exchange
from tui.live.relay import Relay, RelayConfig, RelayError
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Sandbox
from tui.store.history import History
from tui.store.settings import AppSettings
from tui.webengage.entry import Target
from tui.webengage.outcomes import Outcome

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}", "Content-Type": "application/json"}
EVENT = {"userId": "johndoe", "eventName": "Order Completed", "eventData": {"amount": 39.8}}
RECORD_KEYS = {"request", "response", "outcome", "hint", "findings", "latency_ms"}

MakeRelay = Callable[..., tuple[Relay, list[Exchange]]]


@pytest.fixture
def make_relay() -> Iterator[MakeRelay]:
    """Start relays (`make_relay(upstream, **config)`) that report into a list; all stopped after."""
    started: list[Relay] = []

    def make(upstream: str, **fields: Any) -> tuple[Relay, list[Exchange]]:
        seen: list[Exchange] = []
        relay = Relay(RelayConfig(upstream=upstream, **fields), on_exchange=seen.append)
        relay.start()
        started.append(relay)
        return relay, seen

    yield make
    for relay in started:
        relay.stop()


def events_url(relay: Relay, endpoint: str = "events") -> str:
    return f"{relay.url}/v1/accounts/{DEMO_LICENSE_CODE}/{endpoint}"


def history() -> History:
    return History.open(AppSettings().history_path)


def test_accepted_event_passes_through_and_is_recorded(
    sandbox: Sandbox, make_relay: MakeRelay
) -> None:
    relay, seen = make_relay(sandbox.url)
    headers = {**AUTH, "x-request-id": "relay-test-0001"}
    response = httpx.post(events_url(relay), headers=headers, json=EVENT)
    assert response.status_code == 200
    assert response.json() == {"response": {"status": "queued"}}
    assert response.headers["X-RateLimit-Limit"] == "5000"
    assert response.headers["X-RateLimit-Remaining"] == "4999"
    (received,) = sandbox.accepted()
    assert received["body"] == EVENT
    assert received["host"] == "api.webengage.com"  # WebEngage's Host kept, as route_to does
    assert received["request_id"] == "relay-test-0001"  # the caller's own id kept
    (exchange,) = seen
    assert exchange.outcome == "accepted" and exchange.findings == ()
    with history() as stored:
        (entry,) = stored.latest()
    assert entry.outcome is Outcome.ACCEPTED and entry.target is Target.SANDBOX
    assert entry.source == "relay" and entry.request_id == "relay-test-0001"
    assert len(entry.attempts) == 1
    assert DEMO_API_KEY not in entry.request.headers["Authorization"]
    assert entry.request.headers["Authorization"].endswith(DEMO_API_KEY[-4:])
    # The key is nowhere in the database file, in any table.
    with sqlite3.connect(AppSettings().history_path) as db:
        dumped = "\n".join(db.iterdump())
    assert "queued" in dumped and DEMO_API_KEY not in dumped


def test_wrong_key_401_passed_through_unchanged(sandbox: Sandbox, make_relay: MakeRelay) -> None:
    relay, seen = make_relay(sandbox.url)
    wrong = {**AUTH, "Authorization": "Bearer not-the-key-0123456789"}
    direct = httpx.post(
        f"{sandbox.url}/v1/accounts/{DEMO_LICENSE_CODE}/events",
        headers={**wrong, "Host": "api.webengage.com"},
        json=EVENT,
    )
    relayed = httpx.post(events_url(relay), headers=wrong, json=EVENT)
    assert relayed.status_code == direct.status_code == 401
    assert relayed.content == direct.content
    assert relayed.headers["Content-Type"] == direct.headers["Content-Type"]
    assert seen[0].outcome == "auth"
    assert "not-the-key-0123456789" not in repr(seen[0].record())


def test_rate_limit_429_passed_through_without_retry(
    make_sandbox: MakeSandbox, make_relay: MakeRelay
) -> None:
    limited = make_sandbox(rate_limit=2, window_s=5)
    relay, seen = make_relay(limited.url)
    statuses = [httpx.post(events_url(relay), headers=AUTH, json=EVENT) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    third = statuses[2]
    assert third.headers["X-RateLimit-Remaining"] == "0"
    assert third.json()["response"]["status"] == "error"
    assert seen[2].outcome == "rate_limited"
    assert seen[2].entry is not None and len(seen[2].entry.attempts) == 1  # not retried
    assert len(limited.accepted()) == 2


def test_findings_reported_and_the_request_forwarded_anyway(
    sandbox: Sandbox, make_relay: MakeRelay
) -> None:
    relay, seen = make_relay(sandbox.url)
    body = {"eventName": "Signed Up", "eventData": {"we_plan": "gold"}}
    response = httpx.post(events_url(relay), headers=AUTH, json=body)
    assert response.status_code == 400  # the sandbox's answer: forwarded, not refused
    assert (
        response.json()["response"]["message"] == "Error: userId and anonymousId cannot be empty."
    )
    record = seen[0].record()
    assert set(record) == RECORD_KEYS
    found = {(f["code"], f["path"]) for f in record["findings"]}
    assert ("reserved-name", "$.eventData.we_plan") in found
    assert ("missing-identity", "$.userId") in found
    assert record["outcome"] == "missing_identity"
    with history() as stored:
        (entry,) = stored.latest()
    assert entry.forced and {f.code for f in entry.findings} >= {"reserved-name"}


def test_bulk_events_checked_item_by_item(sandbox: Sandbox, make_relay: MakeRelay) -> None:
    relay, seen = make_relay(sandbox.url)
    body = {"events": [EVENT, {**EVENT, "eventName": "Viewed", "eventData": {"we_x": 1}}]}
    response = httpx.post(events_url(relay, "bulk-events"), headers=AUTH, json=body)
    assert response.status_code in (200, 201, 400)
    (exchange,) = seen
    assert exchange.names == ("Order Completed", "Viewed")
    assert [f.path for f in exchange.findings] == ["$.events[1].eventData.we_x"]
    assert "2 events: Order Completed, Viewed" in format_exchange(exchange)


def test_malformed_json_forwarded_as_is(sandbox: Sandbox, make_relay: MakeRelay) -> None:
    relay, seen = make_relay(sandbox.url)
    response = httpx.post(events_url(relay), headers=AUTH, content=b'{"userId": "u",')
    assert response.status_code == 400
    assert "Invalid JSON" in response.json()["response"]["message"]  # the sandbox said so
    (exchange,) = seen
    assert [f.code for f in exchange.findings] == ["not-json"]
    assert exchange.record()["request"]["body"] == '{"userId": "u",'


def test_garbage_never_crashes(sandbox: Sandbox, make_relay: MakeRelay) -> None:
    relay, seen = make_relay(sandbox.url, body_max=64 * 1024)
    url = events_url(relay)
    binary = httpx.post(url, headers=AUTH, content=bytes(range(256)) * 4)
    assert binary.status_code == 400
    text = httpx.post(url, headers={**AUTH, "Content-Type": "text/plain"}, json=EVENT)
    assert text.status_code == 200  # forwarded; the sandbox takes it
    assert [f.code for f in seen[1].findings] == ["content-type"]
    deep = httpx.post(url, headers=AUTH, content=b"[" * 30_000 + b"]" * 30_000)
    assert deep.status_code == 400
    oversized = httpx.post(url, headers=AUTH, content=b"x" * (64 * 1024 + 1))
    assert oversized.status_code == 413
    assert "too large" in oversized.json()["response"]["message"]
    assert seen[-1].entry is None  # not forwarded
    no_key = httpx.post(url, headers={"Content-Type": "application/json"}, json=EVENT)
    assert no_key.status_code == 401 and "Authorization" in no_key.json()["response"]["message"]
    odd_key = httpx.post(url, headers={"Authorization": "Bearer a\tb"}, json=EVENT)
    assert odd_key.status_code == 401
    missing = httpx.post(f"{relay.url}/v2/elsewhere", json=EVENT)
    assert missing.status_code == 404
    assert missing.json()["response"]["status"] == "error"
    # WebEngage's error table: 400 "Invalid resource/parameters" under an account, as the sandbox
    unknown = httpx.post(f"{relay.url}/v1/accounts/sbx~demo/event", headers=AUTH, json=EVENT)
    assert unknown.status_code == 400
    assert unknown.json()["response"]["message"].startswith("Invalid resource/parameters")
    assert all(set(x.record()) == RECORD_KEYS for x in seen)
    assert len(sandbox.accepted()) == 1


def test_upstream_down_is_a_502_that_explains(make_relay: MakeRelay) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    relay, seen = make_relay(f"http://127.0.0.1:{port}")
    response = httpx.post(events_url(relay), headers=AUTH, json=EVENT)
    assert response.status_code == 502
    message = response.json()["response"]["message"]
    assert message.startswith("Bad gateway: the relay got no answer from http://127.0.0.1:")
    assert seen[0].outcome == "network"


def test_observer_sees_each_delivery_start_and_finish(sandbox: Sandbox) -> None:
    events: list[DeliveryEvent] = []
    with Relay(RelayConfig(upstream=sandbox.url), observer=events.append) as relay:
        httpx.post(events_url(relay), headers=AUTH, json=EVENT)
    stages = [e.stage for e in events]
    assert stages[0] == "started" and stages[-1] == "finished"
    assert events[-1].entry.outcome is Outcome.ACCEPTED


def test_a_failing_subscriber_does_not_break_the_call(sandbox: Sandbox) -> None:
    def broken(exchange: Exchange) -> None:
        raise RuntimeError("boom")

    errors: list[str] = []
    config = RelayConfig(upstream=sandbox.url, record=False)
    with Relay(config, on_exchange=broken, on_error=errors.append) as relay:
        response = httpx.post(events_url(relay), headers=AUTH, json=EVENT)
    assert response.status_code == 200
    assert errors and "boom" in errors[0]


def test_human_line_escapes_the_callers_text(sandbox: Sandbox, make_relay: MakeRelay) -> None:
    relay, seen = make_relay(sandbox.url)
    httpx.post(events_url(relay), headers=AUTH, json={**EVENT, "eventName": "Evil\x1b]0;x\x07"})
    line = format_exchange(seen[0])
    assert "\x1b" not in line and "\\x1b" in line and "\n" not in line
    assert "POST /events" in line and "accepted 200" in line and "no findings" in line


def test_remote_bind_and_loops_are_refused() -> None:
    with pytest.raises(RelayError, match="allow-remote"):
        Relay(RelayConfig(host="0.0.0.0"))
    with pytest.raises(RelayError, match="http"):
        Relay(RelayConfig(upstream="ftp://example.com"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    relay = Relay(RelayConfig(port=port, upstream=f"http://127.0.0.1:{port}", record=False))
    with pytest.raises(RelayError, match="itself"):
        relay.start()
    assert not relay.running
