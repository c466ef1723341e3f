"""Mapping a Signal event to a WebEngage body (PRODUCT.md §3), with a trace of every field's fate.

`track` and `page` go to /events, `identify` to /users. The trace says, for every Signal field,
what became of it (kept, renamed, flattened, reformatted as a Date, dropped and why, ...): the
mapping view and the side-by-side report are built from it. Never raises for a coerced event.
"""

from __future__ import annotations

from datetime import datetime
from itertools import repeat
from typing import Any

from tui.mapping.blueprint import Blueprint
from tui.mapping.coerce import SignalEvent
from tui.mapping.dates import (
    as_date_time_string,
    date_time,
    event_time_text,
    lacks_time_zone,
    read_date_time,
)
from tui.mapping.mapped import Change, FieldTrace, Mapped, child_path, finding, trace
from tui.mapping.user_fields import normalise_user_field
from tui.webengage.api import Endpoint, format_event_time
from tui.webengage.findings import Finding, Severity

__all__ = [
    "MAX_DEPTH",
    "Change",
    "FieldTrace",
    "Mapped",
    "as_date_time_string",
    "child_path",
    "finding",
    "lacks_time_zone",
    "map_event",
    "trace",
]

MAX_DEPTH = 64
"""Objects nested deeper than this are not flattened (a JSON document that deep is a mistake)."""
_DICTS = repeat(dict)  # (`isinstance`'s second argument, for `map`)


