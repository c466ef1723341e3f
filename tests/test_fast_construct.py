"""`tui.webengage.fast.construct` (build_request's speed trick) builds the same model validation does,
and a Finding (a plain dataclass now) goes in and out of a LogEntry's JSON as it did as a model."""

from __future__ import annotations

from tui.webengage.api import Endpoint
from tui.webengage.entry import LogEntry
from tui.webengage.fast import construct
from tui.webengage.findings import Finding, Severity
from tui.webengage.request import Connection, WebEngageRequest, build_request


def test_construct_equals_validation() -> None:
    values = {
        "method": "POST",
        "endpoint": Endpoint.EVENTS,
        "url": "https://api.webengage.com/v1/accounts/x/events",
        "headers": {"Authorization": "Bearer (no key)", "Content-Type": "application/json"},
        "body": {"eventName": "A", "eventData": {"n": 1}},
    }
    fast = construct(WebEngageRequest, dict(values))
    slow = WebEngageRequest.model_validate(values)
    assert fast == slow
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_fields_set == slow.model_fields_set
    assert build_request(Connection(license_code="x"), Endpoint.EVENTS, values["body"]) == slow


# A history row as written while Finding was a pydantic model (the JSON of its fields, in order).
OLD_ROW_FINDINGS = (
    '[{"severity":"error","path":"$.properties.we_x","message":"reserved","fix":"rename it",'
    '"code":"reserved-name"},{"severity":"info","path":"$","message":"m","fix":"f","code":""}]'
)


def test_findings_in_a_log_entry_read_and_write_as_before() -> None:
    request = build_request(Connection(license_code="x"), Endpoint.EVENTS, {"eventName": "A"})
    text = LogEntry(request=request).model_dump_json()
    text = text.replace('"findings":[]', f'"findings":{OLD_ROW_FINDINGS}')
    entry = LogEntry.model_validate_json(text)
    assert entry.findings == (
        Finding(Severity.ERROR, "$.properties.we_x", "reserved", "rename it", "reserved-name"),
        Finding(Severity.INFO, "$", "m", "f"),
    )
    assert entry.findings[0].severity is Severity.ERROR
    assert entry.model_dump_json() == text
    assert [f.to_json() for f in entry.findings] == entry.model_dump(mode="json")["findings"]
    assert hash(entry.findings[0]) == hash(entry.findings[0])
