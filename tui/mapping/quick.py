"""A clean event's request body, the quick way: what `preview_event` sends when it finds nothing.

`preview FILE` streams millions of events, nearly all of them clean (not one finding), and of a
clean event it prints only the request. `clean_body` makes that request's body without what only
a finding or the side-by-side view reads (the Reading, the mapping's trace, the Preview), and gives
up (None) at the first sign of something to say: then `preview_event` says it. Each step below is
the careful one's clean case (`formats.normalise`, `coerce_event`, `unsendable`, the mapper's
`_Mapper`), and validation is the careful one itself (`validate_body`, which reads the trace only
for a finding's path). tests/test_fast_paths.py checks it against `preview_event` on hostile events.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tui.mapping.blueprint import Blueprint
from tui.mapping.coerce import well_typed_fields
from tui.mapping.dates import date_time, event_time_of, lacks_time_zone
from tui.mapping.formats import as_given
from tui.mapping.preview import unsendable
from tui.mapping.user_fields import user_field_value
from tui.mapping.validation import plainly_valid, validate_body
from tui.webengage.api import Endpoint, format_event_time
from tui.webengage.types import AttributeType, KnownTypes

_EVENTS, _USERS = Endpoint.EVENTS, Endpoint.USERS
_LEAVES = frozenset({str, int, float, bool, list, type(None)})
"""The values the mapper passes on as they are (a dict is flattened; anything else: the careful way)."""
_DEPTH = 8
"""Objects nested deeper than this in properties or traits are left to the careful way."""


def clean_body(
    raw: Any,
    blueprint: Blueprint,
    *,
    now: datetime | None = None,
    known_types: KnownTypes | Mapping[str, AttributeType] | None = None,
    checked: bool = False,
) -> tuple[Endpoint, dict[str, Any]] | None:
    """The endpoint and body of `preview_event(raw, connection, blueprint, ...).request` (which
    is `build_request(connection, endpoint, body)`) when that preview has no findings at all;
    None when it may have some (then nothing is promised: ask `preview_event`)."""
    if not as_given(raw):
        return None
    fields = well_typed_fields(raw)
    if fields is None or (not checked and unsendable(raw)):
        return None
    kind, event, user_id, anonymous_id, timestamp, properties, traits = fields
    if anonymous_id is None:  # (exactly one id, not blank: the mapper says something otherwise)
        body = {"userId": user_id} if user_id and user_id.strip() else None
    else:
        body = {"anonymousId": anonymous_id} if user_id is None and anonymous_id.strip() else None
    if body is None:
        return None
    if kind == "identify":
        endpoint = _USERS
        if properties or not _user_fields(traits, blueprint, body):  # (properties: a warning)
            return None
    else:
        endpoint = _EVENTS
        name, known = blueprint.webengage_event_name(kind, event)
        if (
            not known
            or traits
            or not _event_fields(name, timestamp, properties, blueprint, now, body)
        ):
            return None  # (a custom event, or traits on an event: a warning)
    if not plainly_valid(endpoint, body, known_types) and validate_body(
        endpoint, body, (), known_types
    ):
        return None
    return endpoint, body


def _event_fields(
    name: str,
    timestamp: str | None,
    properties: dict[str, Any],
    blueprint: Blueprint,
    now: datetime | None,
    body: dict[str, Any],
) -> bool:
    """The rest of the /events body `_Mapper.map_events` makes, into `body` (which holds the
    id); False at anything it would say something about."""
    body["eventName"] = name
    if timestamp is None:
        body["eventTime"] = format_event_time(now or datetime.now(UTC))
    else:
        event_time = event_time_of(timestamp.strip())
        if event_time is None:
            return False
        body["eventTime"] = event_time
    event_data: dict[str, Any] = {}
    if not _flatten(properties, "", blueprint.property_renames, blueprint, event_data, 0):
        return False
    if event_data:
        body["eventData"] = event_data
    return True


def _user_fields(traits: dict[str, Any], blueprint: Blueprint, body: dict[str, Any]) -> bool:
    """The rest of the /users body `_Mapper.map_user` makes, into `body` (which holds the id);
    False at anything it would say something about."""
    user_fields = blueprint.user_fields
    others: dict[str, Any] = {}
    for key, value in traits.items():
        field = user_fields.get(key)
        if field is None:
            others[key] = value
            continue
        if value is None or field in body or type(key) is not str:  # (a null, two for one field)
            return False
        if field == "birthDate" and isinstance(value, str) and lacks_time_zone(value.strip()):
            return False
        body[field] = user_field_value(field, value)
    attributes: dict[str, Any] = {}
    if not _flatten(others, "", {}, blueprint, attributes, 0):
        return False
    if attributes:
        body["attributes"] = attributes
    return True


def _flatten(
    source: dict[str, Any],
    prefix: str,
    renames: dict[str, str],
    blueprint: Blueprint,
    out: dict[str, Any],
    depth: int,
) -> bool:
    """`_Mapper.attributes` into `out`: flattened, renamed, dates rewritten; False (`out` then
    half made) at anything it would say something about (a null dropped, an empty object, a
    date-time without a time zone, two names for one attribute) or anything unusual."""
    for key, value in source.items():
        kind = type(value)
        if type(key) is not str:
            return False
        flat = prefix + key if prefix else key
        if kind is str:
            if len(value) >= 16 and blueprint.rewrite_dates:
                found = date_time(value)
                if found is not None:
                    if found[1]:  # (no time zone: a warning)
                        return False
                    value = found[0]
        elif kind is dict:
            if not value or depth >= _DEPTH:
                return False
            nested = flat + blueprint.flatten_separator
            if not _flatten(value, nested, renames, blueprint, out, depth + 1):
                return False
            continue
        elif kind not in _LEAVES or (value is None and blueprint.drop_nulls):
            return False
        target = renames.get(flat, flat)
        if target in out:
            return False
        out[target] = value
    return True