class _Mapper:
    """One event's mapping: accumulates the body, trace and findings as it goes."""

    def __init__(self, event: SignalEvent, blueprint: Blueprint, now: datetime) -> None:
        self.event = event
        self.blueprint = blueprint
        self.now = now
        self.trace: list[FieldTrace] = []
        self.findings: list[Finding] = []

    def warn(self, path: str, message: str, fix: str, code: str) -> None:
        self.findings.append(finding(Severity.WARNING, path, message, fix, code))

    def error(self, path: str, message: str, fix: str, code: str) -> None:
        self.findings.append(finding(Severity.ERROR, path, message, fix, code))

    def zone_check(self, path: str, text: str, lacks: bool | None = None) -> bool:
        """Warn about a date-time without a time zone; True when it had none (`lacks`: known)."""
        if not (lacks_time_zone(text) if lacks is None else lacks):
            return False
        fix = 'add the offset it was measured in, e.g. "2026-06-06T18:29:00Z" or "...+05:30"'
        self.warn(path, f"{text[:40]!r} has no time zone: taken as UTC", fix, "no-time-zone")
        return True

    def identity(self, body: dict[str, Any]) -> None:
        """userId from user_id when non-empty, else anonymousId from anonymous_id (PRODUCT.md §3)."""
        user_id, anonymous_id = self.event.user_id, self.event.anonymous_id
        has_user = bool(user_id and user_id.strip())
        has_anonymous = bool(anonymous_id and anonymous_id.strip())
        if (user_id is not None and not has_user) or (
            anonymous_id is not None and not has_anonymous
        ):
            for key, value, has in (
                ("user_id", user_id, has_user),
                ("anonymous_id", anonymous_id, has_anonymous),
            ):
                if value is not None and not has:  # (an empty one)
                    self.warn(
                        f"$.{key}",
                        f"{key} is empty; not sent",
                        f"leave {key} out, or fill it",
                        "empty-id",
                    )
        if has_user:
            body["userId"] = user_id
            self.trace.append(trace("$.user_id", "$.userId", "identity", "known visitor"))
        elif user_id is not None:
            self.trace.append(trace("$.user_id", None, "dropped", "empty"))
        if has_anonymous and has_user:
            note = "userId is present, and WebEngage ignores anonymousId then"
            self.trace.append(trace("$.anonymous_id", None, "dropped", note))
            self.warn(
                "$.anonymous_id",
                "anonymous_id not sent: with both ids WebEngage ignores anonymousId, and does not "
                "merge the anonymous profile into the known one",
                "nothing to change (only userId is sent), but do not expect this call to link the "
                "visitor's anonymous history to the user",
                "anonymous-id-not-sent",
            )
        elif has_anonymous:
            body["anonymousId"] = anonymous_id
            self.trace.append(
                trace("$.anonymous_id", "$.anonymousId", "identity", "anonymous visitor")
            )
        elif anonymous_id is not None:
            self.trace.append(trace("$.anonymous_id", None, "dropped", "empty"))
        if not has_user and not has_anonymous:
            self.error(
                "$.user_id",
                "no identity: neither user_id nor anonymous_id is set, WebEngage rejects the event",
                "collect anonymous_id (and user_id once known) before the event fires",
                "missing-identity",
            )

    def event_time(self, body: dict[str, Any]) -> None:
        timestamp = self.event.timestamp
        if timestamp is None:
            body["eventTime"] = format_event_time(self.now)
            self.trace.append(trace("$.timestamp", "$.eventTime", "event_time", "missing: now"))
            return
        text = timestamp.strip()
        found = read_date_time(text)
        if found is None:
            self.error(
                "$.timestamp",
                f"timestamp {timestamp[:60]!r} is not an ISO 8601 date-time",
                'use e.g. "2026-06-06T18:29:00Z" or "2026-06-06T23:59:00+05:30"',
                "timestamp-unparseable",
            )
            self.trace.append(trace("$.timestamp", None, "dropped", "not an ISO 8601 date-time"))
            return
        body["eventTime"] = event_time_text(text, found[0])
        naive = found[1] and len(text) > 10 and self.zone_check("$.timestamp", text, True)
        note = "no time zone: taken as UTC" if naive else "converted to UTC"
        self.trace.append(trace("$.timestamp", "$.eventTime", "event_time", note))

    def attributes(
        self, source: dict[str, Any], source_root: str, target_root: str, renames: dict[str, str]
    ) -> dict[str, Any]:
        """Flatten, rename, rewrite dates, drop nulls: in that order (PRODUCT.md §3).

        Iterative, so an absurdly deep object cannot exhaust the stack; order is kept.
        """
        out: dict[str, Any] = {}
        origin: dict[str, str] = {}
        if not any(map(isinstance, source.values(), _DICTS)):  # (flat: the usual case, quicker)
            leaf = self._leaf
            for key, value in source.items():
                name = key if isinstance(key, str) else str(key)
                path = (
                    f"{source_root}.{name}"
                    if name.isascii() and name.isidentifier()
                    else child_path(source_root, name)
                )
                leaf(path, name, False, value, renames, target_root, out, origin)
            return out
        separator = self.blueprint.flatten_separator
        stack: list[tuple[Any, str, str]] = [(iter(source.items()), source_root, "")]
        while stack:
            items, parent, prefix = stack[-1]
            for key, value in items:
                name = key if isinstance(key, str) else str(key)
                path = (  # (`child_path`, its usual case here: called for every property)
                    f"{parent}.{name}"
                    if name.isascii() and name.isidentifier()
                    else child_path(parent, name)
                )
                flat = prefix + name
                if isinstance(value, dict):
                    if not value:
                        self.trace.append(trace(path, None, "dropped", "empty object"))
                        self.warn(
                            path,
                            "empty object dropped: flattening leaves nothing to send",
                            "leave it out, or give it fields",
                            "empty-object",
                        )
                        continue
                    if len(stack) >= MAX_DEPTH:
                        self.trace.append(trace(path, None, "dropped", "nested too deeply"))
                        self.error(
                            path,
                            f"object nested deeper than {MAX_DEPTH} levels; dropped",
                            "flatten the data before sending it",
                            "too-deep",
                        )
                        continue
                    stack.append((iter(value.items()), path, flat + separator))
                    break
                self._leaf(path, flat, bool(prefix), value, renames, target_root, out, origin)
            else:
                stack.pop()
        return out

    def _leaf(
        self,
        path: str,
        flat: str,
        nested: bool,
        value: Any,
        renames: dict[str, str],
        target_root: str,
        out: dict[str, Any],
        origin: dict[str, str],
    ) -> None:
        blueprint = self.blueprint
        target_name = renames.get(flat, flat)
        target = (
            f"{target_root}.{target_name}"
            if target_name.isascii() and target_name.isidentifier()
            else child_path(target_root, target_name)
        )
        if value is None and blueprint.drop_nulls:
            self.trace.append(trace(path, None, "dropped", "null"))
            self.warn(
                path,
                "null dropped: WebEngage has no null type",
                "leave the property out, or send a value",
                "null-dropped",
            )
            return
        change: Change = "flattened" if nested else "unchanged"
        notes = [f"flattened to {flat}"] if nested else []
        if target_name != flat:
            change = "renamed"
            notes.append(f"renamed {flat} → {target_name}")
        if isinstance(value, str) and len(value) >= 16 and blueprint.rewrite_dates:
            found = date_time(value)
            if found is not None:
                if self.zone_check(path, value, found[1]):
                    notes.append("no time zone: taken as UTC")
                value, change = found[0], "date"
                notes.append("reformatted as Date")
        if target_name in out:
            self.error(
                path,
                f"{path} and {origin[target_name]} both become {target}; one value would be lost",
                "rename one of them in the event, or in a copy of the blueprint",
                "duplicate-attribute",
            )
        out[target_name] = value
        origin[target_name] = path
        self.trace.append(trace(path, target, change, "; ".join(notes)))

    def event_name(self, body: dict[str, Any]) -> str:
        event = self.event
        name, known = self.blueprint.webengage_event_name(event.type, event.event)
        body["eventName"] = name
        if event.type == "page":
            self.trace.append(trace("$.type", "$.eventName", "event_name", f"page → {name}"))
        elif "type" not in event.rejected:
            self.trace.append(trace("$.type", None, "dropped", "track: sent to /events"))
        if event.event is not None:
            if event.type == "page":
                self.trace.append(
                    trace(
                        "$.event", None, "dropped", "page events take their name from the blueprint"
                    )
                )
            elif not known:
                self.trace.append(
                    trace(
                        "$.event", "$.eventName", "event_name", "not in blueprint: sent unchanged"
                    )
                )
                if name:
                    self.warn(
                        "$.event",
                        f"{name!r} is not in the {self.blueprint.name} blueprint: sent unchanged as a custom event",
                        "add it to [event_names] in a copy of the blueprint to rename it",
                        "not-in-blueprint",
                    )
            else:
                note = "unchanged" if name == event.event else f"{event.event} → {name}"
                self.trace.append(trace("$.event", "$.eventName", "event_name", note))
        return name

    def drop_unused(self, used: str) -> None:
        """Trace (and warn about) the Signal fields this endpoint does not carry."""
        event = self.event
        unused = "traits" if used == "properties" else "properties"
        data: dict[str, Any] = getattr(event, unused)
        if not (data or event.rejected or event.extra):  # (nothing dropped: the usual event)
            return
        if data:
            reason = (
                "identify sends traits, not properties"
                if used == "traits"
                else f"{event.type} events send properties, not traits"
            )
            self.trace.append(trace(f"$.{unused}", None, "dropped", reason))
            self.warn(
                f"$.{unused}",
                f"{unused} not sent: {reason}",
                f"move them into {used}",
                f"{unused}-ignored",
            )
        for key, reason in event.rejected.items():
            note = f"{reason}; treated as track" if key == "type" else reason
            self.trace.append(trace(f"$.{key}", None, "dropped", note))
        for key in event.extra:
            self.trace.append(
                trace(child_path("$", key), None, "dropped", "not a field the blueprint maps")
            )

    def map_events(self) -> Mapped:
        ids: dict[str, Any] = {}
        named: dict[str, Any] = {}
        name = self.event_name(named)
        self.identity(ids)
        body = {**ids, **named}
        self.event_time(body)
        event_data = self.attributes(
            self.event.properties, "$.properties", "$.eventData", self.blueprint.property_renames
        )
        if event_data:
            body["eventData"] = event_data
        self.drop_unused("properties")
        return Mapped(Endpoint.EVENTS, name, body, self.trace, self.findings)

    def _user_field(
        self, name: str, field: str, value: Any, body: dict[str, Any], origin: dict[str, str]
    ) -> None:
        """A trait the blueprint maps to one of WebEngage's own user fields (email, phone, ...):
        normalised by `normalise_user_field`, sent at the top level of the /users body (validation
        then checks it against WebEngage's rules, `tui.webengage.user_rules`)."""
        path = child_path("$.traits", name)
        if value is None:
            self.trace.append(trace(path, None, "dropped", "null"))
            self.warn(
                path,
                "null dropped: WebEngage has no null type",
                "leave the trait out, or send a value",
                "null-dropped",
            )
            return
        checked = normalise_user_field(field, value)
        if field == "birthDate" and isinstance(value, str):
            self.zone_check(path, value.strip())
        if field in origin:
            self.error(
                path,
                f"{path} and {origin[field]} both become $.{field}; one value would be lost",
                "send only one of them",
                "duplicate-attribute",
            )
        origin[field] = path
        body[field] = checked.value
        change: Change = "renamed" if field != name else "unchanged"
        notes = [f"renamed {name} → {field}"] if field != name else []
        if checked.note:
            notes.append(checked.note)
        if checked.note.startswith("reformatted"):
            change = "date"
        self.trace.append(trace(path, f"$.{field}", change, "; ".join(notes)))

    def map_user(self) -> Mapped:
        body: dict[str, Any] = {}
        self.trace.append(trace("$.type", None, "dropped", "identify: sent to /users"))
        self.identity(body)
        if self.event.event is not None:
            self.trace.append(trace("$.event", None, "dropped", "identify events have no name"))
        if self.event.timestamp is not None:
            self.trace.append(trace("$.timestamp", None, "dropped", "/users takes no time"))
        user_fields = self.blueprint.user_fields
        origin: dict[str, str] = {}
        others: dict[str, Any] = {}
        for key, value in self.event.traits.items():
            name = key if isinstance(key, str) else str(key)
            field = user_fields.get(name)
            if field is None:
                others[name] = value
            else:
                self._user_field(name, field, value, body, origin)
        attributes = self.attributes(others, "$.traits", "$.attributes", {})
        if attributes:
            body["attributes"] = attributes
        self.drop_unused("traits")
        return Mapped(Endpoint.USERS, "identify", body, self.trace, self.findings)


def map_event(event: SignalEvent, blueprint: Blueprint, now: datetime) -> Mapped:
    """The WebEngage body for `event`: /users for identify, /events for track and page."""
    mapper = _Mapper(event, blueprint, now)
    if event.type == "identify":
        return mapper.map_user()
    return mapper.map_events()
