"""A parsed value as a `SignalEvent` (PRODUCT.md §2): `coerce_event` never raises, each field of the
wrong type is a Finding and is ignored (`tui.mapping.signal` reads the text and names both here).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from tui.mapping.mapped import finding
from tui.webengage.findings import Finding, Severity
from tui.webengage.request import int_too_long
from tui.webengage.types import json_type

SIGNAL_FIELDS = ("type", "event", "user_id", "anonymous_id", "timestamp", "properties", "traits")
_SIGNAL_FIELD_SET = frozenset(SIGNAL_FIELDS)
SIGNAL_TYPES = ("track", "page", "identify")


@dataclass(slots=True)
class SignalEvent:
    """One Signal event, its fields already checked for type (see `coerce_event`).

    `extra` keeps the top-level fields Signal sends that the mapping does not use (context,
    messageId, ...), so the trace can say they were dropped.
    """

    type: str = "track"
    event: str | None = None
    user_id: str | None = None
    anonymous_id: str | None = None
    timestamp: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    traits: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)  # field -> why its value was not used


def _identity(raw: dict[str, Any], key: str, findings: list[Finding]) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    path = f"$.{key}"
    if isinstance(value, int) and not isinstance(value, bool) and int_too_long(value):
        limit = f"{sys.get_int_max_str_digits():,}"
        findings.append(
            finding(
                Severity.ERROR,
                path,
                f"{key} is a number with more than {limit} digits: too long to send",
                f"send {key} as a string of at most a few dozen characters",
                "id-type",
            )
        )
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        findings.append(
            finding(
                Severity.WARNING,
                path,
                f"{key} is a number; sent as the string {str(value)!r}",
                f"send {key} as a string in Signal",
                "id-number",
            )
        )
        return str(value)
    findings.append(
        finding(
            Severity.ERROR,
            path,
            f"{key} must be a string, got {json_type(value)}",
            f"send {key} as a string (e.g. the customer id)",
            "id-type",
        )
    )
    return None


_REJECTED = frozenset(
    {"id-type", "event-type", "signal-type", "timestamp-type", "properties-type", "traits-type"}
)


def _event_name(raw: dict[str, Any], findings: list[Finding]) -> str | None:
    event = raw.get("event")
    if event is not None and not isinstance(event, str):
        findings.append(
            finding(
                Severity.ERROR,
                "$.event",
                f"event must be a string, got {json_type(event)}",
                'name the event, e.g. "Order Completed"',
                "event-type",
            )
        )
        event = None
    return event


def _kind(raw: dict[str, Any], event: str | None, findings: list[Finding]) -> str:
    """The Signal type (track when absent or unknown); a track event must also have a name."""
    kind = raw.get("type")
    if kind is None:
        kind = "track"
    elif not isinstance(kind, str) or kind not in SIGNAL_TYPES:
        shown = repr(kind) if isinstance(kind, str) else json_type(kind)
        findings.append(
            finding(
                Severity.ERROR,
                "$.type",
                f"type must be track, page or identify, got {shown}",
                "use track (with event), page, or identify (with traits)",
                "signal-type",
            )
        )
        kind = "track"
    if kind == "track" and not event:
        findings.append(
            finding(
                Severity.ERROR,
                "$.event",
                "a track event needs an event name",
                'add "event", e.g. "Order Completed" (or use type "page" / "identify")',
                "no-event-name",
            )
        )
    return kind


def _timestamp(raw: dict[str, Any], findings: list[Finding]) -> str | None:
    timestamp = raw.get("timestamp")
    if timestamp is not None and not isinstance(timestamp, str):
        findings.append(
            finding(
                Severity.ERROR,
                "$.timestamp",
                f"timestamp must be an ISO 8601 string, got {json_type(timestamp)}",
                'use e.g. "2026-06-06T18:29:00Z"',
                "timestamp-type",
            )
        )
        timestamp = None
    return timestamp


def _objects(raw: dict[str, Any], findings: list[Finding]) -> list[dict[str, Any]]:
    """[properties, traits], each an object ({} when absent, or ignored when not an object)."""
    objects: list[dict[str, Any]] = []
    for key in ("properties", "traits"):
        value = raw.get(key)
        if value is None:
            objects.append({})
        elif isinstance(value, dict):
            objects.append(value)
        else:
            objects.append({})
            findings.append(
                finding(
                    Severity.ERROR,
                    f"$.{key}",
                    f"{key} must be an object, got {json_type(value)}; ignored",
                    f'give {key} as an object, e.g. {{"currency": "USD"}}',
                    f"{key}-type",
                )
            )
    return objects


def coerce_event(raw: Any) -> tuple[SignalEvent | None, list[Finding]]:
    """A SignalEvent from any value, never raising: wrong types become findings and are ignored."""
    findings: list[Finding] = []
    if not isinstance(raw, dict):
        findings.append(
            finding(
                Severity.ERROR,
                "$",
                f"a Signal event must be a JSON object, got {json_type(raw)}",
                'give an object such as {"event": "Order Completed", "user_id": "..."}',
                "not-an-object",
            )
        )
        return None, findings
    typed = well_typed(raw)
    if typed is not None:
        return typed, findings
    # The checks run in this order so the findings come out in the order of the fields.
    event = _event_name(raw, findings)
    kind = _kind(raw, event, findings)
    timestamp = _timestamp(raw, findings)
    properties, traits = _objects(raw, findings)
    user_id = _identity(raw, "user_id", findings)
    anonymous_id = _identity(raw, "anonymous_id", findings)
    rejected = {f.path[2:]: f.message for f in findings if f.code in _REJECTED}
    signal = SignalEvent(
        kind, event, user_id, anonymous_id, timestamp, properties, traits, _extra(raw), rejected
    )
    return signal, findings


def _extra(raw: dict[Any, Any]) -> dict[str, Any]:
    if raw.keys() <= _SIGNAL_FIELD_SET:  # (the usual case: nothing else at the top)
        return {}
    return {str(k): v for k, v in raw.items() if k not in SIGNAL_FIELDS}


Fields = tuple[str, str | None, str | None, str | None, str | None, dict[str, Any], dict[str, Any]]
"""(type, event, user_id, anonymous_id, timestamp, properties, traits), as a SignalEvent has them."""


def well_typed_fields(raw: dict[str, Any]) -> Fields | None:
    """The fields `coerce_event` reads when no field gives it anything to say (the usual case, in
    one look at each field); None otherwise."""
    get = raw.get
    event, kind, timestamp = get("event"), get("type"), get("timestamp")
    properties, traits = get("properties"), get("traits")
    user_id, anonymous_id = get("user_id"), get("anonymous_id")
    if not (
        (event is None or isinstance(event, str))
        and (kind is None or (isinstance(kind, str) and kind in SIGNAL_TYPES))
        and (event or (kind is not None and kind != "track"))  # (a track event needs a name)
        and (timestamp is None or isinstance(timestamp, str))
        and (properties is None or isinstance(properties, dict))
        and (traits is None or isinstance(traits, dict))
        and (user_id is None or isinstance(user_id, str))
        and (anonymous_id is None or isinstance(anonymous_id, str))
    ):
        return None
    return (
        "track" if kind is None else kind,
        event,
        user_id,
        anonymous_id,
        timestamp,
        {} if properties is None else properties,
        {} if traits is None else traits,
    )


def well_typed(raw: dict[str, Any]) -> SignalEvent | None:
    """The SignalEvent `coerce_event` makes when no field gives it anything to say; else None."""
    fields = well_typed_fields(raw)
    if fields is None:
        return None
    return SignalEvent(*fields, _extra(raw), {})
