"""The tracking calls in a HAR file (browser devtools' "Save all as HAR", HAR 1.2).

Each POST whose body holds analytics events becomes those events, in the order they were sent:
Segment's analytics.js (`/v1/t`, `/v1/p`, `/v1/i`, ..., `/v1/batch`), RudderStack's JavaScript SDK
(`/v1/track`, ..., `/beacon/v1/batch`), a Datafly collector (any JSON body of events), and
WebEngage REST calls (`/v1/accounts/<license code>/{events,users,bulk-events,bulk-users}`), one
body per event or user (the preview un-maps each into the Signal event that would make it). An event with no time of its own
gets the request's `startedDateTime` as its `sentAt` (when it was sent, which it was).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from tui.mapping.formats.tagged import Tagged

_WEBENGAGE = re.compile(r"/v1/accounts/[^/]+/(events|users|bulk-events|bulk-users)/?$")
_SHORT = {"t": "track", "p": "page", "i": "identify", "s": "screen", "g": "group", "a": "alias"}
_CALL_PATH = re.compile(r"/v1/(t|p|i|s|g|a|track|page|identify|screen|group|alias)/?$")
WEBENGAGE_EVENT = "WebEngage /events body"
WEBENGAGE_USER = "WebEngage /users body"
_TIMES = ("timestamp", "originalTimestamp", "sentAt")


def is_har(value: Any) -> bool:
    log = value.get("log") if isinstance(value, dict) else None
    return isinstance(log, dict) and isinstance(log.get("entries"), list)


def _body(request: dict[str, Any]) -> Any:
    post = request.get("postData")
    text = post.get("text") if isinstance(post, dict) else None
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _analytics(body: Any, path: str) -> list[dict[str, Any]]:
    """The events in an analytics collector's body: one event, an array, or a batch envelope."""
    if isinstance(body, dict) and isinstance(body.get("batch"), list):
        items = body["batch"]
    else:
        items = body if isinstance(body, list) else [body]
    events = [
        item for item in items if isinstance(item, dict) and ("type" in item or "event" in item)
    ]
    called = _CALL_PATH.search(path)
    if called is not None:  # analytics.js's short paths say the call when the body does not
        kind = _SHORT.get(called.group(1), called.group(1))
        events = [item if "type" in item else {**item, "type": kind} for item in events]
    return events


def _webengage(body: Any, resource: str) -> list[dict[str, Any]]:
    """The bodies of one WebEngage REST call, one per event or user (a bulk call's items)."""
    key = {"bulk-events": "events", "bulk-users": "users"}.get(resource)
    if key is None:
        return [body] if isinstance(body, dict) else []
    items = body.get(key) if isinstance(body, dict) else None
    return [item for item in items or [] if isinstance(item, dict)]


def tracking_calls(har: dict[str, Any]) -> tuple[list[Tagged], int]:
    """The events in the HAR's tracking calls (each tagged with its entry), and how many entries
    it holds in all."""
    entries = har["log"]["entries"]
    found: list[Tagged] = []
    for number, entry in enumerate(entries, start=1):
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or str(request.get("method", "")).upper() != "POST":
            continue
        url = str(request.get("url", ""))
        body = _body(request)
        if body is None:
            continue
        started = entry.get("startedDateTime")
        origin = f"HAR entry {number}: POST {url}" + (f" at {started}" if started else "")
        rest = _WEBENGAGE.search(urlsplit(url).path)
        if rest is not None:
            shape = WEBENGAGE_USER if rest.group(1).endswith("users") else WEBENGAGE_EVENT
            for event in _webengage(body, rest.group(1)):
                found.append(Tagged(event, shape, origin))
            continue
        for event in _analytics(body, urlsplit(url).path):
            if isinstance(started, str) and not any(event.get(key) for key in _TIMES):
                own_dialect = "user_id" in event or "anonymous_id" in event
                event = {**event, ("timestamp" if own_dialect else "sentAt"): started}
            found.append(Tagged(event, "", origin))
    return found, len(entries)
