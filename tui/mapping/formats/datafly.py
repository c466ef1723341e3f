"""A Datafly.js call as written on a site: `datafly.track('Order Completed', { order_id: ... });`.

Its arguments are JavaScript object literals (single quotes, unquoted keys, trailing commas,
comments), read with json5 (a well-kept JSON5 parser), never by hand. The only scanning done
here is finding where each call's argument list ends: each `)` after the call's `(` is tried in
turn until json5 reads what lies between as an argument list.

The calls follow analytics.js's signatures, which Datafly.js keeps:
`track(event, properties?)`, `page(category?, name?, properties?)`, `identify(userId?, traits?)`.
A call carries no identity (but identify's userId): it comes from the composer's fields.
"""

from __future__ import annotations

import re
from typing import Any

CALL = re.compile(r"\bdatafly\s*\.\s*([A-Za-z_]\w*)\s*\(")
METHODS = ("track", "page", "identify")
_TRIES = 200
"""At most this many `)` tried as a call's end (a call is small; a file of them is not)."""


class CallError(ValueError):
    """A Datafly.js call that cannot be read, with the 1-based line and column of its start."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def looks_like_calls(text: str) -> bool:
    # (the substring test first: the composer asks on every keystroke, and on 5 KB of JSON the
    # pattern's search alone takes ~0.16 ms, the substring's ~1 µs)
    return "datafly" in text and CALL.search(text) is not None


def _position(text: str, index: int) -> tuple[int, int]:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _arguments(text: str, start: int) -> tuple[list[Any], int] | None:
    """The call's arguments (the `(` is just before `start`) and the index after its `)`."""
    import json5  # (~4 ms to import: only once a call is really there, not at start-up)

    index, tries = start, 0
    while tries < _TRIES:
        index = text.find(")", index)
        if index < 0:
            return None
        tries += 1
        try:
            value = json5.loads(f"[{text[start:index]}]")
        except (ValueError, RecursionError):
            index += 1
            continue
        if isinstance(value, list):
            return value, index + 1
        index += 1
    return None


def _event(method: str, args: list[Any]) -> dict[str, Any]:
    """The Signal event a call makes (its options argument is not part of the event)."""
    strings = []
    while args and (isinstance(args[0], str) or args[0] is None):
        strings.append(args.pop(0))
    objects = [arg for arg in args if isinstance(arg, dict)]
    body = objects[0] if objects else {}
    if method == "track":
        return {"type": "track", "event": strings[0] if strings else None, "properties": body}
    if method == "identify":
        event: dict[str, Any] = {"type": "identify", "traits": body}
        if strings and strings[0]:
            event["user_id"] = strings[0]
        return event
    properties = dict(body)
    named = [s for s in strings if s]
    if len(strings) >= 2:  # page(category, name, ...)
        if strings[0]:
            properties.setdefault("category", strings[0])
        if strings[1]:
            properties.setdefault("name", strings[1])
    elif named:
        properties.setdefault("name", named[0])
    return {"type": "page", "properties": properties}


def parse_calls(text: str) -> list[dict[str, Any]]:
    """Every Datafly.js call in `text`, in order, as Signal events; CallError for one that cannot
    be read (its arguments are not JavaScript literals) or is not a call the tool reads."""
    events = []
    for match in CALL.finditer(text):
        method = match.group(1)
        line, column = _position(text, match.start())
        if method not in METHODS:
            raise CallError(
                f"datafly.{method}(...) is not a call that becomes a WebEngage request "
                f"(the tool reads {', '.join(METHODS)})",
                line,
                column,
            )
        found = _arguments(text, match.end())
        if found is None:
            raise CallError(
                f"datafly.{method}(...): its arguments are not JavaScript literals "
                "(a string, then an object such as { order_id: 'ORD-1337' })",
                line,
                column,
            )
        events.append(_event(method, found[0]))
    return events
