"""The Signal event (PRODUCT.md §2) and reading it from text or files.

Input is untrusted: a file may hold one object, a JSON array of objects, or newline-delimited objects,
and anything wrong with the text itself becomes one `InputError` naming the source and line:column.
Turning a parsed value into a `SignalEvent` (`coerce_event`) never raises: each problem is a Finding.
A file is read in chunks up to a limit (`/dev/zero` stops there); a pipe is read like a file.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from tui.mapping.blueprint import MAX_BYTES, TooLarge, read_bounded, size_text
from tui.mapping.fast import construct
from tui.mapping.formats import Format, NoEvents, Tagged, datafly, expand
from tui.mapping.mapped import finding
from tui.webengage.findings import Finding, Severity
from tui.webengage.request import int_too_long, lone_surrogate, long_number_index
from tui.webengage.types import json_type

SIGNAL_FIELDS = ("type", "event", "user_id", "anonymous_id", "timestamp", "properties", "traits")
SIGNAL_TYPES = ("track", "page", "identify")


class InputError(Exception):
    """Text that cannot be read as Signal events, located as precisely as possible."""

    def __init__(
        self, source: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.source = source
        self.message = message
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.source}:{self.line}:{self.column or 1}: {self.message}"
        return f"{self.source}: {self.message}"


def _json_error(error: json.JSONDecodeError, source: str, line_offset: int = 0) -> InputError:
    return InputError(source, error.msg, error.lineno + line_offset, error.colno)


def _at(text: str, index: int, source: str, message: str, line_offset: int = 0) -> InputError:
    """An InputError at character `index` of `text` (its line and column)."""
    line = text.count("\n", 0, index) + 1 + line_offset
    return InputError(source, message, line, index - (text.rfind("\n", 0, index) + 1) + 1)


def _long_number(text: str, source: str, line_offset: int = 0) -> InputError:
    """json.loads's ValueError for an integer of more than 4,300 digits, located."""
    message = f"a number with more than {sys.get_int_max_str_digits():,} digits (too long to read)"
    index = long_number_index(text)
    if index is None:
        return InputError(source, message)
    return _at(text, index, source, message, line_offset)


def _check_unicode(text: str, source: str, line_offset: int = 0) -> None:
    """InputError at the first lone surrogate: not valid Unicode, so UTF-8 cannot carry it and
    WebEngage cannot receive it."""
    found = lone_surrogate(text)
    if found is not None:
        message = f"a lone surrogate \\u{found[1]:04x} is not valid Unicode"
        raise _at(text, found[0], source, message, line_offset)


def _loads(text: str, source: str, line_offset: int = 0) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise _json_error(error, source, line_offset) from None
    except RecursionError:
        raise InputError(source, "JSON nested too deeply to read", line_offset + 1, 1) from None
    except ValueError:  # the only other one: an integer longer than Python converts
        raise _long_number(text, source, line_offset) from None
    _check_unicode(text, source, line_offset)
    return value


def parse_events_text(text: str, source: str) -> list[Any]:
    """The events in `text`: one JSON value, a JSON array of them, or one JSON value per line.

    A top-level array is a list of events; anything else is one event (a non-object is reported
    later as a finding, so one bad line does not hide the others).
    """
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(source, "empty: expected a JSON object, an array of them, or one per line")
    try:
        value = json.loads(text)
    except RecursionError:
        raise InputError(source, "JSON nested too deeply to read", 1, 1) from None
    except json.JSONDecodeError as whole_error:
        if datafly.looks_like_calls(text):
            return _parse_calls(text, source)
        events = _parse_ndjson(text, source)
        if events is None:
            raise _json_error(whole_error, source) from None
        return events
    except ValueError:
        raise _long_number(text, source) from None
    _check_unicode(text, source)
    return _expand(value, source)


def _expand(value: Any, source: str) -> list[Any]:
    try:
        return expand(value, source)
    except NoEvents as error:
        raise InputError(source, str(error)) from None


