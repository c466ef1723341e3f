"""Exports: curl, HAR 1.2 (validated against a schema written from the spec), Markdown evidence pack."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.test_history import KEY, finish, make_entry
from tui.delivery.exports import (
    entries_to_har,
    entry_to_curl,
    evidence_markdown,
    har_text,
    mask_license_code,
)
from tui.webengage.entry import Attempt, LogEntry
from tui.webengage.findings import Finding, Severity
from tui.webengage.outcomes import NetworkFailure, Outcome, hint_for

# HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): the required members and their types.
_NV = {
    "type": "object",
    "required": ["name", "value"],
    "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
}
_NV_LIST = {"type": "array", "items": _NV}
HAR_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["log"],
    "properties": {
        "log": {
            "type": "object",
            "required": ["version", "creator", "entries"],
            "properties": {
                "version": {"const": "1.2"},
                "creator": {
                    "type": "object",
                    "required": ["name", "version"],
                    "properties": {"name": {"type": "string"}, "version": {"type": "string"}},
                },
                "pages": {"type": "array"},
                "entries": {"type": "array", "items": {"$ref": "#/$defs/entry"}},
            },
        }
    },
    "$defs": {
        "entry": {
            "type": "object",
            "required": ["startedDateTime", "time", "request", "response", "cache", "timings"],
            "properties": {
                "startedDateTime": {
                    "type": "string",
                    "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$",
                },
                "time": {"type": "number", "minimum": 0},
                "request": {
                    "type": "object",
                    "required": [
                        "method",
                        "url",
                        "httpVersion",
                        "cookies",
                        "headers",
                        "queryString",
                        "headersSize",
                        "bodySize",
                    ],
                    "properties": {
                        "method": {"type": "string"},
                        "url": {"type": "string", "pattern": "^https?://"},
                        "httpVersion": {"type": "string"},
                        "cookies": {"type": "array"},
                        "headers": _NV_LIST,
                        "queryString": _NV_LIST,
                        "postData": {
                            "type": "object",
                            "required": ["mimeType"],
                            "properties": {
                                "mimeType": {"type": "string"},
                                "text": {"type": "string"},
                                "params": {"type": "array"},
                            },
                        },
                        "headersSize": {"type": "integer"},
                        "bodySize": {"type": "integer"},
                    },
                },
                "response": {
                    "type": "object",
                    "required": [
                        "status",
                        "statusText",
                        "httpVersion",
                        "cookies",
                        "headers",
                        "content",
                        "redirectURL",
                        "headersSize",
                        "bodySize",
                    ],
                    "properties": {
                        "status": {"type": "integer", "minimum": 0},
                        "statusText": {"type": "string"},
                        "httpVersion": {"type": "string"},
                        "cookies": {"type": "array"},
                        "headers": _NV_LIST,
                        "content": {
                            "type": "object",
                            "required": ["size", "mimeType"],
                            "properties": {
                                "size": {"type": "integer"},
                                "mimeType": {"type": "string"},
                                "text": {"type": "string"},
                            },
                        },
                        "redirectURL": {"type": "string"},
                        "headersSize": {"type": "integer"},
                        "bodySize": {"type": "integer"},
                    },
                },
                "cache": {"type": "object"},
                "timings": {
                    "type": "object",
                    "required": ["send", "wait", "receive"],
                    "properties": {
                        "send": {"type": "number", "minimum": 0},
                        "wait": {"type": "number", "minimum": 0},
                        "receive": {"type": "number", "minimum": 0},
                        "blocked": {"type": "number", "minimum": -1},
                        "dns": {"type": "number", "minimum": -1},
                        "connect": {"type": "number", "minimum": -1},
                        "ssl": {"type": "number", "minimum": -1},
                    },
                },
            },
            # custom members must start with an underscore (HAR 1.2, "Custom fields")
            "propertyNames": {
                "pattern": "^(_.*|startedDateTime|time|request|response|cache|timings|comment|pageref|serverIPAddress|connection)$"
            },
        }
    },
}


def network_failure_entry() -> LogEntry:
    entry = make_entry(5, event="Searched")
    return entry.model_copy(
        update={
            "outcome": Outcome.NETWORK,
            "attempts": [
                Attempt(
                    number=1,
                    started_at=entry.created_at,
                    latency_ms=3.0,
                    error="connection refused",
                    network_failure=NetworkFailure.REFUSED,
                )
            ],
            "hint": hint_for(
                Outcome.NETWORK,
                host=entry.host,
                license_code=entry.license_code,
                network_failure=NetworkFailure.REFUSED,
            ),
        }
    )


def sample_entries() -> list[LogEntry]:
    accepted = make_entry(1, outcome=Outcome.ACCEPTED, status=201)
    accepted = accepted.model_copy(
        update={
            "response_headers": {"Content-Type": "application/json", "X-RateLimit-Limit": "5000"},
            "findings": [
                Finding(severity=Severity.WARNING, path="$.properties.x", message="m", fix="f")
            ],
        }
    )
    auth = make_entry(2, outcome=Outcome.AUTH, status=401)
    auth = auth.model_copy(
        update={"response_body": '{"response":{"status":"error","message":"```nope```"}}'}
    )
    return [accepted, auth, network_failure_entry(), make_entry(4, event="Page Viewed")]


def test_curl_reads_the_key_from_the_environment() -> None:
    curl = entry_to_curl(make_entry(1))
    assert '-H "Authorization: Bearer $WEBENGAGE_API_KEY"' in curl
    assert KEY not in curl
    words = shlex.split(curl.replace("\\\n", " "))
    assert words[:4] == ["curl", "-sS", "-X", "POST"]
    body = json.loads(words[words.index("--data-raw") + 1])
    assert body["eventData"]["orderId"] == "o-1"


def test_har_validates_against_har_1_2() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    har = entries_to_har(sample_entries())
    jsonschema.validate(har, HAR_SCHEMA)
    # and survives a round trip through text, as a file would
    jsonschema.validate(json.loads(har_text(sample_entries())), HAR_SCHEMA)


def test_har_content() -> None:
    entries = sample_entries()
    har = entries_to_har(reversed(entries))  # sorted oldest first regardless
    log = har["log"]
    assert log["version"] == "1.2" and log["creator"]["name"] == "webengage-debugger"
    assert [e["_requestId"] for e in log["entries"]] == [e.request_id for e in entries]
    ok, auth, network, in_flight = log["entries"]
    assert ok["request"]["url"] == "https://api.in.webengage.com/v1/accounts/in~abc123/events"
    assert ok["request"]["postData"]["mimeType"] == "application/json"
    assert json.loads(ok["request"]["postData"]["text"])["eventName"] == "Order Completed"
    assert ok["response"]["status"] == 201 and ok["response"]["statusText"] == "Created"
    assert {"name": "X-RateLimit-Limit", "value": "5000"} in ok["response"]["headers"]
    assert ok["response"]["content"]["text"] == '{"response":{"status":"queued"}}'
    assert ok["time"] == 12.5 and ok["timings"]["wait"] == 12.5
    assert ok["startedDateTime"].endswith("Z")
    assert auth["response"]["status"] == 401 and auth["_outcome"] == "auth"
    assert network["response"]["status"] == 0
    assert network["response"]["_error"] == "connection refused"
    assert (
        in_flight["response"]["status"] == 0 and "never finished" in in_flight["response"]["_error"]
    )
    assert KEY not in json.dumps(har)


def test_mask_license_code() -> None:
    assert mask_license_code("sbx~demo") == "sbx~****"
    assert mask_license_code("in~58adcd12") == "in~****"
    assert mask_license_code("~15ba2c34") == "~15****"
    assert mask_license_code("82617417") == "826****"
    assert mask_license_code("abc") == "****"
    assert mask_license_code("") == "(none)"


def test_evidence_pack() -> None:
    entries = sample_entries()
    text = evidence_markdown(entries)
    assert text.startswith("# WebEngage delivery evidence")
    assert "4 deliveries" in text
    assert KEY not in text
    assert "in~abc123" not in text and "in~****" in text
    assert "https://api.in.webengage.com/v1/accounts/in~****/events" in text
    assert "| Host | api.in.webengage.com |" in text
    assert "| Data centre | India |" in text
    assert "| HTTP status | 401 |" in text
    assert "Rejected (401)" in text  # the hint
    assert "No response was received: connection refused" in text
    assert "| 1 | " in text and "12 ms" in text  # attempts table
    assert "| Outcome | in flight |" in text
    assert "$WEBENGAGE_API_KEY" in text
    assert "````" in text  # a body containing ``` gets a longer fence
    assert "warning" in text  # findings


def test_evidence_pack_for_one_entry_in_utc() -> None:
    entry = make_entry(1, created_at=datetime(2026, 6, 6, 18, 29, tzinfo=UTC))
    entry = finish(entry, Outcome.ACCEPTED, 200)
    text = evidence_markdown(entry)
    assert "1 delivery." in text
    assert "| Started (UTC) | 2026-06-06T18:29:00.000Z |" in text
    assert "Accepted: WebEngage queued the event." in text
