"""A logged request turned back into the Signal event that would produce it, for "edit and resend".

The mapping is not fully reversible (flattened objects stay flat, reformatted dates stay
reformatted), but what it gives, mapped again, sends the same body; the user edits from there.
"""

from __future__ import annotations

import re
from typing import Any

from tui.mapping.blueprint import Blueprint
from tui.webengage.api import Endpoint
from tui.webengage.entry import LogEntry

_COMPACT_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")

_USER_IDENTITY = {"userId", "anonymousId"}


def iso_timestamp(event_time: str) -> str:
    """WebEngage's `...+0000` as ISO 8601 (`...+00:00`), what the composer's timestamp takes."""
    return _COMPACT_OFFSET.sub(r"\1:\2", event_time.strip())


class NotEditable(ValueError):
    """The entry's request cannot be loaded into the composer (a bulk call, a body not a dict)."""


def signal_event_from_entry(entry: LogEntry, blueprint: Blueprint) -> dict[str, Any]:
    """The Signal event (as JSON would carry it) for an /events or /users entry.

    eventName goes back through the blueprint (its page name to `page`, a listed name to its
    Signal name, anything else stays a custom name), eventData's renamed keys get their Signal
    names back, eventTime becomes the timestamp; /users fields become traits.
    """
    endpoint = entry.request.endpoint
    if endpoint not in (Endpoint.EVENTS, Endpoint.USERS):
        raise NotEditable(f"a {endpoint.value} call holds many events: resend it as it was (r)")
    if not isinstance(entry.request.body, dict):
        raise NotEditable("its body is not a JSON object")
    return signal_event_from_body(endpoint, entry.request.body, blueprint)


def signal_event_from_body(
    endpoint: Endpoint, body: dict[str, Any], blueprint: Blueprint
) -> dict[str, Any]:
    """The Signal event for one /events or /users body (see `signal_event_from_entry`)."""
    raw: dict[str, Any]
    if endpoint is Endpoint.USERS:
        fields = {field: trait for trait, field in blueprint.user_fields.items()}
        traits: dict[str, Any] = {}
        for key, value in body.items():
            if key in _USER_IDENTITY:
                continue
            if key == "attributes" and isinstance(value, dict):
                traits.update(value)
            else:
                traits[fields.get(str(key), str(key))] = value
        raw = {"type": "identify", "traits": traits}
    else:
        name = str(body.get("eventName") or "")
        if name == blueprint.page_event_name:
            raw = {"type": "page"}
        else:
            names = {webengage: signal for signal, webengage in blueprint.event_names.items()}
            raw = {"type": "track", "event": names.get(name, name)}
        data = body.get("eventData")
        renames = {webengage: signal for signal, webengage in blueprint.property_renames.items()}
        raw["properties"] = (
            {renames.get(key, key): value for key, value in data.items()}
            if isinstance(data, dict)
            else {}
        )
        event_time = body.get("eventTime")
        if isinstance(event_time, str) and event_time.strip():
            raw["timestamp"] = iso_timestamp(event_time)
    for signal_key, key in (("user_id", "userId"), ("anonymous_id", "anonymousId")):
        value = body.get(key)
        if value is not None and value != "":
            raw[signal_key] = str(value)
    return raw