def _parse_calls(text: str, source: str) -> list[Any]:
    """Datafly.js calls, as pasted from a site's code (JavaScript literals, read with json5)."""
    _check_unicode(text, source)
    try:
        calls = datafly.parse_calls(text)
    except datafly.CallError as error:
        raise InputError(source, error.message, error.line, error.column) from None
    if len(calls) == 1:
        return [Tagged(calls[0], Format.DATAFLY_JS.value)]
    return [
        Tagged(call, Format.DATAFLY_JS.value, f"call {n} of {len(calls)}")
        for n, call in enumerate(calls, start=1)
    ]


def _parse_ndjson(text: str, source: str) -> list[Any] | None:
    """One JSON value per line, or None when the first line is not a JSON value by itself
    (then the text is one malformed document, and the whole-text error is the useful one)."""
    lines = text.splitlines()
    numbered = [(i, line) for i, line in enumerate(lines) if line.strip()]
    if len(numbered) < 2:
        return None
    first_line = numbered[0][1]
    try:
        json.loads(first_line)
    except (json.JSONDecodeError, RecursionError):
        return None
    except ValueError:  # a value, with a number too long to read: `_loads` says where
        pass
    events = []
    for index, line in numbered:
        events.extend(_expand(_loads(line, source, line_offset=index), source))
    return events


def read_events(
    path: Path,
    *,
    max_bytes: int = MAX_BYTES,
    wait_s: float | None = None,
    cancelled: Callable[[], bool] | None = None,
    raise_limit: str = "use --max-bytes to raise the limit",
) -> list[Any]:
    """The events in the file at `path` (see `parse_events_text`); InputError for anything
    unreadable. Reads at most `max_bytes` (see `read_bounded` for `wait_s` and `cancelled`)."""
    source = str(path)
    try:
        data = read_bounded(path, max_bytes, wait_s=wait_s, cancelled=cancelled)
    except TooLarge:
        raise InputError(source, f"is larger than {size_text(max_bytes)}; {raise_limit}") from None
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except IsADirectoryError:
        raise InputError(source, "is a directory, not a file of events") from None
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as error:
        raise InputError(source, f"cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise InputError(source, "not UTF-8 text", line, column) from None
    return parse_events_text(text, source)


def parse_json_object(text: str, source: str) -> dict[str, Any]:
    """One JSON object (the composer's properties editor); InputError with line/column otherwise."""
    if not text.strip():
        return {}
    value = _loads(text, source)
    if not isinstance(value, dict):
        raise InputError(source, f"expected a JSON object, got {json_type(value)}", 1, 1)
    return value


def parse_date_time(text: str) -> datetime | None:
    """An ISO 8601 date or date-time (no offset = UTC), in UTC; None when it is not one."""
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


class SignalEvent(BaseModel):
    """One Signal event, its fields already checked for type (see `coerce_event`).

    `extra` keeps the top-level fields Signal sends that the mapping does not use (context,
    messageId, ...), so the trace can say they were dropped.
    """

    type: str = "track"
    event: str | None = None
    user_id: str | None = None
    anonymous_id: str | None = None
    timestamp: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    traits: dict[str, Any] = Field(default_factory=dict)
    extra: dict[str, Any] = Field(default_factory=dict)
    rejected: dict[str, str] = Field(default_factory=dict)  # field -> why its value was not used


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


def _objects(raw: dict[str, Any], findings: list[Finding]) -> dict[str, dict[str, Any]]:
    """properties and traits, each an object ({} when absent, or ignored when not an object)."""
    objects: dict[str, dict[str, Any]] = {}
    for key in ("properties", "traits"):
        value = raw.get(key)
        if value is None:
            objects[key] = {}
        elif isinstance(value, dict):
            objects[key] = value
        else:
            objects[key] = {}
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
    # The checks run in this order so the findings come out in the order of the fields.
    event = _event_name(raw, findings)
    kind = _kind(raw, event, findings)
    timestamp = _timestamp(raw, findings)
    objects = _objects(raw, findings)
    values = {
        "type": kind,
        "event": event,
        "user_id": _identity(raw, "user_id", findings),
        "anonymous_id": _identity(raw, "anonymous_id", findings),
        "timestamp": timestamp,
        "properties": objects["properties"],
        "traits": objects["traits"],
        "extra": {str(k): v for k, v in raw.items() if k not in SIGNAL_FIELDS},
        "rejected": {f.path[2:]: f.message for f in findings if f.code in _REJECTED},
    }
    return construct(SignalEvent, values), findings
