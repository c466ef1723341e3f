"""One NDJSON line as the events it holds: `parse_line` with every check (`parse_events_text`'s,
located at the line), and `plain_line`, the quick way for a line that plainly needs none of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tui.mapping.formats import plainly_one_event
from tui.mapping.signal import InputError, parse_events_text

_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
"""The scanner `json.loads` runs (its C scanner, configured as its own): the same values.
(`raw_decode` without its wrapping: StopIteration where that raises JSONDecodeError.)"""
_LINE_ENDS = frozenset({"", "\n", "\r", "\r\n"})
"""What may follow the object on its line: its line break (LF, CR LF), a lone CR, or nothing."""


def plain_line(line: bytes) -> dict[str, Any] | None:
    """The object NDJSON `line` holds when it is plainly one, read in one call of the C scanner:
    what `parse_line` gives (alone) without its checks, because none can fail. UTF-8, an object
    from the first character to the last (before the line break), no `\\u` escape (so no lone
    surrogate: UTF-8 cannot carry a raw one), nothing `expand` would open. Otherwise None, and the
    line is read the careful way, with its errors."""
    if b"\\u" in line:
        return None
    try:
        text = line.decode("utf-8")
        value, end = _scan(text, 0)
    except Exception:  # (not UTF-8, not JSON, a number too long, too deep: the careful way says)
        return None
    if type(value) is not dict or text[end:] not in _LINE_ENDS or not plainly_one_event(value):
        return None
    return value


def parse_line(line: bytes, number: int, source: str) -> list[Any]:
    """The events of NDJSON line `number` (`parse_events_text`'s errors, at that line)."""
    try:
        text = line.removesuffix(b"\n").removesuffix(b"\r").decode("utf-8")
        return parse_events_text(text.removeprefix("\ufeff"), "")
    except UnicodeDecodeError as error:
        raise InputError(source, "not UTF-8 text", number, error.start + 1) from None
    except InputError as error:
        line_no = number + (error.line or 1) - 1
        raise InputError(source, error.message, line_no, error.column) from None
