"""What the preview says about both ids, and about a date-time without a time zone.

Sources: WebEngage's events doc as quoted in /work/shared/webengage-api.md, "Event body": "if both
are sent WebEngage ignores `anonymousId` (sending both does not merge profiles)"; `eventTime` and
Date attributes are `yyyy-MM-ddTHH:mm:ss±hhmm`, an offset always written, and `birthDate` takes the
same format ("User body"). A Signal time with no offset is therefore a guess (UTC) and is said so.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_sandbox import post
from tui.live.checks import body_findings
from tui.mapping.preview import Preview, preview_event
from tui.sandbox import Sandbox
from tui.webengage.api import Endpoint
from tui.webengage.findings import Finding, Severity
from tui.webengage.request import Connection


def only(preview: Preview, code: str) -> list[Finding]:
    return [f for f in preview.findings if f.code == code]


def test_both_ids_say_webengage_does_not_merge(sandbox_connection: Connection) -> None:
    raw = {"event": "Logged In", "user_id": "u-1", "anonymous_id": "anon-1"}
    preview = preview_event(raw, sandbox_connection)
    assert preview.request.body["userId"] == "u-1" and "anonymousId" not in preview.request.body
    [note] = only(preview, "anonymous-id-not-sent")
    assert note.severity is Severity.WARNING
    assert "ignores anonymousId" in note.message
    assert "does not merge the anonymous profile into the known one" in note.message
    assert "links" not in note.fix and "stitch" not in note.fix


@pytest.mark.parametrize(
    ("raw", "path", "sent"),
    [
        (
            {"event": "A", "user_id": "u", "timestamp": "2026-06-06T18:29:00"},
            "$.timestamp",
            ("eventTime", "2026-06-06T18:29:00+0000"),
        ),
        (
            {"event": "A", "user_id": "u", "properties": {"at": "2026-06-07T09:00:00.5"}},
            "$.properties.at",
            ("eventData", {"at": "2026-06-07T09:00:00+0000"}),
        ),
        (
            {"type": "identify", "user_id": "u", "traits": {"birthday": "1990-05-17T08:00"}},
            "$.traits.birthday",
            ("birthDate", "1990-05-17T08:00:00+0000"),
        ),
        (
            {"type": "identify", "user_id": "u", "traits": {"seen": "2026-06-07 09:00:00"}},
            "$.traits.seen",
            None,  # not rewritten (a space, not T): a String attribute, no date to speak of
        ),
    ],
)
def test_a_date_time_without_a_time_zone_warns(
    sandbox: Sandbox,
    sandbox_connection: Connection,
    raw: dict[str, Any],
    path: str,
    sent: tuple[str, Any] | None,
) -> None:
    preview = preview_event(raw, sandbox_connection)
    found = only(preview, "no-time-zone")
    if sent is None:
        assert found == []
        return
    [warning] = found
    assert (warning.severity, warning.path) == (Severity.WARNING, path)
    assert warning.message.endswith("has no time zone: taken as UTC")
    field, value = sent
    assert preview.request.body[field] == value
    endpoint = "users" if raw.get("type") == "identify" else "events"
    assert post(sandbox, preview.request.body, endpoint=endpoint).status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        {"event": "A", "user_id": "u", "timestamp": "2026-06-06T18:29:00Z"},
        {"event": "A", "user_id": "u", "timestamp": "2026-06-06T23:59:00+05:30"},
        {"event": "A", "user_id": "u", "properties": {"day": "2026-06-07"}},
        {"type": "identify", "user_id": "u", "traits": {"birthday": "1990-05-17"}},
        {"type": "identify", "user_id": "u", "traits": {"birthday": "1990-05-17T00:00:00+0000"}},
    ],
)
def test_a_zone_or_a_plain_date_says_nothing(
    sandbox_connection: Connection, raw: dict[str, Any]
) -> None:
    """A date alone is a calendar day: it has no time zone to miss."""
    assert only(preview_event(raw, sandbox_connection), "no-time-zone") == []


@pytest.mark.parametrize(
    ("event_time", "refused"),
    [
        ("2026-06-06T18:29:00+0000", False),
        ("2026-06-06T18:29:00", True),  # no offset: the mapping would take it as UTC
        ("2026-06-06T18:29:00Z", True),  # ISO 8601, but not WebEngage's format
        ("next tuesday", True),
        (1780770540, True),
    ],
)
def test_a_body_sent_as_is_needs_webengages_own_event_time(
    sandbox: Sandbox, event_time: Any, refused: bool
) -> None:
    """The relay's checks on a body as an integration sent it: eventTime must be in WebEngage's
    format itself (webengage-api.md, "Event body"), an error exactly where the sandbox says 400."""
    body = {"userId": "u-1", "eventName": "Order Completed", "eventTime": event_time}
    found = [f for f in body_findings(Endpoint.EVENTS, body) if f.code == "timestamp-unparseable"]
    assert len(found) == int(refused)
    if found:
        assert found[0].severity is Severity.ERROR and found[0].path == "$.eventTime"
    assert post(sandbox, body).status_code == (400 if refused else 200)
