"""The listener in-process, fed by the real clients: Segment's and RudderStack's Python SDKs (their
own batching, Basic auth, gzip), and browser-style requests as analytics.js and RudderStack's
JavaScript SDK send them (short paths, text/plain, CORS), with forwarding to a real sandbox.

The userId → userId mapping of Segment-shaped events is the formats module's (tui/mapping/formats);
these tests assert the final behaviour through the one preview.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from rudderstack.analytics.client import Client as RudderClient
from segment.analytics.client import Client as SegmentClient

from tests.conftest import demo_connection
from tui.live.collector_http import RefusedRequest
from tui.live.listen import ListenConfig, Listener, ListenerError, origin_problem
from tui.live.received import Received
from tui.live.received_log import read_received
from tui.sandbox import DEMO_API_KEY, Sandbox
from tui.store.history import History
from tui.store.settings import AppSettings
from tui.webengage.outcomes import Outcome

WRITE_KEY = "wk-segment-0123456789abcdefWXYZ"
RECORD_KEYS = {"received", "request", "findings", "delivery"}


@dataclass
class Seen:
    """What a listener reported, collected from its thread."""

    events: list[Received] = field(default_factory=list)
    refused: list[RefusedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def event(self, item: Received) -> None:
        with self.lock:
            self.events.append(item)

    def refuse(self, item: RefusedRequest) -> None:
        with self.lock:
            self.refused.append(item)

    def final(self) -> list[Received]:
        with self.lock:
            return [item for item in self.events if item.final]


MakeListener = Callable[..., tuple[Listener, Seen]]


@pytest.fixture
def make_listener() -> Iterator[MakeListener]:
    """`make_listener(**ListenConfig fields)`: started listeners reporting into a `Seen`."""
    started: list[Listener] = []

    def make(**fields: Any) -> tuple[Listener, Seen]:
        seen = Seen()
        listener = Listener(ListenConfig(**fields), on_event=seen.event, on_refused=seen.refuse)
        listener.start()
        started.append(listener)
        return listener, seen

    yield make
    for listener in started:
        listener.stop()


def wait_for(condition: Callable[[], bool], timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the listener"
        time.sleep(0.01)


def basic(key: str = WRITE_KEY) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def by_name(items: list[Received]) -> dict[str, Received]:
    return {item.signal_name: item for item in items}


def segment_calls(client: Any) -> None:
    """One of each call, as an application would make them."""
    client.track(user_id="u1", event="Order Completed", properties={"revenue": 39.8})
    client.identify(user_id="u1", traits={"email": "ada@example.com", "firstName": "Ada"})
    client.page(anonymous_id="anon-1", name="Home", properties={"url": "https://shop.test/"})
    client.screen(user_id="u1", name="Cart")
    client.alias(previous_id="anon-1", user_id="u1")
    client.flush()


def test_segment_python_sdk_previewed(make_listener: MakeListener) -> None:
    listener, seen = make_listener(record=False)
    errors: list[Exception] = []
    client = SegmentClient(WRITE_KEY, host=listener.url, on_error=lambda e, _: errors.append(e))
    segment_calls(client)
    client.join()
    assert errors == []
    wait_for(lambda: len(seen.final()) == 5)
    events = by_name(seen.final())
    assert set(events) == {"Order Completed", "identify", "page", "screen", "alias"}
    order = events["Order Completed"]
    assert order.path == "/v1/batch" and order.errors == 0
    assert order.preview.request.body["userId"] == "u1"  # Segment's userId, read as Signal's
    assert order.preview.request.body["eventData"]["amount"] == 39.8
    assert events["identify"].preview.request.endpoint.value == "users"
    assert events["page"].identity == "anonymous anon-1"
    assert events["alias"].preview.mapped is None  # WebEngage has no alias call
    assert order.outcome_label() == "preview" and order.delivery is None
    # The write key is in every batch's body and its Authorization header: never shown whole.
    dumped = json.dumps([item.record() for item in seen.final()], default=str)
    assert WRITE_KEY not in dumped
    assert set(order.record()) == RECORD_KEYS
    assert set(order.record()["findings"][0]) == {"severity", "path", "message", "fix"}


def test_segment_sdk_forwarded_to_the_sandbox(
    sandbox: Sandbox, make_listener: MakeListener
) -> None:
    listener, seen = make_listener(forward_to=demo_connection(sandbox))
    client = SegmentClient(WRITE_KEY, host=listener.url)
    segment_calls(client)
    client.join()
    wait_for(lambda: len(seen.final()) == 5)
    events = by_name(seen.final())
    for name in ("Order Completed", "identify", "page", "screen"):
        entry = events[name].delivery
        assert entry is not None and entry.outcome is Outcome.ACCEPTED, name
        assert entry.source == "listen /v1/batch"
    assert events["alias"].delivery is None
    assert "alias calls are not delivered" in events["alias"].not_sent
    accepted = sandbox.accepted()
    assert {a["body"].get("eventName") for a in accepted} >= {"Order Completed", "Page Viewed"}
    assert any(a["body"].get("userId") == "u1" and "email" in a["body"] for a in accepted)
    with History.open(AppSettings().history_path) as history:
        sent = history.latest(10)
    assert len(sent) == 4 and all(e.source.startswith("listen") for e in sent)
    assert all(DEMO_API_KEY not in e.request.headers["Authorization"] for e in sent)


def test_rudderstack_sdk_gzip_forwarded(sandbox: Sandbox, make_listener: MakeListener) -> None:
    listener, seen = make_listener(forward_to=demo_connection(sandbox))
    client = RudderClient("rudder-key-0123456789abcdef", host=listener.url, gzip=True)
    client.track(user_id="u2", event="Product Viewed", properties={"sku": "sku-1", "price": 9})
    client.identify(user_id="u2", traits={"phone": "+15551234567"})
    client.flush()
    client.join()
    wait_for(lambda: len(seen.final()) == 2)
    assert all(item.accepted for item in seen.final())
    bodies = [a["body"] for a in sandbox.accepted()]
    assert {"userId": "u2", "eventName": "Product Viewed"}.items() <= bodies[0].items() or any(
        b.get("eventName") == "Product Viewed" and b.get("userId") == "u2" for b in bodies
    )


def test_analytics_js_short_paths_as_text_plain(make_listener: MakeListener) -> None:
    """analytics.js posts one event per call to /v1/<first letter> as text/plain, the write key
    in the body and in Basic auth; the path says the type."""
    listener, seen = make_listener(record=False)
    headers = {**basic(), "Content-Type": "text/plain"}
    calls = {
        "/v1/t": {"event": "Product Added", "anonymousId": "a-9", "properties": {"sku": "s"}},
        "/v1/p": {"anonymousId": "a-9", "name": "Pricing", "properties": {"path": "/pricing"}},
        "/v1/i": {"userId": "u9", "anonymousId": "a-9", "traits": {"lastName": "Lovelace"}},
    }
    for path, event in calls.items():
        body = json.dumps({**event, "writeKey": WRITE_KEY, "sentAt": "2026-06-06T18:29:00Z"})
        response = httpx.post(listener.url + path, content=body, headers=headers)
        assert response.status_code == 200 and response.json() == {"success": True}
    wait_for(lambda: len(seen.final()) == 3)
    names = [item.webengage_name for item in seen.final()]
    assert names == ["Added to Cart", "Page Viewed", "/users"]
    assert all(item.raw["writeKey"] != WRITE_KEY for item in seen.final())
    assert seen.final()[0].write_key_shown.endswith(WRITE_KEY[-4:])


def test_rudderstack_js_paths_and_beacon(make_listener: MakeListener) -> None:
    listener, seen = make_listener(record=False)
    headers = {
        **basic("rs-key-0123456789abcdef"),
        "Content-Type": "application/json;charset=UTF-8",
        "AnonymousId": base64.b64encode(b"a-1").decode(),
    }
    track = {"type": "track", "event": "Signed Up", "anonymousId": "a-1", "userId": "u5"}
    assert httpx.post(listener.url + "/v1/track", json=track, headers=headers).status_code == 200
    beacon = json.dumps({"batch": [{**track, "event": "Logged In"}], "sentAt": "now"})
    response = httpx.post(
        listener.url + "/beacon/v1/batch?writeKey=rs-key-0123456789abcdef",
        content=beacon,
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 200
    wait_for(lambda: len(seen.final()) == 2)
    assert [item.signal_name for item in seen.final()] == ["Signed Up", "Logged In"]
    assert seen.final()[1].write_key_shown.endswith("cdef")


def test_cors_only_for_allowed_origins(make_listener: MakeListener) -> None:
    site = "http://localhost:3000"
    listener, seen = make_listener(record=False, allow_origins=(site,))
    preflight = httpx.options(
        listener.url + "/v1/t",
        headers={
            "Origin": site,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == site
    assert preflight.headers["Access-Control-Allow-Headers"] == "authorization,content-type"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Private-Network"] == "true"
    event = json.dumps({"event": "Logged In", "userId": "u1", "writeKey": WRITE_KEY})
    allowed = httpx.post(
        listener.url + "/v1/t",
        content=event,
        headers={**basic(), "Origin": site, "Content-Type": "text/plain"},
    )
    assert allowed.status_code == 200 and allowed.headers["Access-Control-Allow-Origin"] == site
    for method in ("OPTIONS", "POST"):
        foreign = httpx.request(
            method,
            listener.url + "/v1/t",
            content=event,
            headers={"Origin": "https://evil.example", "Content-Type": "text/plain"},
        )
        assert foreign.status_code == 403
        assert "Access-Control-Allow-Origin" not in foreign.headers
        assert "--allow-origin https://evil.example" in foreign.json()["message"]
    wait_for(lambda: len(seen.refused) == 2)
    assert len(seen.final()) == 1  # the foreign page's event was never taken


def test_requests_without_origin_are_accepted_and_get_no_cors(make_listener: MakeListener) -> None:
    listener, seen = make_listener(record=False, allow_origins=("http://localhost:3000",))
    response = httpx.post(listener.url + "/v1/track", json={"event": "X", "userId": "u"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    wait_for(lambda: len(seen.final()) == 1)


def test_origins_and_addresses_are_checked() -> None:
    assert origin_problem("http://localhost:3000") is None
    assert origin_problem("null") is None
    assert origin_problem("localhost:3000") is not None
    assert origin_problem("https://shop.test/path") is not None
    with pytest.raises(ListenerError, match="--allow-remote"):
        Listener(ListenConfig(host="0.0.0.0"))
    with pytest.raises(ListenerError, match="scheme://host"):
        Listener(ListenConfig(allow_origins=("*",)))


def test_a_taken_port_is_a_listener_error(make_listener: MakeListener) -> None:
    listener, _ = make_listener(record=False)
    with pytest.raises(ListenerError, match="could not listen"):
        Listener(ListenConfig(port=listener.port, record=False)).start()


def test_received_events_are_recorded_honestly(
    sandbox: Sandbox, make_listener: MakeListener
) -> None:
    """Forwarded events are deliveries (and linked); the rest are received, not sent: never
    written as deliveries without an outcome (which would read as interrupted sends)."""
    listener, seen = make_listener(forward_to=demo_connection(sandbox))
    batch = {
        "batch": [
            {"type": "track", "event": "Order Completed", "userId": "u1"},
            {"type": "track", "event": "Order Completed"},  # no identity: an error, not sent
            {"type": "group", "userId": "u1", "groupId": "g1"},
        ],
        "writeKey": WRITE_KEY,
    }
    assert httpx.post(listener.url + "/v1/batch", json=batch, headers=basic()).status_code == 200
    wait_for(lambda: len(seen.final()) == 3)
    listener.stop()
    rows = read_received(AppSettings().history_path)
    assert len(rows) == 3
    outcomes = sorted(row["outcome"] for row in rows)
    assert outcomes[0] == "accepted 200"
    assert {o.split(":")[0] for o in outcomes[1:]} == {"not sent"}
    sent = next(row for row in rows if row["delivery_id"])
    with History.open(AppSettings().history_path) as history:
        assert len(history) == 1
        entry = history.get(sent["delivery_id"])
    assert entry is not None and entry.outcome is Outcome.ACCEPTED
    with sqlite3.connect(AppSettings().history_path) as db:
        dumped = "\n".join(db.iterdump())
    assert WRITE_KEY not in dumped and DEMO_API_KEY not in dumped
