"""The sandbox's body checks (step 5): each rejection is a 400 with a message that names the problem."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_sandbox import WORKED_EXAMPLE, message, post
from tui.sandbox import Sandbox
from tui.webengage.api import MISSING_IDENTITY_MESSAGE


def event(**changes: Any) -> dict[str, Any]:
    body = {**WORKED_EXAMPLE, **changes}
    return {k: v for k, v in body.items() if v is not ...}


def attrs(count: int, value: Any) -> dict[str, Any]:
    return {f"a{i}": value for i in range(count)}


REJECTED: list[tuple[str, Any, str]] = [
    ("not json", b"{nope", "Invalid JSON"),
    ("empty body", b"", "the body is empty"),
    ("not utf-8", b'{"userId": "\xff"}', "not UTF-8"),
    ("array", [WORKED_EXAMPLE], "must be a JSON object, not an array"),
    ("NaN", b'{"userId":"u","eventName":"x","eventData":{"v":NaN}}', "NaN is not a JSON value"),
    ("no identity", event(userId=...), MISSING_IDENTITY_MESSAGE),
    ("empty identities", event(userId="", anonymousId=""), MISSING_IDENTITY_MESSAGE),
    ("null identity", event(userId=None), MISSING_IDENTITY_MESSAGE),
    ("blank identity", event(userId="   "), MISSING_IDENTITY_MESSAGE),
    ("numeric userId", event(userId=42), "userId must be a string, not a number"),
    ("long userId", event(userId="u" * 101), "userId is 101 characters long"),
    ("no eventName", event(eventName=...), "eventName is required"),
    ("empty eventName", event(eventName=""), "eventName is required"),
    ("we_ eventName", event(eventName="we_checkout"), "reserved prefix 'we_'"),
    ("long eventName", event(eventName="E" * 51), "names must be at most 50"),
    ("we_ attribute", event(eventData={"we_total": 1}), "reserved prefix 'we_'"),
    ("long attribute", event(eventData={"a" * 51: 1}), "names must be at most 50"),
    ("empty attribute", event(eventData={"": 1}), "empty name"),
    ("eventData array", event(eventData=[1]), "eventData must be a JSON object"),
    ("bad eventTime", event(eventTime="2026-06-06 18:29"), "eventTime must be a date like"),
    ("impossible eventTime", event(eventTime="2026-13-06T18:29:00+0000"), "eventTime must be"),
    ("long string", event(eventData={"s": "x" * 1001}), "at most 1000"),
    ("26 strings", event(eventData=attrs(26, "x")), "26 attributes of type String"),
    ("26 numbers", event(eventData=attrs(26, 1)), "type Number"),
    ("26 dates", event(eventData=attrs(26, "2026-06-06T18:29:00+0000")), "type Date"),
]


@pytest.mark.parametrize(
    ("body", "expected"), [r[1:] for r in REJECTED], ids=[r[0] for r in REJECTED]
)
def test_event_rejections(sandbox: Sandbox, body: Any, expected: str) -> None:
    response = post(sandbox, body)
    assert response.status_code == 400
    assert expected in message(response)
    assert response.headers["X-RateLimit-Limit"] == "5000"  # authenticated: headers present
    assert sandbox.accepted() == []


ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("worked example", WORKED_EXAMPLE),
    ("anonymous only", event(userId=..., anonymousId="anon-1")),
    ("both ids", event(anonymousId="anon-1")),
    ("no eventTime", event(eventTime=...)),
    ("no eventData", event(eventData=...)),
    ("50-char names", event(eventName="E" * 50, eventData={"a" * 50: 1})),
    ("1000-char string", event(eventData={"s": "x" * 1000})),
    ("25 of each type", event(eventData={**attrs(25, "x"), **{f"n{i}": i for i in range(25)}})),
    ("nulls ignored", event(eventData={**attrs(25, "x"), **{f"z{i}": None for i in range(30)}})),
    ("we_ inside an object", event(eventData={"cart": {"we_x": 1}})),
    ("unknown field", event(extra=True)),
]


@pytest.mark.parametrize("body", [a[1] for a in ACCEPTED], ids=[a[0] for a in ACCEPTED])
def test_event_accepted(sandbox: Sandbox, body: dict[str, Any]) -> None:
    response = post(sandbox, body)
    assert response.status_code == 200, response.text
    assert sandbox.accepted()[-1]["body"] == body


def test_users(sandbox: Sandbox) -> None:
    user = {
        "userId": "johndoe",
        "firstName": "John",
        "birthDate": "1990-02-01T00:00:00+0000",
        "gender": "nonsense",  # WebEngage documents the values, not a rejection: accepted
        "emailOptIn": True,
        "attributes": {"plan": "gold", "bio": "b" * 1500},
    }
    assert post(sandbox, user, endpoint="users").status_code == 200
    stored = sandbox.accepted()[-1]
    assert stored["endpoint"] == "users"
    # WebEngage's docs: over-long user attribute strings are truncated, not rejected.
    assert stored["body"]["attributes"]["bio"] == "b" * 1000
    for body, expected in [
        ({"email": "a@b.c"}, MISSING_IDENTITY_MESSAGE),
        ({"userId": "u", "email": 5}, "email must be a string"),
        ({"userId": "u", "smsOptIn": "yes"}, "smsOptIn must be true or false"),
        ({"userId": "u", "birthDate": "01/02/1990"}, "birthDate must be a date"),
        ({"userId": "u", "attributes": {"we_score": 1}}, "reserved prefix 'we_'"),
        ({"userId": "u", "attributes": []}, "attributes must be a JSON object"),
    ]:
        response = post(sandbox, body, endpoint="users")
        assert response.status_code == 400, body
        assert expected in message(response)


def test_bulk(sandbox: Sandbox) -> None:
    ok = post(sandbox, {"events": [WORKED_EXAMPLE] * 25}, endpoint="bulk-events")
    assert ok.status_code == 200
    assert ok.json() == {"response": {"status": "queued"}}
    assert len(sandbox.accepted()[-1]["body"]["events"]) == 25
    assert post(sandbox, {"users": [{"userId": "u"}]}, endpoint="bulk-users").status_code == 200
    for endpoint, body, expected in [
        ("bulk-events", {"events": [WORKED_EXAMPLE] * 26}, "26 events in one call; at most 25"),
        ("bulk-events", {"events": []}, "at least one item"),
        ("bulk-events", {"users": [WORKED_EXAMPLE]}, '{"events": [ ... ]}'),
        (
            "bulk-events",
            {"events": [WORKED_EXAMPLE, event(userId=...)]},
            f"events[1]: {MISSING_IDENTITY_MESSAGE}",
        ),
        ("bulk-events", {"events": [3]}, "events[0]: each item must be a JSON object"),
        (
            "bulk-users",
            {"users": [{"userId": "u"}, {"userId": "v", "attributes": {"we_x": 1}}]},
            "users[1]: ",
        ),
    ]:
        response = post(sandbox, body, endpoint=endpoint)
        assert response.status_code == 400, body
        assert expected in message(response)
    assert len(sandbox.accepted()) == 2  # a bulk call is never half-accepted


def test_body_too_large_is_413_in_json(make_sandbox: Any) -> None:
    sandbox = make_sandbox(max_body_bytes=2048)
    response = post(sandbox, event(eventData={"s": "x" * 900, "t": "y" * 900, "u": "z" * 900}))
    assert response.status_code == 413
    assert "at most 2048 bytes" in message(response)
