"""The type lock: the first accepted value fixes an attribute's type; the preview warns on a change.

Event attributes are remembered per event name, user attributes per account, apart (WebEngage keeps
them so: webengage-api.md, "Event body" and "User body")."""

from __future__ import annotations

from pathlib import Path

from tests.test_history import make_entry
from tui.mapping.preview import preview_event
from tui.store.history import History
from tui.store.typelock import TypeLock, attributes_of
from tui.webengage.api import Endpoint
from tui.webengage.client import WebEngageClient
from tui.webengage.findings import Severity
from tui.webengage.outcomes import Outcome
from tui.webengage.request import Connection, build_request
from tui.webengage.types import AttributeType, KnownTypes

LICENSE = "in~abc123"


def test_first_value_wins_per_license_code(tmp_path: Path) -> None:
    lock = TypeLock(tmp_path / "h.db")
    assert lock.known_types(LICENSE) == KnownTypes.of()
    new = lock.record_event(
        LICENSE,
        "Order Completed",
        {
            "amount": 12.5,
            "orderId": "o-1",
            "paid": True,
            "when": "2026-06-06T18:29:00+0000",
            "items": [1],
            "meta": {"a": 1},
            "gone": None,
        },
    )
    assert new == {
        "amount": AttributeType.NUMBER,
        "orderId": AttributeType.STRING,
        "paid": AttributeType.BOOLEAN,
        "when": AttributeType.DATE,
        "items": AttributeType.ARRAY,
        "meta": AttributeType.OBJECT,
    }
    assert lock.record_event(LICENSE, "Order Completed", {"amount": "12.50", "coupon": "X"}) == {
        "coupon": AttributeType.STRING
    }
    # Another event's `amount` is its own attribute; a user's too.
    assert lock.record_event(LICENSE, "Added to Cart", {"amount": "12.50"}) == {
        "amount": AttributeType.STRING
    }
    assert lock.record_user(LICENSE, {"amount": True}) == {"amount": AttributeType.BOOLEAN}
    known = lock.known_types(LICENSE)
    assert known.for_event("Order Completed")["amount"] is AttributeType.NUMBER
    assert known.for_event("Added to Cart")["amount"] is AttributeType.STRING
    assert known.users == {"amount": AttributeType.BOOLEAN}
    assert lock.known_types("other~acct").empty
    # persisted, and shares the history's file
    again = TypeLock(History(tmp_path / "h.db"))
    assert again.known_types(LICENSE).for_event("Order Completed")["coupon"] is AttributeType.STRING
    again.forget(LICENSE, "coupon")
    assert "coupon" not in again.known_types(LICENSE).for_event("Order Completed")
    again.forget(LICENSE)
    assert again.known_types(LICENSE).empty


def test_attributes_of_bodies() -> None:
    events, users = Endpoint.EVENTS, Endpoint.USERS
    assert attributes_of(events, {"eventName": "x", "eventData": {"a": 1}}) == [("x", {"a": 1})]
    bulk = {"events": [{"eventName": "x", "eventData": {"a": 1}}, {"eventData": {"b": 2}}, 3]}
    assert attributes_of(Endpoint.BULK_EVENTS, bulk) == [("x", {"a": 1})]
    assert attributes_of(users, {"userId": "u", "attributes": {"a": 1}}) == [(None, {"a": 1})]
    assert attributes_of(Endpoint.BULK_USERS, {"users": [{"attributes": {"b": 2}}, []]}) == [
        (None, {"b": 2})
    ]
    assert attributes_of(events, {"userId": "u", "attributes": {"a": 1}}) == []
    assert attributes_of(events, [1, 2]) == []
    assert attributes_of(users, None) == []


def test_only_accepted_deliveries_lock_types(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    lock = TypeLock(history)
    assert lock.record_entry(make_entry(1, outcome=Outcome.AUTH, status=401)) == {}
    assert lock.record_entry(make_entry(1)) == {}  # still in flight
    assert lock.known_types(LICENSE).empty
    locked = lock.record_entry(make_entry(2, outcome=Outcome.ACCEPTED, status=200))
    assert locked == {"orderId": AttributeType.STRING, "amount": AttributeType.NUMBER}


async def test_preview_warns_after_an_accepted_delivery(
    tmp_path: Path, sandbox_connection: Connection
) -> None:
    history = History(tmp_path / "h.db")
    lock = TypeLock(history)
    first = {
        "type": "track",
        "event": "Order Completed",
        "user_id": "u-1",
        "properties": {"order_id": "o-1", "revenue": 99.5},
    }
    preview = preview_event(
        first, sandbox_connection, known_types=lock.known_types(sandbox_connection.license_code)
    )
    assert not preview.has_errors
    async with WebEngageClient(sandbox_connection) as client:
        entry = await client.deliver(
            build_request(sandbox_connection, Endpoint.EVENTS, preview.request.body),
            on_update=history.record,
        )
    assert entry.outcome is Outcome.ACCEPTED
    lock.record_entry(entry)

    second = {**first, "properties": {"order_id": "o-2", "revenue": "99.50"}}
    known = lock.known_types(sandbox_connection.license_code)
    assert known.events == {
        "Order Completed": {"orderId": AttributeType.STRING, "amount": AttributeType.NUMBER}
    }
    preview = preview_event(second, sandbox_connection, known_types=known)
    warnings = [
        f for f in preview.findings if f.severity is Severity.WARNING and "first sent" in f.message
    ]
    assert len(warnings) == 1 and "'amount'" in warnings[0].message
