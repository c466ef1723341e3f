"""The shapes events arrive in (issue 12): Segment / RudderStack spec events, batch envelopes, and
WebEngage REST bodies, each read into the Signal dialect by `preview_event`, which says what it
read and from where.

Sources of the examples:
- Segment's spec, "Common fields" (twilio.com/docs/segment/connections/spec/common): the
  `anonymousId` 507f191e810c19729de860ea and `messageId` 022bb90c-bbac-11e4-8dfc-aa07a5b093db,
  the three times `timestamp` / `originalTimestamp` / `sentAt`, `context.traits`.
- Segment's spec, "Track" (.../spec/track): `{"type": "track", "event": "User Registered",
  "properties": {"plan": "Pro Annual", "accountType": "Facebook"}}`.
- Segment's HTTP Tracking API, "Batch": `{"batch": [...]}`, and "the context and sentAt of the
  batch apply to all" its calls.
- RudderStack's event spec: the same fields; its SDKs send `type` upper-case from some sources
  and identify traits in `context.traits`.
- WebEngage's events doc: with both ids WebEngage ignores anonymousId; `x-request-id` (hex)
  drops a repeat within 4 hours (/work/shared/webengage-api.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tui.mapping.formats import Format, expand
from tui.mapping.formats.segment import request_id_for
from tui.mapping.preview import Preview, preview_event
from tui.mapping.signal import read_events
from tui.webengage.api import Endpoint
from tui.webengage.findings import Severity
from tui.webengage.request import Connection

FORMATS = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
NOWHERE = Connection()
COMMON_MESSAGE_ID = "022bb90c-bbac-11e4-8dfc-aa07a5b093db"  # Segment's "Common fields" example


def preview(raw: Any) -> Preview:
    return preview_event(raw, NOWHERE)


def codes(result: Preview) -> list[str]:
    return [f.code for f in result.findings]


def test_a_segment_track_event_is_read_not_refused_for_no_identity() -> None:
    """Before issue 12, `userId` gave a bare "no identity" error."""
    result = preview(
        {
            "type": "track",
            "event": "User Registered",
            "userId": "97980cfea0067",
            "properties": {"plan": "Pro Annual", "accountType": "Facebook"},
        }
    )
    assert result.format == Format.SEGMENT.value
    assert not result.has_errors, [f.line() for f in result.findings]
    assert result.request.body["userId"] == "97980cfea0067"
    assert result.request.body["eventData"] == {"plan": "Pro Annual", "accountType": "Facebook"}
    [summary] = [f for f in result.findings if f.code == "format-read"]
    assert summary.severity is Severity.INFO
    assert "Segment / RudderStack" in summary.message and "user_id ← $.userId" in summary.message


def test_the_common_fields_example_file() -> None:
    [raw] = read_events(FORMATS / "segment-track.json")
    result = preview(raw)
    body = result.request.body
    assert body["userId"] == "johndoe" and "anonymousId" not in body
    assert body["eventName"] == "Order Completed"
    assert body["eventData"]["orderId"] == "ORD-1337" and body["eventData"]["amount"] == 39.8
    # no `timestamp`: originalTimestamp is next, and the preview says it was used
    assert body["eventTime"] == "2026-06-06T18:29:00+0000"
    fallback = next(f for f in result.findings if f.code == "timestamp-fallback")
    assert fallback.path == "$.originalTimestamp" and "originalTimestamp" in fallback.message
    # context.traits on a track call: said to be not sent
    assert any(f.code == "context-traits-not-sent" for f in result.findings)
    assert "email" not in json.dumps(body)
    # with both ids, the finding is located at the field as given, $.anonymousId
    assert any(f.path == "$.anonymousId" for f in result.findings)


@pytest.mark.parametrize(
    ("times", "used"),
    [
        ({"timestamp": "2026-06-06T18:29:00Z", "sentAt": "2026-06-06T18:30:00Z"}, "timestamp"),
        ({"originalTimestamp": "2026-06-06T18:29:00Z", "sentAt": "2026-06-06T18:30:00Z"}, None),
        ({"sentAt": "2026-06-06T18:29:00Z"}, "sentAt"),
    ],
)
def test_timestamp_falls_back_to_original_timestamp_then_sent_at(
    times: dict[str, str], used: str | None
) -> None:
    result = preview({"type": "track", "event": "Signed Up", "userId": "u1", **times})
    assert result.request.body["eventTime"] == "2026-06-06T18:29:00+0000"
    fallbacks = [f for f in result.findings if f.code == "timestamp-fallback"]
    if used == "timestamp":
        assert fallbacks == []
    else:
        [fallback] = fallbacks
        assert fallback.path == f"$.{used or 'originalTimestamp'}"


def test_message_id_becomes_the_x_request_id_in_hex() -> None:
    result = preview(
        {"type": "track", "event": "Signed Up", "userId": "u1", "messageId": COMMON_MESSAGE_ID}
    )
    assert result.request.headers["x-request-id"] == "022bb90cbbac11e48dfcaa07a5b093db"
    note = next(f for f in result.findings if f.code == "request-id-from-message")
    assert "duplicate" in note.message and "4 hours" in note.message
    # analytics.js's ids are not UUIDs: a stable hex id of them
    other = request_id_for("ajs-next-1717698541002-9a3f")
    assert other == request_id_for("ajs-next-1717698541002-9a3f") and int(other, 16) >= 0
    assert len(other) == 32


@pytest.mark.parametrize("kind", ["TRACK", "Track", "track"])
def test_type_in_any_case(kind: str) -> None:
    result = preview({"type": kind, "event": "Logged In", "userId": "u1"})
    assert not result.has_errors and result.request.body["eventName"] == "Logged In"


def test_identify_takes_traits_from_context_traits() -> None:
    """RudderStack's JavaScript SDK sends identify traits in context.traits."""
    result = preview(
        {
            "type": "IDENTIFY",
            "userId": "johndoe",
            "context": {
                "traits": {"email": "john@example.com", "firstName": "John", "plan": "pro"}
            },
        }
    )
    assert result.endpoint is Endpoint.USERS and not result.has_errors
    assert result.request.body == {
        "userId": "johndoe",
        "email": "john@example.com",
        "firstName": "John",
        "attributes": {"plan": "pro"},
    }
    assert "traits ← $.context.traits" in result.findings[0].message


