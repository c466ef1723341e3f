"""The type memory keeps event attributes per event name and user attributes per account, apart.

Source: WebEngage's docs as quoted in /work/shared/webengage-api.md, "Event body": "at most 25
attributes of each data type per event; the first value ever sent fixes an attribute's type (a
later value of another type stops that attribute's data flowing)"; "User body": `attributes` are
"custom, same rules as eventData". So an event's `plan` and a user's `plan` are two attributes,
and the 25 per data type are counted across deliveries, per event name (per account for users).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tui.mapping.preview import Preview, preview_event
from tui.store.history import History
from tui.store.recorder import Recorder
from tui.store.typelock import TypeLock
from tui.webengage.api import Endpoint
from tui.webengage.client import WebEngageClient
from tui.webengage.findings import Severity
from tui.webengage.outcomes import Outcome
from tui.webengage.request import Connection
from tui.webengage.types import AttributeType, KnownTypes


def track(event: str, **properties: Any) -> dict[str, Any]:
    return {"type": "track", "event": event, "user_id": "u-1", "properties": properties}


def identify(**traits: Any) -> dict[str, Any]:
    return {"type": "identify", "user_id": "u-1", "traits": traits}


async def deliver(recorder: Recorder, connection: Connection, raw: dict[str, Any]) -> Preview:
    """Preview `raw` with what the recorder knows, deliver it to the sandbox, record it."""
    preview = preview_event(
        raw, connection, known_types=recorder.known_types(connection.license_code)
    )
    assert not preview.has_errors, preview.findings
    async with WebEngageClient(connection) as client:
        entry = await client.deliver(preview.request)
    assert entry.outcome is Outcome.ACCEPTED
    await recorder.finished(entry)
    return preview


def codes(preview: Preview, code: str) -> list[str]:
    return [f.message for f in preview.findings if f.code == code]


async def test_an_events_number_does_not_lock_a_users_text(
    tmp_path: Path, sandbox_connection: Connection
) -> None:
    """Issue 12: an event's numeric `plan` made a later identify's text `plan` warn. No more;
    and the user's own first `plan` does lock the user attribute."""
    recorder = Recorder(History(tmp_path / "h.db"))
    license_code = sandbox_connection.license_code
    await deliver(recorder, sandbox_connection, track("Subscribed", plan=3))
    first = await deliver(recorder, sandbox_connection, identify(plan="gold"))
    assert codes(first, "type-lock") == []
    known = recorder.known_types(license_code)
    assert known is not None
    assert known.for_event("Subscribed") == {"plan": AttributeType.NUMBER}
    assert known.users == {"plan": AttributeType.STRING}
    later = preview_event(identify(plan=5), sandbox_connection, known_types=known)
    [warning] = codes(later, "type-lock")
    assert "'plan' is a Number now, but was first sent as a String" in warning
    # ...and an event of another name has its own `plan`.
    other = preview_event(track("Renewed", plan="gold"), sandbox_connection, known_types=known)
    assert codes(other, "type-lock") == []
    same = preview_event(track("Subscribed", plan="gold"), sandbox_connection, known_types=known)
    assert len(codes(same, "type-lock")) == 1
    recorder.close()


async def test_bulk_bodies_teach_per_event_and_per_user(
    tmp_path: Path, sandbox_connection: Connection
) -> None:
    lock = TypeLock(tmp_path / "h.db")
    events = [
        {"userId": "u", "eventName": "A", "eventData": {"x": 1}},
        {"userId": "u", "eventName": "B", "eventData": {"x": "one"}},
    ]
    users = [{"userId": "u", "attributes": {"x": True}}, {"userId": "v", "email": "v@example.com"}]
    async with WebEngageClient(sandbox_connection) as client:
        sent = await client.deliver_bulk(events, endpoint=Endpoint.BULK_EVENTS)
        sent += await client.deliver_bulk(users, endpoint=Endpoint.BULK_USERS)
    for entry in sent:
        assert entry.outcome is Outcome.ACCEPTED
        lock.record_entry(entry)
    known = lock.known_types(sandbox_connection.license_code)
    assert known.events == {"A": {"x": AttributeType.NUMBER}, "B": {"x": AttributeType.STRING}}
    assert known.users == {"x": AttributeType.BOOLEAN}


def numbers(count: int, prefix: str = "n") -> dict[str, int]:
    return {f"{prefix}{i}": i for i in range(count)}


