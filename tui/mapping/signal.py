"""The Signal event (PRODUCT.md §2) and reading it from text or files.

Input is untrusted: a file may hold one object, a JSON array of objects, or newline-delimited objects,
and anything wrong with the text itself becomes one `InputError` naming the source and line:column.
Turning a parsed value into a `SignalEvent` (`coerce_event`, in `tui.mapping.coerce`; both named here
too) never raises: each problem is a Finding.
A file is read in chunks up to a limit (`/dev/zero` stops there); a pipe is read like a file.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.mapping.blueprint import MAX_BYTES, TooLarge, read_bounded, size_text
from tui.mapping.coerce import SIGNAL_FIELDS as SIGNAL_FIELDS
from tui.mapping.coerce import SIGNAL_TYPES as SIGNAL_TYPES
from tui.mapping.coerce import SignalEvent as SignalEvent
from tui.mapping.coerce import coerce_event as coerce_event
from tui.mapping.dates import parse_date_time as parse_date_time
from tui.mapping.dates import read_date_time as read_date_time
from tui.mapping.formats import Format, NoEvents, Tagged, datafly, expand
from tui.webengage.request import lone_surrogate, long_number_index
from tui.webengage.types import json_type


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
