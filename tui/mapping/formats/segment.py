"""Segment / RudderStack spec events read into the Signal dialect.

Both services share one event spec (segment.com/docs/connections/spec/common/, and RudderStack's
"Event Spec" that follows it): camelCase `userId` / `anonymousId`, a `messageId`, three times
(`timestamp`, `originalTimestamp`, `sentAt`), `context` (with `context.traits`), and the calls
track, page, screen, identify, group and alias, whose `type` SDKs send in any case.
"""

from __future__ import annotations

import uuid
from typing import Any

from tui.mapping.mapped import finding
from tui.webengage.api import DEDUPLICATION_WINDOW_H
from tui.webengage.findings import Finding, Severity

MARKERS = frozenset(
    {
        "userId",
        "anonymousId",
        "messageId",
        "originalTimestamp",
        "sentAt",
        "receivedAt",
        "context",
        "integrations",
        "previousId",
        "groupId",
        "rudderId",
        "channel",
        "_metadata",
    }
)
"""Fields only the Segment / RudderStack spec has (the Signal dialect spells ids in snake_case)."""
_CALLS = ("track", "page", "screen", "identify", "group", "alias")
_NOT_SIGNAL_CALLS = frozenset({"screen", "group", "alias"})
_TIMES = ("timestamp", "originalTimestamp", "sentAt")
_TIME_WORDS = {
    "originalTimestamp": "when the SDK recorded it on the device",
    "sentAt": "when the SDK sent it; the event itself may be older",
}
_CONSUMED = frozenset(
    {"type", "name", "category", "userId", "anonymousId", "messageId", *_TIMES}
    | {"properties", "traits", "previousId", "groupId"}
)


def is_segment(raw: dict[str, Any]) -> bool:
    """A Segment / RudderStack spec event (and not the tool's own dialect)?"""
    if "user_id" in raw or "anonymous_id" in raw:
        return False
    if any(key in raw for key in MARKERS):
        return True
    kind = raw.get("type")
    return isinstance(kind, str) and (kind != kind.lower() or kind.lower() in _NOT_SIGNAL_CALLS)


def request_id_for(message_id: str) -> str:
    """The x-request-id (hex, as WebEngage takes it) for a messageId: the UUID's own hex when the
    messageId is a UUID (Segment's and RudderStack's SDKs make one), else a UUID5 of it."""
    try:
        return uuid.UUID(message_id).hex
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"messageId:{message_id}").hex


def _note(path: str, message: str, code: str, fix: str = "nothing to do") -> Finding:
    return finding(Severity.INFO, path, message, fix, code)


