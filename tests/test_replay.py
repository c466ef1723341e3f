"""Replay against a rate-limited sandbox: paced so there are no 429s, nothing lost, cancellable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from tui.delivery.replay import replay_bulk, replay_each
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Sandbox, SandboxConfig
from tui.webengage.api import Endpoint
from tui.webengage.client import RetryPolicy, WebEngageClient
from tui.webengage.entry import LogEntry
from tui.webengage.outcomes import Outcome
from tui.webengage.pacing import PaceLimits, Pacer
from tui.webengage.request import Connection, build_request, bulk_requests

FAST = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.05, jitter_s=0.01)


@pytest.fixture
async def limited() -> AsyncIterator[Sandbox]:
    config = SandboxConfig(rate_limit=10, bulk_rate_limit=4, window_s=1.0)
    async with Sandbox(config) as sandbox:
        yield sandbox


def connection_to(sandbox: Sandbox) -> Connection:
    return Connection(
        license_code=DEMO_LICENSE_CODE, api_key=SecretStr(DEMO_API_KEY), route_to=sandbox.url
    )


def events(count: int) -> list[dict[str, Any]]:
    return [
        {"userId": f"u-{i}", "eventName": "Product Viewed", "eventData": {"n": i}}
        for i in range(count)
    ]


def test_bulk_requests_are_chunks_of_at_most_25() -> None:
    connection = Connection(license_code="lc")
    requests = bulk_requests(connection, events(60))
    assert [len(r.body["events"]) for r in requests] == [25, 25, 10]
    assert requests[0].url == "https://api.webengage.com/v1/accounts/lc/bulk-events"
    with pytest.raises(ValueError, match="not a bulk endpoint"):
        bulk_requests(connection, events(1), endpoint=Endpoint.EVENTS)


async def test_300_events_in_bulk_under_a_tight_limit_get_no_429(limited: Sandbox) -> None:
    progress: list[int] = []
    async with WebEngageClient(connection_to(limited), retry=FAST) as client:
        report = await replay_bulk(
            client,
            events(300),
            limits=PaceLimits(calls=4, window_s=1.0),
            progress=lambda done, total, entry: progress.append(done),
        )
    assert report.rate_limited_attempts == 0
    assert report.calls == 12 and report.outcomes == {"accepted": 12}
    assert report.accepted_items == 300 and report.ok
    assert progress[-1] == 300 and sorted(progress) == progress
    stored = [e for call in limited.accepted() for e in call["body"]["events"]]
    assert sorted(e["userId"] for e in stored) == sorted(f"u-{i}" for i in range(300))
    # 12 calls at 4 per window: the last batch cannot start before two windows have passed.
    assert 2.0 <= report.elapsed_s < 4.0


async def test_unpaced_bursts_would_have_been_limited(limited: Sandbox) -> None:
    """The control for the test above: the same calls sent without pacing do hit 429."""
    connection = connection_to(limited)
    async with WebEngageClient(connection, retry=RetryPolicy(max_attempts=1)) as client:
        entries = [await client.deliver(r) for r in bulk_requests(connection, events(150))]
    assert [e.outcome for e in entries].count(Outcome.RATE_LIMITED) == 2


async def test_replay_each_paces_single_events(limited: Sandbox) -> None:
    async with WebEngageClient(connection_to(limited), retry=FAST) as client:
        report = await replay_each(
            client, events(25), limits=PaceLimits(calls=10, window_s=1.0), concurrency=3
        )
    assert report.rate_limited_attempts == 0 and report.outcomes == {"accepted": 25}
    assert len(limited.accepted()) == 25
    assert all(e.endpoint is Endpoint.EVENTS for e in report.entries)


async def test_previews_and_their_endpoints_are_respected(limited: Sandbox) -> None:
    connection = connection_to(limited)

    class FakePreview:  # what replay needs of a Preview: its request and event name
        def __init__(self, endpoint: Endpoint, body: dict[str, Any], event_name: str) -> None:
            self.request = build_request(connection, endpoint, body)
            self.event_name = event_name

    items = [
        FakePreview(Endpoint.EVENTS, events(1)[0], "Product Viewed"),
        FakePreview(Endpoint.USERS, {"userId": "u-9", "email": "a@b.co"}, "user"),
    ]
    async with WebEngageClient(connection, retry=FAST) as client:
        report = await replay_bulk(client, items, limits=PaceLimits(calls=4, window_s=1.0))
    assert sorted(e.endpoint.value for e in report.entries) == ["bulk-events", "bulk-users"]
    assert report.ok


async def test_cancel_stops_between_calls_and_logs_each_call(limited: Sandbox) -> None:
    cancel = asyncio.Event()
    logged: dict[str, LogEntry] = {}

    def on_progress(done: int, total: int, entry: LogEntry) -> None:
        if done >= 100:
            cancel.set()

    async with WebEngageClient(connection_to(limited), retry=FAST) as client:
        report = await replay_bulk(
            client,
            events(500),
            limits=PaceLimits(calls=4, window_s=1.0),
            concurrency=1,
            progress=on_progress,
            on_entry=lambda e: logged.__setitem__(e.id, e),
            cancel=cancel,
        )
    assert report.cancelled and report.sent_items == 100
    assert report.calls == 4 and set(logged) == {e.id for e in report.entries}
    assert all(e.outcome is Outcome.ACCEPTED for e in logged.values())
    assert sum(len(c["body"]["events"]) for c in limited.accepted()) == 100


async def test_cancel_does_not_wait_out_the_pacing(limited: Sandbox) -> None:
    cancel = asyncio.Event()
    async with WebEngageClient(connection_to(limited), retry=FAST) as client:
        task = asyncio.create_task(
            replay_bulk(
                client, events(500), limits=PaceLimits(calls=2, window_s=30.0), cancel=cancel
            )
        )
        while len(limited.accepted()) < 2:
            await asyncio.sleep(0.01)
        cancel.set()
        report = await asyncio.wait_for(task, timeout=5)  # not the 30 s window
    assert report.cancelled and report.calls == 2 and report.sent_items == 50
    assert report.outcomes == {"accepted": 2}


async def test_task_cancellation_propagates(limited: Sandbox) -> None:
    async with WebEngageClient(connection_to(limited), retry=FAST) as client:
        task = asyncio.create_task(
            replay_bulk(client, events(500), limits=PaceLimits(calls=2, window_s=5.0))
        )
        while len(limited.accepted()) < 2:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert len(limited.accepted()) == 2


async def test_client_deliver_bulk_uses_the_clients_pacer(limited: Sandbox) -> None:
    connection = connection_to(limited)
    pacer = Pacer(PaceLimits(calls=4, window_s=1.0))
    async with WebEngageClient(connection, retry=FAST, pacer=pacer) as client:
        entries = await client.deliver_bulk(events(60), source="bulk")
    pacer.close()
    assert [e.outcome for e in entries] == [Outcome.ACCEPTED] * 3
    assert [len(e.request.body["events"]) for e in entries] == [25, 25, 10]
    assert pacer.calls == 3
