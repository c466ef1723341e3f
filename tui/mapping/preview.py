"""THE preview: any JSON value in, the exact WebEngage request and every finding out. Never raises.

The CLI's `preview`, the TUI's live preview, `send` and the tests all go through `preview_event`, so
what is shown is what is sent.

Text that is not valid Unicode (a lone surrogate) and integers of more than 4,300 digits cannot be
sent: a file or the properties editor refuses them when read (`tui.mapping.signal`, exit 2); when one
arrives another way (a field typed in, code), it is a finding of severity error where it is.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from tui.mapping.blueprint import Blueprint, default_blueprint
from tui.mapping.coerce import coerce_event
from tui.mapping.formats import Format, Reading, normalise
from tui.mapping.json_values import MAX_VALUE_DEPTH
from tui.mapping.mapper import Mapped, child_path, finding, map_event
from tui.mapping.validation import validate
from tui.webengage.api import Endpoint
from tui.webengage.findings import Finding, Severity
from tui.webengage.request import (
    Connection,
    WebEngageRequest,
    build_request,
    int_too_long,
    too_long_bound,
)
from tui.webengage.types import AttributeType, KnownTypes


@dataclass(slots=True)
class Preview:
    """One Signal event as WebEngage would receive it. `mapped` is None when it was not an object."""

    request: WebEngageRequest
    mapped: Mapped | None
    findings: list[Finding]
    event_name: str
    raw: Any = None  # the event as given (in whichever format), for the side-by-side view
    format: str = Format.SIGNAL.value  # the format `raw` was read in (tui.mapping.formats)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def endpoint(self) -> Endpoint:
        return self.request.endpoint


def preview_event(
    raw: Any,
    connection: Connection,
    blueprint: Blueprint | None = None,
    *,
    now: datetime | None = None,
    known_types: KnownTypes | Mapping[str, AttributeType] | None = None,
    checked: bool = False,
) -> Preview:
    """The request `raw` becomes, with findings from reading, mapping and validating it.

    `raw` may be in any format `tui.mapping.formats` reads (Signal, Segment / RudderStack, a
    WebEngage body, a Datafly.js call as read); the first finding then says which, and from where.
    `checked`: `raw` is known to hold no lone surrogate and no integer too long to write (its
    reading proved it: `EventStream.checked`), so `unsendable` is not asked.
    """
    blueprint = blueprint or default_blueprint()
    now = now or datetime.now(UTC)
    reading = normalise(raw, blueprint)
    signal = reading.event
    findings = reading_findings(reading)
    event, coerced = coerce_event(signal)
    findings += coerced
    if not checked and isinstance(signal, dict):
        findings += unsendable(signal)
    shown = dict(raw) if isinstance(raw, dict) else raw  # a Tagged read becomes plain JSON
    if event is None or reading.not_delivered is not None:
        request = build_request(connection, Endpoint.EVENTS, {})
        found = in_source_terms(findings, reading)
        return Preview(request, None, found, "", shown, _FORMATS[reading.format])
    mapped = map_event(event, blueprint, now)
    findings += mapped.findings
    findings += validate(mapped, known_types=known_types)
    request_id = reading.request_id
    if request_id is not None and mapped.endpoint.is_bulk:
        request_id = None
    request = build_request(connection, mapped.endpoint, mapped.body, request_id=request_id)
    found = in_source_terms(findings, reading)
    return Preview(request, mapped, found, mapped.event_name, shown, _FORMATS[reading.format])


_FORMATS = {shape: shape.value for shape in Format}
"""Each format's name (looked up: an Enum's `.value` is a Python-level property)."""


def reading_findings(reading: Reading) -> list[Finding]:
    """What the reading says: which format, from where, and what is not sent (info), and an
    error for a call WebEngage has no counterpart for."""
    summary = reading.summary()
    found = [summary] if summary is not None else []
    found.extend(reading.notes)
    if reading.not_delivered is not None:
        found.append(reading.not_delivered)
    return found


def in_source_terms(findings: list[Finding], reading: Reading) -> list[Finding]:
    """Findings located in the event as given: `$.user_id` is `$.userId` in a Segment event."""
    if not reading.took or not findings:
        return findings
    moves = {
        f"$.{field}": source
        for field, source in reading.took
        if source.startswith("$.") and " " not in source and "." not in field
    }
    if not moves:
        return findings
    moved = []
    for item in findings:
        head = item.path.split(".", 2)
        prefix = ".".join(head[:2]).split("[", 1)[0]
        target = moves.get(prefix)
        if target is not None and target != prefix:
            item = replace(item, path=target + item.path[len(prefix) :])
        moved.append(item)
    return moved


_SURROGATE = re.compile("[\ud800-\udfff]")
_SCANNED = ("event", "user_id", "anonymous_id", "properties", "traits")
UNSENDABLE_MAX = 20
"""At most this many such findings per event: the first ones say what to fix."""


def _not_unicode(path: str, char: str) -> Finding:
    return finding(
        Severity.ERROR,
        path,
        f"a lone surrogate \\u{ord(char):04x} is not valid Unicode: WebEngage cannot receive it",
        "remove it, or mend the text it was cut from (half of an emoji?)",
        "not-unicode",
    )


def _number_too_long(path: str) -> Finding:
    return finding(
        Severity.ERROR,
        path,
        f"a number with more than {sys.get_int_max_str_digits():,} digits: too long to send",
        "send it as a string, or a shorter number",
        "number-too-long",
    )


def _plain(value: Any, bound: int | None, depth: int) -> bool:
    """True when `value` plainly holds nothing `unsendable` reports: JSON's types only, no lone
    surrogate, no integer of `bound` or more (None: no limit). False says only "look closer"."""
    kind = type(value)
    if kind is str:
        return value.isascii() or _SURROGATE.search(value) is None
    if kind is int:
        return bound is None or -bound < value < bound
    if kind is float or kind is bool or value is None:
        return True
    if depth > MAX_VALUE_DEPTH or (kind is not dict and kind is not list):
        return False
    for key, child in value.items() if kind is dict else enumerate(value):
        if kind is dict and (type(key) is not str or not _plain(key, bound, depth)):
            return False
        child_kind = type(child)
        if child_kind is str:  # (the usual value, checked here rather than in a call)
            if not (child.isascii() or _SURROGATE.search(child) is None):
                return False
        elif not (child_kind is float or child is None or child_kind is bool) and not _plain(
            child, bound, depth + 1
        ):
            return False
    return True


def unsendable(raw: dict[str, Any]) -> list[Finding]:
    """Lone surrogates (in values and keys) and integers too long to write, in the fields the
    mapping takes values from. Iterative and cycle-safe; paths are ASCII (`$.p["\\ud800"]`)."""
    bound = too_long_bound()
    for key in _SCANNED:
        value = raw.get(key)
        if type(value) is str and value.isascii():  # (the ids and the name, nearly always)
            continue
        if key in raw and not _plain(value, bound, 0):
            return scan_unsendable(raw)
    return []  # (the usual case: nothing to find, and no path worked out)


def scan_unsendable(raw: dict[str, Any]) -> list[Finding]:
    """`unsendable` the long way: every value looked at, with its path (`unsendable` takes it
    when its quick look is not sure)."""
    found: list[Finding] = []
    seen: set[int] = set()
    stack = [(raw[key], f"$.{key}", 0) for key in reversed(_SCANNED) if key in raw]
    while stack and len(found) < UNSENDABLE_MAX:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if (match := _SURROGATE.search(value)) is not None:
                found.append(_not_unicode(path, match.group()))
        elif isinstance(value, int) and not isinstance(value, bool):
            if int_too_long(value) and path not in ("$.user_id", "$.anonymous_id"):
                found.append(_number_too_long(path))  # (an identity's own finding says so)
        elif isinstance(value, dict | list | tuple) and id(value) not in seen:
            seen.add(id(value))
            if depth > MAX_VALUE_DEPTH:  # validation says it is too deep to send at all
                continue
            if not isinstance(value, dict):
                children = reversed(list(enumerate(value)))
                stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in children)
                continue
            for key, child in reversed(list(value.items())):
                where = child_path(path, key) if isinstance(key, str) else path
                if isinstance(key, str) and (match := _SURROGATE.search(key)) is not None:
                    where = f"{path}[{json.dumps(key)}]"
                    found.append(_not_unicode(where, match.group()))
                stack.append((child, where, depth + 1))
    return found[:UNSENDABLE_MAX]