class SegmentReader:
    """One spec event read: `event` in the Signal dialect, with `took` and `notes` as it went."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.took: list[tuple[str, str]] = []
        self.notes: list[Finding] = []
        self.request_id: str | None = None
        self.not_delivered: Finding | None = None
        kind = raw.get("type", "track")
        self.kind = kind.lower() if isinstance(kind, str) else kind
        self.event: dict[str, Any] = {}

    def read(self) -> dict[str, Any]:
        raw, event = self.raw, self.event
        if isinstance(raw.get("type"), str) and raw["type"] != self.kind:
            self.took.append(("type", f"$.type ({raw['type']!r}, in any case)"))
        event["type"] = self.kind
        self._call()
        for signal_key, key in (("user_id", "userId"), ("anonymous_id", "anonymousId")):
            if key in raw:
                event[signal_key] = raw[key]
                if raw[key] is not None:
                    self.took.append((signal_key, f"$.{key}"))
        self._time()
        self._traits()
        self._message_id()
        event.update({k: v for k, v in raw.items() if k not in _CONSUMED and k not in event})
        return event

    def _call(self) -> None:
        raw, event, kind = self.raw, self.event, self.kind
        properties = raw.get("properties")
        if properties is not None:
            event["properties"] = properties
        if kind == "track":
            if "event" in raw:
                event["event"] = raw["event"]
        elif kind == "page":
            self._page(properties)
        elif kind == "screen":
            self._screen(properties)
        elif kind in ("alias", "group"):
            self._not_delivered(kind)
        elif kind != "identify":  # an unknown type: the Signal reader says what it takes
            event["type"] = raw.get("type")
            if "event" in raw:
                event["event"] = raw["event"]

    def _page(self, properties: Any) -> None:
        """page's `name` and `category` kept in eventData (the event stays the page event)."""
        if not isinstance(properties, dict):
            properties = {} if properties is None else properties
        kept = []
        for key in ("name", "category"):
            value = self.raw.get(key)
            if value is not None and isinstance(properties, dict) and key not in properties:
                properties = {**properties, key: value}
                kept.append(key)
        if kept:
            self.event["properties"] = properties
            for key in kept:
                self.took.append((f"properties.{key}", f"$.{key}"))

    def _screen(self, properties: Any) -> None:
        name = self.raw.get("name")
        named = f"Viewed {name} Screen" if isinstance(name, str) and name.strip() else None
        self.event.update({"type": "track", "event": named or "Viewed Screen"})
        self.took.append(("event", "$.name (a screen call)" if named else "a screen call"))
        self.notes.append(
            _note(
                "$.type",
                f"a screen call: sent as the custom event {self.event['event']!r} "
                "(WebEngage's REST API has no screen call; named from its name, as Segment's "
                "destinations name screen calls)",
                "screen-as-event",
                "add the event name to your blueprint's events to rename it",
            )
        )
        if isinstance(properties, dict) and isinstance(name, str) and "name" not in properties:
            self.event["properties"] = {**properties, "name": name}

    def _not_delivered(self, kind: str) -> None:
        what, fix = {
            "alias": (
                "an alias call links two user ids (previousId to userId)",
                "leave alias calls out of what you send (the integration delivers track, "
                "page and identify calls)",
            ),
            "group": (
                "a group call puts the user in an account or company (groupId)",
                "leave group calls out of what you send; to record the company, send an "
                "identify call with a company trait",
            ),
        }[kind]
        self.not_delivered = finding(
            Severity.ERROR,
            "$.type",
            f"{kind} calls are not delivered to WebEngage: {what}, and WebEngage's REST API "
            "has no counterpart",
            fix,
            "not-delivered",
        )
        self.event.update({"type": "track", "event": f"{kind} call"})

    def _time(self) -> None:
        for key in _TIMES:
            value = self.raw.get(key)
            if value is None:
                continue
            self.event["timestamp"] = value
            self.took.append(("timestamp", f"$.{key}"))
            if key != "timestamp":
                self.notes.append(
                    _note(
                        f"$.{key}",
                        f"no timestamp: eventTime taken from {key} ({_TIME_WORDS[key]})",
                        "timestamp-fallback",
                    )
                )
            return

    def _traits(self) -> None:
        traits = self.raw.get("traits")
        context = self.raw.get("context")
        context_traits = context.get("traits") if isinstance(context, dict) else None
        if traits is not None:
            self.event["traits"] = traits
            self.took.append(("traits", "$.traits"))
        if not isinstance(context_traits, dict) or not context_traits:
            return
        if self.kind == "identify":
            merged = {**context_traits, **traits} if isinstance(traits, dict) else context_traits
            self.event["traits"] = merged
            self.took.append(("traits", "$.context.traits"))
            return
        self.notes.append(
            _note(
                "$.context.traits",
                f"context.traits ({len(context_traits)}) not sent: WebEngage's /events takes "
                "the event's own attributes only",
                "context-traits-not-sent",
                "send an identify call to update the user's profile with them",
            )
        )

    def _message_id(self) -> None:
        message_id = self.raw.get("messageId")
        if not isinstance(message_id, str) or not message_id.strip():
            return
        self.request_id = request_id_for(message_id.strip())
        self.took.append(("x-request-id", "$.messageId"))
        self.notes.append(
            _note(
                "$.messageId",
                f"x-request-id {self.request_id} derived from messageId: WebEngage drops a "
                f"re-send of this message within {DEDUPLICATION_WINDOW_H} hours as a duplicate",
                "request-id-from-message",
                "give a re-sent message a new messageId to have it ingested again",
            )
        )
