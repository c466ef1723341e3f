"""Mapping (PRODUCT.md §3): names, identity, eventTime, flattening, renames, dates, nulls, /users, trace."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tui.mapping.blueprint import blueprint_from_toml, default_blueprint
from tui.mapping.mapper import Mapped, child_path, map_event
from tui.mapping.signal import coerce_event
from tui.mapping.validation import validate
from tui.webengage.api import Endpoint
from tui.webengage.findings import Severity

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime(2026, 6, 6, 18, 30, 5, 123456, tzinfo=UTC)


def mapped(raw: dict[str, Any]) -> Mapped:
    event, _ = coerce_event(raw)
    assert event is not None
    return map_event(event, default_blueprint(), NOW)


def codes(result: Mapped) -> list[str]:
    return [f.code for f in result.findings]


def checked_codes(result: Mapped) -> list[str]:
    """The mapping's findings and validation's (which checks the /users fields), as the preview."""
    return codes(result) + [f.code for f in validate(result)]


def test_worked_example_gives_exactly_the_spec_body() -> None:
    raw = json.loads((FIXTURES / "worked-example.json").read_text())
    expected = json.loads((FIXTURES / "worked-example.expected.json").read_text())
    result = mapped(raw)
    assert result.endpoint is Endpoint.EVENTS
    assert result.body == expected
    assert list(result.body) == ["userId", "eventName", "eventTime", "eventData"]
    assert result.findings == []


@pytest.mark.parametrize(
    ("file", "event_name"),
    [
        ("page.json", "Page Viewed"),
        ("signed-up.json", "Signed Up"),
        ("logged-in.json", "Logged In"),
        ("products-searched.json", "Searched"),
        ("product-viewed.json", "Product Viewed"),
        ("product-added.json", "Added to Cart"),
        ("product-removed.json", "Removed from Cart"),
        ("checkout-started.json", "Checkout Started"),
        ("order-completed.json", "Order Completed"),
        ("order-refunded.json", "Order Refunded"),
    ],
)
def test_each_mapped_event(file: str, event_name: str) -> None:
    result = mapped(json.loads((FIXTURES / "events" / file).read_text()))
    assert result.endpoint is Endpoint.EVENTS
    assert result.event_name == result.body["eventName"] == event_name
    assert "not-in-blueprint" not in codes(result)


def test_custom_event_passes_through_with_a_note() -> None:
    result = mapped({"event": "Wishlist Shared", "anonymous_id": "a"})
    assert result.body["eventName"] == "Wishlist Shared"
    assert "not-in-blueprint" in codes(result)
    assert any(t.note.startswith("not in blueprint") for t in result.trace)


def test_identity_prefers_user_id_and_says_why() -> None:
    result = mapped({"event": "Logged In", "user_id": "u1", "anonymous_id": "a1"})
    assert result.body["userId"] == "u1" and "anonymousId" not in result.body
    warning = next(f for f in result.findings if f.code == "anonymous-id-not-sent")
    assert warning.severity is Severity.WARNING and "ignores anonymousId" in warning.message
    assert [t.change for t in result.trace if t.source == "$.anonymous_id"] == ["dropped"]


def test_empty_user_id_falls_back_to_anonymous_id() -> None:
    result = mapped({"event": "Logged In", "user_id": "", "anonymous_id": "a1"})
    assert result.body["anonymousId"] == "a1" and "userId" not in result.body


def test_no_identity_is_an_error() -> None:
    result = mapped({"event": "Logged In"})
    assert "userId" not in result.body and "anonymousId" not in result.body
    assert [(f.severity, f.code) for f in result.findings] == [(Severity.ERROR, "missing-identity")]


@pytest.mark.parametrize(
    ("timestamp", "event_time"),
    [
        ("2026-06-06T18:29:00Z", "2026-06-06T18:29:00+0000"),
        ("2026-06-06T23:59:00.999+05:30", "2026-06-06T18:29:00+0000"),
        ("2026-06-06T18:29:00", "2026-06-06T18:29:00+0000"),
        ("2026-06-06T14:29:00-04:00", "2026-06-06T18:29:00+0000"),
    ],
)
def test_event_time_is_utc_without_fractions(timestamp: str, event_time: str) -> None:
    assert (
        mapped({"event": "A", "user_id": "u", "timestamp": timestamp}).body["eventTime"]
        == event_time
    )


def test_missing_timestamp_means_now() -> None:
    result = mapped({"event": "A", "user_id": "u"})
    assert result.body["eventTime"] == "2026-06-06T18:30:05+0000"
    assert any(t.change == "event_time" and "now" in t.note for t in result.trace)


def test_unparseable_timestamp_is_an_error_and_not_sent() -> None:
    result = mapped({"event": "A", "user_id": "u", "timestamp": "next tuesday"})
    assert "eventTime" not in result.body
    assert "timestamp-unparseable" in codes(result)


def test_flatten_then_rename_then_dates_then_nulls() -> None:
    result = mapped(
        {
            "event": "Order Completed",
            "user_id": "u",
            "properties": {
                "order_id": "O-2",
                "shipping": {"city": "Pune", "address": {"zip": "411001"}, "note": None},
                "revenue": 10,
                "shipped_at": "2026-06-07T09:00:00.5+05:30",
                "day": "2026-06-07",
                "products": [{"meta": {"a": 1}, "when": "2026-06-07T09:00:00Z", "x": None}],
            },
        }
    )
    data = result.body["eventData"]
    assert list(data) == [
        "orderId",
        "shipping_city",
        "shipping_address_zip",
        "amount",
        "shipped_at",
        "day",
        "products",
    ]
    assert data["shipped_at"] == "2026-06-07T03:30:00+0000"
    assert data["day"] == "2026-06-07"  # a date without time stays a string
    assert data["products"] == [{"meta": {"a": 1}, "when": "2026-06-07T09:00:00Z", "x": None}]
    assert "null-dropped" in codes(result)


def test_renames_use_the_flattened_name() -> None:
    result = mapped({"event": "A", "user_id": "u", "properties": {"order": {"id": "O-1"}}})
    assert result.body["eventData"] == {"orderId": "O-1"}
    change = next(t for t in result.trace if t.source == "$.properties.order.id")
    assert change.change == "renamed" and "flattened" in change.note


def test_a_blueprint_without_renames_keeps_names() -> None:
    blueprint = blueprint_from_toml('name = "x"', "x.toml")
    event, _ = coerce_event({"event": "A", "user_id": "u", "properties": {"order_id": "O-1"}})
    assert event is not None
    assert map_event(event, blueprint, NOW).body["eventData"] == {"order_id": "O-1"}


@pytest.mark.parametrize(
    "properties",
    [
        {"shipping_city": "Pune", "shipping": {"city": "Mumbai"}},
        {"order_id": "O-1", "orderId": "O-2"},
        {"revenue": 1, "amount": 2},
    ],
)
def test_two_properties_to_one_attribute_is_an_error(properties: dict[str, Any]) -> None:
    result = mapped({"event": "A", "user_id": "u", "properties": properties})
    error = next(f for f in result.findings if f.code == "duplicate-attribute")
    assert error.severity is Severity.ERROR and "both become" in error.message


def test_identify_goes_to_users() -> None:
    result = mapped(json.loads((FIXTURES / "identify.json").read_text()))
    assert result.endpoint is Endpoint.USERS
    assert result.body == {
        "userId": "johndoe",
        "email": "john.doe@example.com",
        "phone": "+919812345678",
        "firstName": "John",
        "lastName": "Doe",
        "birthDate": "1990-05-17T00:00:00+0000",
        "gender": "male",
        "company": "Example Perfumery",
        "emailOptIn": True,
        "whatsappOptIn": False,
        "attributes": {"plan": "gold", "signup_source": "checkout"},
    }
    assert codes(result) == ["anonymous-id-not-sent"]


@pytest.mark.parametrize(
    ("gender", "sent", "warned"),
    [("F", "female", False), ("Male", "male", False), ("other", "other", False), ("x", "x", True)],
)
def test_gender_is_normalised(gender: str, sent: str, warned: bool) -> None:
    result = mapped({"type": "identify", "user_id": "u", "traits": {"gender": gender}})
    assert result.body["gender"] == sent
    assert ("invalid-gender" in checked_codes(result)) is warned


@pytest.mark.parametrize(
    ("phone", "warned"), [("+551155256325", False), ("98123 45678", True), (5511, True)]
)
def test_phone_must_be_e164(phone: object, warned: bool) -> None:
    result = mapped({"type": "identify", "user_id": "u", "traits": {"phone": phone}})
    assert ("invalid-phone" in checked_codes(result)) is warned


def test_identify_traits_duplicates_and_nested_attributes() -> None:
    result = mapped(
        {
            "type": "identify",
            "anonymous_id": "a",
            "traits": {"first_name": "A", "firstName": "B", "address": {"city": "Pune"}, "x": None},
        }
    )
    assert result.body["attributes"] == {"address_city": "Pune"}
    assert "duplicate-attribute" in codes(result) and "null-dropped" in codes(result)


def test_trace_accounts_for_every_signal_field() -> None:
    result = mapped(
        {
            "type": "track",
            "event": "Product Added",
            "user_id": "u",
            "anonymous_id": "a",
            "timestamp": "2026-06-06T18:29:00Z",
            "properties": {
                "order_id": "O",
                "shipping": {"city": "Pune"},
                "at": "2026-06-06T18:29:00Z",
                "gone": None,
                "price": 1,
            },
            "traits": {"plan": "gold"},
            "context": {"ip": "1.2.3.4"},
        }
    )
    changes = {t.source: t.change for t in result.trace}
    assert changes == {
        "$.type": "dropped",
        "$.event": "event_name",
        "$.user_id": "identity",
        "$.anonymous_id": "dropped",
        "$.timestamp": "event_time",
        "$.properties.order_id": "renamed",
        "$.properties.shipping.city": "flattened",
        "$.properties.at": "date",
        "$.properties.gone": "dropped",
        "$.properties.price": "unchanged",
        "$.traits": "dropped",
        "$.context": "dropped",
    }
    targets = {t.source: t.target for t in result.trace}
    assert targets["$.properties.shipping.city"] == "$.eventData.shipping_city"
    assert targets["$.event"] == "$.eventName"
    assert all(t.note for t in result.trace if t.change == "dropped")


def test_page_trace_names_the_event_from_type() -> None:
    result = mapped({"type": "page", "anonymous_id": "a", "properties": {"path": "/"}})
    assert ("$.type", "$.eventName", "event_name") in [
        (t.source, t.target, t.change) for t in result.trace
    ]


def test_paths_quote_awkward_names() -> None:
    assert child_path("$.properties", "order_id") == "$.properties.order_id"
    assert child_path("$.properties", "Order Id") == '$.properties["Order Id"]'
    assert child_path("$.properties", "città") == '$.properties["città"]'


def test_absurdly_deep_objects_do_not_exhaust_the_stack() -> None:
    deep: dict[str, Any] = {}
    cursor = deep
    for _ in range(5000):
        cursor["a"] = {}
        cursor = cursor["a"]
    cursor["a"] = 1
    result = mapped({"event": "A", "user_id": "u", "properties": deep})
    assert "too-deep" in codes(result)


def test_the_builders_make_plain_values() -> None:
    from dataclasses import asdict, replace

    from tui.mapping.mapper import FieldTrace, finding, trace
    from tui.webengage.findings import Finding

    built = trace("$.a", "$.b", "renamed", "a → b")
    assert built == FieldTrace(source="$.a", target="$.b", change="renamed", note="a → b")
    assert replace(built, note="x").note == "x"
    assert FieldTrace(**asdict(built)) == built
    made = finding(Severity.ERROR, "$.x", "m", "f", "c")
    assert made == Finding(severity=Severity.ERROR, path="$.x", message="m", fix="f", code="c")
    assert made.line() == "error   $.x: m (fix: f)"
    assert made.to_json() == {
        "severity": "error",
        "path": "$.x",
        "message": "m",
        "fix": "f",
        "code": "c",
    }
    assert hash(made) == hash(replace(made))  # frozen: hashable, as the model was
    result = mapped({"event": "A", "user_id": "u"})
    fields = {name: getattr(result, name) for name in ("endpoint", "event_name", "body")}
    assert Mapped(**fields, trace=list(result.trace), findings=list(result.findings)) == result


def test_wrong_typed_fields_are_traced_as_dropped_with_the_reason() -> None:
    result = mapped(
        {
            "type": 3,
            "event": "A",
            "user_id": ["u"],
            "anonymous_id": "a",
            "timestamp": 1,
            "properties": "x",
        }
    )
    dropped = {t.source: t.note for t in result.trace if t.change == "dropped"}
    assert dropped["$.user_id"] == "user_id must be a string, got an array"
    assert dropped["$.timestamp"].startswith("timestamp must be an ISO 8601 string")
    assert dropped["$.properties"].startswith("properties must be an object")
    assert dropped["$.type"].endswith("treated as track")
    assert [t.source for t in result.trace].count("$.type") == 1


def test_event_time_pads_early_years() -> None:
    result = mapped({"event": "A", "user_id": "u", "timestamp": "0999-01-01T00:00:00Z"})
    assert result.body["eventTime"] == "0999-01-01T00:00:00+0000"
