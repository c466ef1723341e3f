"""The Segment / RudderStack HTTP tracking API as the listener speaks it: paths, bodies, limits.

What the clients send, read from their own code:
- segment-analytics-python 2.4.0 and rudder-sdk-python 2.1.9 (`request.py`: `post`): `POST
  {host}/v1/batch`, `{"batch": [...], "sentAt"}` (Segment adds `"writeKey"` to the body too),
  `Content-Type: application/json`, `Authorization: Basic base64(<write key>:)`, and
  `Content-Encoding: gzip` when asked (RudderStack's default). Segment counts any 2xx as success,
  RudderStack only 200; both read an error body as `{"code", "message"}`.
- analytics.js (segmentio/analytics-next, packages/browser/src/plugins/segmentio/index.ts): apiHost
  `api.segment.io/v1`, one call per event to `/` + the type's first letter (`/v1/t`, `/v1/p`,
  `/v1/i`, `/v1/s`, `/v1/g`, `/v1/a`), each event carrying `writeKey`; with the batching strategy
  (batched-dispatcher.ts) `/v1/b` with `{"writeKey", "batch", "sentAt"}`, at most 500 KB. Always
  `Content-Type: text/plain` (shared-dispatcher.ts `createHeaders`); the Authorization header makes
  the browser send a CORS preflight. Any status under 400 counts as delivered.
- RudderStack's JavaScript SDK v3 (rudderlabs/rudder-sdk-js, analytics-js-plugins `xhrQueue`):
  `{dataPlaneUrl}/v1/{type}` (`/v1/track`, ...) or `/v1/batch` with `{"batch", "sentAt"}`,
  `Content-Type: application/json;charset=UTF-8`, headers `AnonymousId` (base64) and `SentAt`;
  `beaconQueue` posts `/beacon/v1/batch?writeKey=...` as `text/plain` (a beacon has no headers).
- Segment's HTTP API docs: at most 32 KB per call and 500 KB per batch request, 32 KB per event in
  it; "200 for all API requests except errors caused by large payloads and JSON errors (400)".
  RudderStack's: 32 KB per call, 4 MB per batch. The listener holds a batch to Segment's 500 KB (an
  integration that passes here passes on both) and answers a body over it 413, the HTTP status for
  it (the SDKs drop a 413 as they drop a 400: neither is retried).
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
import zlib
from dataclasses import dataclass, field
from typing import Any

from tui.mapping.formats import NoEvents, Tagged, expand
from tui.mapping.signal import InputError, parse_events_text
from tui.masking import mask_secrets, redact_key
from tui.webengage.request import long_number_index

BATCH_MAX = 500 * 1024
"""Segment's limit for one batch request (and for a `POST /events` body here)."""
EVENT_MAX = 32 * 1024
"""Segment's and RudderStack's limit for one call, or one event inside a batch."""

CALLS = {
    "track": "track",
    "page": "page",
    "identify": "identify",
    "screen": "screen",
    "group": "group",
    "alias": "alias",
}
SHORT = {name[0]: name for name in CALLS}
"""analytics.js's paths: the type's first letter (`/v1/t` is track)."""
BATCH_PATHS = ("/v1/batch", "/v1/b", "/v1/import", "/beacon/v1/batch")
EVENTS_PATH = "/events"
"""The tool's own formats: one Signal event, an array, NDJSON, or a Datafly.js call."""
JSON_TYPES = ("application/json", "text/plain", "")
EVENTS_TYPES = (
    "application/x-ndjson",
    "application/ndjson",
    "application/jsonl",
    "application/x-jsonlines",
    "application/javascript",
    "text/javascript",
)
"""`POST /events` also takes NDJSON and a Datafly.js call as they are labelled."""
ENCODINGS = ("", "identity", "gzip", "x-gzip")


@dataclass(frozen=True, slots=True)
class Refusal:
    """A request answered with an error: `status`, a stable `code`, and the message the SDK logs."""

    status: int
    code: str
    message: str


class Refused(Exception):
    """Raised while reading a request; carries the answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.refusal = Refusal(status, code, message)


@dataclass(frozen=True, slots=True)
class Call:
    """One request's events, read and with the write key masked, and what kind of call it was."""

    path: str
    kind: str  # "batch", "events", or a call type ("track", "page", ...)
    events: list[Any]
    write_key_shown: str = ""
    refused_events: dict[int, str] = field(default_factory=dict)
    """Events the whole request is refused for (index: why); the listener shows them anyway."""


def route(path: str) -> str | None:
    """The kind of call a path takes, or None when the listener has no such endpoint."""
    if path in BATCH_PATHS:
        return "batch"
    if path == EVENTS_PATH:
        return "events"
    if path.startswith("/v1/"):
        name = path[4:]
        return CALLS.get(name) or SHORT.get(name)
    return None


