"""Findings on a WebEngage body as a server-side integration sent it (not on a Signal event).

Two sources, both the domain's own: `validate` runs on the body itself (names, `we_` prefixes,
lengths, types, counts, WebEngage's own user fields by `tui.webengage.user_rules`; its paths are the
body's, `$.eventData.we_x`), and the checks that live in the mapping and need a Signal event
(identity, the event name, eventTime) run on the body un-mapped (`tui.mapping.unmap`) and previewed
again; only their findings are kept, with their paths put back on the WebEngage body. (The user
fields are not taken from there: the mapping normalises `F` to `female` and `1990-05-17` to a
Date, but the body is forwarded as it is.) A bulk body is checked item by item.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import Any

from tui.mapping.blueprint import Blueprint, default_blueprint
from tui.mapping.mapper import Mapped, finding
from tui.mapping.preview import preview_event
from tui.mapping.unmap import NotEditable, signal_event_from_entry
from tui.mapping.validation import AnyKnownTypes, validate
from tui.webengage.api import (
    BULK_ITEMS_MAX,
    MISSING_IDENTITY_MESSAGE,
    NAME_MAX,
    RESERVED_PREFIX,
    Endpoint,
)
from tui.webengage.entry import LogEntry
from tui.webengage.findings import Finding, Severity
from tui.webengage.request import BULK_KEY, Connection, WebEngageRequest
from tui.webengage.types import is_webengage_date

FINDINGS_MAX = 50
"""At most this many findings per request (a bulk call of 25 broken events says enough by then)."""

EXAMPLE_TIME = "2026-06-06T18:29:00+0000"
_FROM_SIGNAL = ("missing-identity", "no-event-name")
"""The mapping's checks that also hold for a body written by hand (the rest concern the Signal
event itself, such as a custom event name missing from the blueprint). Not the timestamp's: the
mapping reads any ISO 8601 time, WebEngage only its own format (`_event_time`)."""
_SIGNAL_TO_BODY = {
    "$.user_id": "$.userId",
    "$.anonymous_id": "$.anonymousId",
    "$.event": "$.eventName",
    "$.type": "$.eventName",
    "$.timestamp": "$.eventTime",
}
_WORDS = {
    "missing-identity": (
        "no identity: neither userId nor anonymousId is set; WebEngage answers 400 "
        f"{MISSING_IDENTITY_MESSAGE!r}",
        "send userId (a known user) or anonymousId (a visitor)",
    ),
    "no-event-name": (
        "eventName is missing or empty; WebEngage needs one on /events",
        'name the event, e.g. "Order Completed"',
    ),
    "timestamp-unparseable": (
        "eventTime is not a date-time WebEngage can read",
        f"use WebEngage's format yyyy-MM-ddTHH:mm:ss+0000 (UTC), e.g. {EXAMPLE_TIME}",
    ),
}
"""The mapping's findings in the body's words (the mapping speaks of Signal's fields)."""
_FIXES = {
    "reserved-name": f"drop the {RESERVED_PREFIX} prefix: WebEngage reserves it for its own names",
    "name-too-long": f"shorten the name to under {NAME_MAX} characters",
    "invalid-birthdate": f"send it as yyyy-MM-ddTHH:mm:ss+0000 (UTC), e.g. {EXAMPLE_TIME}",
    "invalid-gender": 'send exactly "male", "female" or "other" (lower case)',
}
"""Fixes the validation words for the composer (a blueprint), said for a body sent as is."""
_SINGLE = {Endpoint.BULK_EVENTS: Endpoint.EVENTS, Endpoint.BULK_USERS: Endpoint.USERS}
_NOWHERE = Connection()


@cache
def _blueprint() -> Blueprint:
    return default_blueprint()


def _at(prefix: str, path: str) -> str:
    """`path` (from `$`) inside the item at `prefix` (`$.events[3]`)."""
    return prefix + path[1:] if prefix != "$" else path


def _moved(item: Finding, path: str, **changes: Any) -> Finding:
    return replace(item, path=path, **changes)


def not_json(problem: str) -> Finding:
    """The body is not JSON: WebEngage answers 400 (the relay forwards it anyway)."""
    return finding(
        Severity.ERROR,
        "$",
        f"the body is not valid JSON ({problem}); WebEngage answers 400",
        "send a JSON object (check how the integration serialises the body)",
        "not-json",
    )


def content_type_finding(content_type: str) -> Finding | None:
    """A warning unless the request says `application/json` (WebEngage's documented type)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json":
        return None
    said = f"is {content_type[:80]!r}" if content_type else "is missing"
    return finding(
        Severity.WARNING,
        "Content-Type",
        f"the Content-Type header {said}; WebEngage's REST API expects application/json",
        "send the header Content-Type: application/json",
        "content-type",
    )


def body_findings(
    endpoint: Endpoint,
    body: Any,
    *,
    known_types: AnyKnownTypes | None = None,
) -> list[Finding]:
    """What WebEngage would reject, lose or mis-type in `body` (a parsed JSON value) on `endpoint`."""
    if not endpoint.is_bulk:
        return _item_findings(endpoint, body, "$", known_types)[:FINDINGS_MAX]
    key = BULK_KEY[endpoint]
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list):
        return [
            finding(
                Severity.ERROR,
                f"$.{key}",
                f"a /{endpoint.value} body holds its items in a list under {key!r}",
                f'send {{"{key}": [...]}} with up to {BULK_ITEMS_MAX} items',
                "bulk-shape",
            )
        ]
    found: list[Finding] = []
    if len(items) > BULK_ITEMS_MAX:
        found.append(
            finding(
                Severity.ERROR,
                f"$.{key}",
                f"{len(items)} items; WebEngage takes at most {BULK_ITEMS_MAX} per bulk call",
                f"split the call into calls of {BULK_ITEMS_MAX}",
                "bulk-too-many",
            )
        )
    for index, item in enumerate(items):
        if len(found) >= FINDINGS_MAX:
            break
        found.extend(_item_findings(_SINGLE[endpoint], item, f"$.{key}[{index}]", known_types))
    return found[:FINDINGS_MAX]


def _item_findings(
    endpoint: Endpoint, item: Any, prefix: str, known_types: AnyKnownTypes | None
) -> list[Finding]:
    """One event or user body: the domain's validation on it, then the mapping's checks."""
    if not isinstance(item, dict):
        return [
            finding(
                Severity.ERROR,
                prefix,
                f"a /{endpoint.value} body must be a JSON object",
                'send an object such as {"userId": "...", "eventName": "..."}',
                "not-an-object",
            )
        ]
    name = str(item.get("eventName") or "") if endpoint is Endpoint.EVENTS else "identify"
    mapped = Mapped(endpoint=endpoint, event_name=name, body=item)
    found = [
        _moved(each, _at(prefix, each.path), fix=_FIXES.get(each.code, each.fix))
        for each in validate(mapped, known_types=known_types)
    ]
    if endpoint is Endpoint.EVENTS:
        found.extend(_event_time(item, prefix))
    return found + _mapping_findings(endpoint, item, prefix)


def _event_time(item: dict[str, Any], prefix: str) -> list[Finding]:
    """eventTime as WebEngage reads it, as the sandbox does: only `yyyy-MM-ddTHH:mm:ss±hhmm`
    (`2026-06-06T18:29:00`, which the mapping would take as UTC, is a 400)."""
    value = item.get("eventTime")
    if value is None or (isinstance(value, str) and is_webengage_date(value)):
        return []
    message, fix = _WORDS["timestamp-unparseable"]
    path = _at(prefix, "$.eventTime")
    return [finding(Severity.ERROR, path, message, fix, "timestamp-unparseable")]


def _mapping_findings(endpoint: Endpoint, item: dict[str, Any], prefix: str) -> list[Finding]:
    """The checks that need a Signal event: on the body un-mapped, paths back on the body."""
    request = WebEngageRequest(endpoint=endpoint, url="", headers={}, body=item)
    try:
        signal = signal_event_from_entry(LogEntry(request=request), _blueprint())
    except NotEditable:  # (only bulk calls and non-objects, both handled before)
        return []
    preview = preview_event(signal, _NOWHERE, _blueprint())
    targets = {t.source: t.target for t in (preview.mapped.trace if preview.mapped else ())}
    kept = []
    for each in preview.findings:
        if each.code not in _FROM_SIGNAL:
            continue
        path = _SIGNAL_TO_BODY.get(each.path) or targets.get(each.path) or each.path
        message, fix = _WORDS.get(each.code, (each.message, each.fix))
        if each.code == "missing-identity":
            path = "$.userId"
        kept.append(_moved(each, _at(prefix, path), message=message, fix=fix))
    return kept