async def test_25_per_data_type_counts_across_deliveries_per_event_name(
    tmp_path: Path, sandbox_connection: Connection
) -> None:
    recorder = Recorder(History(tmp_path / "h.db"))
    await deliver(recorder, sandbox_connection, track("Order Completed", **numbers(24)))
    known = recorder.known_types(sandbox_connection.license_code)

    def preview(event: str, **properties: Any) -> Preview:
        return preview_event(track(event, **properties), sandbox_connection, known_types=known)

    crossing = preview("Order Completed", n0=1, n1=2, new_a=3, new_b=4)
    [warning] = [f for f in crossing.findings if f.code == "too-many-attributes-across"]
    assert warning.severity is Severity.WARNING and not crossing.has_errors
    assert warning.message == (
        "Order Completed would have 26 Number attributes across deliveries; WebEngage keeps at "
        "most 25 per data type"
    )
    assert "reuse one of the 24 Number attribute names" in warning.fix
    assert warning.path == "$.properties"
    # At 25 it still fits; a String is another data type; another event counts its own.
    assert codes(preview("Order Completed", new_a=3), "too-many-attributes-across") == []
    assert codes(preview("Order Completed", a="x", b="y"), "too-many-attributes-across") == []
    assert codes(preview("Order Refunded", **numbers(25)), "too-many-attributes-across") == []
    # More than 25 in one body is the error of its own, not also this warning.
    one_body = preview("Order Completed", **numbers(26, "m"))
    assert [f.code for f in one_body.findings if "too-many" in f.code] == ["too-many-attributes"]
    recorder.close()


async def test_25_user_attributes_per_data_type_count_across_deliveries(
    tmp_path: Path, sandbox_connection: Connection
) -> None:
    recorder = Recorder(History(tmp_path / "h.db"))
    await deliver(recorder, sandbox_connection, identify(**numbers(24, "score")))
    known = recorder.known_types(sandbox_connection.license_code)
    crossing = preview_event(identify(extra_a=1, extra_b=2), sandbox_connection, known_types=known)
    [warning] = codes(crossing, "too-many-attributes-across")
    assert warning.startswith("this account's user profiles would have 26 Number attributes")
    # Events do not count toward users, nor users toward events.
    event = preview_event(track("Signed Up", **numbers(25)), sandbox_connection, known_types=known)
    assert codes(event, "too-many-attributes-across") == []
    recorder.close()


def _old_history(path: Path) -> None:
    """A history file as the tool wrote it before event names were kept in the type memory."""
    History(path).close()
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE attribute_types (
            license_code TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
            first_seen_at TEXT NOT NULL, PRIMARY KEY (license_code, name)
        ) WITHOUT ROWID;
        INSERT INTO attribute_types VALUES ('sbx~demo', 'plan', 'Number', '2026-01-01T00:00:00');
        INSERT INTO attribute_types VALUES ('sbx~demo', 'amount', 'Number', '2026-01-01T00:00:00');
        """
    )
    db.commit()
    db.close()


def test_an_old_history_file_keeps_working(tmp_path: Path, sandbox_connection: Connection) -> None:
    """Old rows become event attributes of an unknown event: they still warn on any event (as
    before), never on a user attribute, and count toward no event's 25."""
    path = tmp_path / "old.db"
    _old_history(path)
    lock = TypeLock(path)
    known = lock.known_types(sandbox_connection.license_code)
    assert known.any_event == {"plan": AttributeType.NUMBER, "amount": AttributeType.NUMBER}
    assert known.events == {} and known.users == {}
    event = preview_event(track("Anything", plan="gold"), sandbox_connection, known_types=known)
    assert len(codes(event, "type-lock")) == 1
    user = preview_event(identify(plan="gold"), sandbox_connection, known_types=known)
    assert codes(user, "type-lock") == []
    full = preview_event(track("Anything", **numbers(25)), sandbox_connection, known_types=known)
    assert codes(full, "too-many-attributes-across") == []
    # Opened again (another process, a later run): copied once, the old table left as it was.
    again = TypeLock(History(path))
    assert again.known_types(sandbox_connection.license_code) == known
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM attribute_types").fetchone() == (2,)
    again.forget(sandbox_connection.license_code, "plan")
    assert dict(again.known_types(sandbox_connection.license_code).any_event) == {
        "amount": AttributeType.NUMBER
    }


def test_known_types_is_an_immutable_value() -> None:
    source = {"A": {"x": AttributeType.NUMBER}}
    known = KnownTypes.of(source, {"y": "String"})
    source["A"]["x"] = AttributeType.STRING  # a copy: the caller's dict does not reach it
    assert known.for_event("A") == {"x": AttributeType.NUMBER}
    assert known.users == {"y": AttributeType.STRING}
    with pytest.raises(dataclasses.FrozenInstanceError):
        known.users = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        known.events["B"] = {}  # type: ignore[index]
    assert KnownTypes().empty and not known.empty