def test_identify_traits_win_over_context_traits() -> None:
    result = preview(
        {
            "type": "identify",
            "userId": "u1",
            "traits": {"email": "new@example.com"},
            "context": {"traits": {"email": "old@example.com", "company": "Initech"}},
        }
    )
    assert result.request.body["email"] == "new@example.com"
    assert result.request.body["company"] == "Initech"


def test_page_keeps_name_and_category_in_event_data() -> None:
    result = preview(
        {
            "type": "page",
            "name": "Checkout",
            "category": "Shop",
            "anonymousId": "507f191e810c19729de860ea",
            "properties": {"path": "/checkout"},
        }
    )
    body = result.request.body
    assert body["eventName"] == "Page Viewed"  # the spec's page name stays
    assert body["eventData"] == {"path": "/checkout", "name": "Checkout", "category": "Shop"}


def test_a_screen_call_is_a_custom_event_named_from_its_name() -> None:
    result = preview({"type": "screen", "name": "Home", "userId": "u1", "properties": {"a": 1}})
    assert result.request.body["eventName"] == "Viewed Home Screen"
    note = next(f for f in result.findings if f.code == "screen-as-event")
    assert "Viewed Home Screen" in note.message
    assert result.request.body["eventData"] == {"a": 1, "name": "Home"}


@pytest.mark.parametrize("kind", ["alias", "group", "GROUP"])
def test_alias_and_group_are_explained_as_not_delivered(kind: str) -> None:
    raw = {"type": kind, "userId": "u1", "previousId": "anon-1", "groupId": "g1"}
    result = preview(raw)
    assert result.mapped is None and result.has_errors
    [not_delivered] = [f for f in result.findings if f.code == "not-delivered"]
    assert "not delivered to WebEngage" in not_delivered.message
    assert kind.lower() in not_delivered.message


def test_a_segment_null_anonymous_id_is_no_identity_of_its_own() -> None:
    """Segment's and RudderStack's Python SDKs send "anonymousId": null when there is none."""
    result = preview({"type": "track", "event": "Signed Up", "userId": "u1", "anonymousId": None})
    assert result.request.body["userId"] == "u1" and not result.has_errors


def test_a_batch_envelope_is_its_items_with_the_envelope_sent_at(tmp_path: Path) -> None:
    events = read_events(FORMATS / "rudderstack-batch.json")
    assert len(events) == 3
    results = [preview(raw) for raw in events]
    assert [r.endpoint for r in results] == [Endpoint.USERS, Endpoint.EVENTS, Endpoint.EVENTS]
    assert [r.request.body.get("eventName") for r in results[1:]] == [
        "Added to Cart",
        "Viewed Checkout Screen",
    ]
    assert all(not r.has_errors for r in results), [f.line() for r in results for f in r.findings]
    envelope = {"batch": [{"type": "track", "event": "Signed Up", "userId": "u1"}], "sentAt": "X"}
    assert expand(envelope) == [
        {"sentAt": "X", "type": "track", "event": "Signed Up", "userId": "u1"}
    ]
    ndjson = tmp_path / "batches.ndjson"
    ndjson.write_text(json.dumps(envelope) + "\n" + json.dumps(envelope) + "\n")
    assert len(read_events(ndjson)) == 2


def test_the_own_dialect_is_read_as_before() -> None:
    result = preview({"event": "Signed Up", "user_id": "u1", "timestamp": "2026-06-06T18:29:00Z"})
    assert result.format == Format.SIGNAL.value
    assert not any(f.code == "format-read" for f in result.findings)


def test_a_webengage_body_is_un_mapped_and_sends_the_same_body() -> None:
    body = {
        "userId": "johndoe",
        "eventName": "Added to Cart",
        "eventTime": "2026-06-06T18:29:00+0000",
        "eventData": {"orderId": "ORD-1", "amount": 3},
    }
    result = preview(body)
    assert result.format == Format.WEBENGAGE_EVENT.value
    assert result.request.body == body
    user = {"userId": "johndoe", "email": "a@b.co", "attributes": {"plan": "pro"}}
    users = preview(user)
    assert users.format == Format.WEBENGAGE_USER.value and users.request.body == user
    bulk = expand({"events": [body, body]})
    assert [preview(item).request.body for item in bulk] == [body, body]