def check_content_type(content_type: str, kind: str) -> None:
    """JSON, or `text/plain` (analytics.js and beacons send JSON as text/plain), or none; for
    `/events` also NDJSON and JavaScript."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in JSON_TYPES or media.endswith("+json"):
        return
    if kind != "events" or media not in EVENTS_TYPES:
        raise Refused(
            415,
            "unsupported_media_type",
            f"Content-Type {content_type[:60]!r} is not JSON; send Content-Type: application/json",
        )


def check_encoding(encoding: str) -> None:
    if encoding.strip().lower() not in ENCODINGS:
        raise Refused(
            415,
            "unsupported_encoding",
            f"Content-Encoding {encoding[:40]!r} is not supported; send gzip or no encoding",
        )


def too_large(limit: int) -> Refused:
    return Refused(
        413,
        "payload_too_large",
        f"the body is over {limit // 1024} KB, the limit for this call (32 KB per call, "
        "500 KB per batch); split it",
    )


def decompress(raw: bytes, encoding: str, limit: int) -> bytes:
    """The body, gunzipped when it says so, never more than `limit` bytes (a gzip bomb stops)."""
    if encoding.strip().lower() not in ("gzip", "x-gzip"):
        return raw
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(raw, limit + 1)
    except zlib.error as error:
        raise Refused(400, "invalid_gzip", f"the gzip body cannot be read ({error})") from None
    if len(data) > limit or inflater.unconsumed_tail:
        raise too_large(limit)
    if not inflater.eof:
        raise Refused(400, "invalid_gzip", "the gzip body is cut short")
    return data


def write_key_of(authorization: str, query_key: str, body: Any) -> str:
    """The write key: Basic auth's user name, else `?writeKey=` (beacons), else the body's."""
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            user = base64.b64decode(value.strip(), validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            user = ""
        if user:
            return user.split(":", 1)[0]
    if query_key:
        return query_key
    if isinstance(body, dict) and isinstance(body.get("writeKey"), str):
        return str(body["writeKey"])
    return ""


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise Refused(400, "invalid_json", f"malformed JSON ({where}: {error.msg})") from None
    except ValueError:  # (the one ValueError json.loads raises besides: a number too long)
        at = long_number_index(text)
        where = f" at character {at + 1:,}" if at is not None else ""
        digits = f"{sys.get_int_max_str_digits():,}"
        raise Refused(
            400, "invalid_json", f"malformed JSON (a number of more than {digits} digits{where})"
        ) from None
    except RecursionError:
        raise Refused(400, "invalid_json", "malformed JSON (nested too deeply)") from None


def _masked_text(text: str, key: str) -> str:
    """The body's text with the write key masked wherever it is (it may sit in any event)."""
    if len(key) < 8 or any(c in key for c in '"\\') or not key.isprintable():
        return text
    return mask_secrets(text, [key])


def _without_key(event: Any, shown: str) -> Any:
    """The event with its `writeKey` field masked (analytics.js puts it in every event)."""
    if not isinstance(event, dict) or "writeKey" not in event:
        return event
    if isinstance(event, Tagged):  # read from a Datafly.js call: keep what it was read as
        return Tagged({**event, "writeKey": shown}, event.shape, event.origin)
    return {**event, "writeKey": shown}


def read_call(
    path: str,
    kind: str,
    data: bytes,
    *,
    authorization: str = "",
    query_key: str = "",
) -> Call:
    """The events in a request body already decompressed; `Refused` for anything unreadable."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "invalid_json", "the body is not UTF-8 text") from None
    if kind == "events":
        return _events_call(path, text, authorization, query_key)
    probe_key = write_key_of(authorization, query_key, None)
    if probe_key:
        text = _masked_text(text, probe_key)
    body = _loads(text)
    key = probe_key or write_key_of("", "", body)
    shown = redact_key(key) if key else ""
    if kind == "batch":
        if not isinstance(body, dict) or not isinstance(body.get("batch"), list):
            raise Refused(400, "invalid_batch", 'a batch body is {"batch": [ ...events ]}')
        try:
            events = [_without_key(event, shown) for event in expand(body, path)]
        except NoEvents as error:  # (only a HAR file raises it, and a batch is not one)
            raise Refused(400, "invalid_batch", str(error)) from None
        return Call(path, kind, events, shown, _oversized(events, len(data)))
    if not isinstance(body, dict):
        raise Refused(400, "invalid_event", f"a {path} body is one JSON object (an event)")
    return Call(path, kind, [_without_key(body, shown)], shown)


def _events_call(path: str, text: str, authorization: str, query_key: str) -> Call:
    key = write_key_of(authorization, query_key, None)
    if key:
        text = _masked_text(text, key)
    try:
        events = parse_events_text(text, path)
    except InputError as error:
        raise Refused(400, "invalid_events", str(error)) from None
    shown = redact_key(key) if key else ""
    return Call(path, "events", [_without_key(event, shown) for event in events], shown)


def _oversized(events: list[Any], body_size: int) -> dict[int, str]:
    """The events over 32 KB in a batch (Segment refuses the whole batch for one of them)."""
    if body_size <= EVENT_MAX:
        return {}
    found = {}
    for index, event in enumerate(events):
        size = len(json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode())
        if size > EVENT_MAX:
            found[index] = (
                f"event {index + 1} of the batch is {size / 1024:.0f} KB, over the 32 KB per "
                "event Segment and RudderStack take: the whole batch is refused (400)"
            )
    return found


def answer_body(refusal: Refusal | None) -> bytes:
    """`{"success": true}`, or `{"success": false, "code", "message"}` (the SDKs log code and
    message)."""
    if refusal is None:
        return b'{"success":true}'
    body = {"success": False, "code": refusal.code, "message": refusal.message}
    return json.dumps(body, separators=(",", ":")).encode("utf-8")
