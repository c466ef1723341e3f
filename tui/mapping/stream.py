"""Streaming the events of a file or standard input (`-`), one at a time, never holding them all.

Newline-delimited JSON is read line by line (each line's value through `parse_events_text`, so a
line holding a batch envelope gives its items), a top-level JSON array item by item with ijson.
Anything else (one object, a HAR file, Datafly.js calls, a batch envelope file) is read whole, as
`read_events` always did, within `max_bytes`. Streamed input has a per-event limit instead
(`event_max_bytes`): one line, or one array item, may not be larger.

Errors are today's `InputError`, located by line (and, in an array, by item). ijson's C parser
answers a few things differently from `json`: it writes a lone surrogate escape as `?`, rejects
NaN, and integers past Python's digit limit or very deep nesting are unsafe for it. The bytes it is
fed are checked for those first; a file with one of them is read the old way from the item where
the stream stopped (exact errors, same values), or, past `max_bytes`, refused at that item.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import partial
from itertools import chain
from pathlib import Path
from typing import IO, Any, Literal

from tui.mapping.blueprint import MAX_BYTES, STDIN, size_text
from tui.mapping.feed import BUF, Feed, Trouble
from tui.mapping.lines import parse_line as _parse_line
from tui.mapping.lines import plain_line as _plain_line
from tui.mapping.signal import InputError, parse_events_text, read_events
from tui.webengage.request import json_text

EVENT_MAX_BYTES = 4 * 2**20
"""The most one streamed event (an NDJSON line, an array item) may hold."""
Kind = Literal["ndjson", "array", "whole"]

_BOM = b"\xef\xbb\xbf"


def _open(path: Path) -> tuple[IO[bytes], os.stat_result]:
    source = str(path)
    try:
        if source == STDIN:
            raw = open(os.dup(sys.stdin.fileno()), "rb", buffering=BUF)  # noqa: SIM115
        else:
            raw = open(path, "rb", buffering=BUF)  # noqa: SIM115
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except IsADirectoryError:
        raise InputError(source, "is a directory, not a file of events") from None
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as error:
        raise InputError(source, f"cannot read: {error.strerror or error}") from None
    info = os.fstat(raw.fileno())
    if stat.S_ISDIR(info.st_mode):
        raw.close()
        raise InputError(source, "is a directory, not a file of events")
    return raw, info


def _exact(value: Any) -> Any:
    """ijson's Decimals as the floats `json` gives (through their text: the same rounding)."""
    if isinstance(value, Decimal):
        return float(value)
    if not isinstance(value, dict | list):
        return value
    stack = [value]
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, child in pairs:
            if isinstance(child, Decimal):
                item[key] = float(child)
            elif isinstance(child, dict | list):
                stack.append(child)
    return value


class EventStream:
    """The events of one file (or `-`), read as they are iterated; use as a context manager.

    `kind` says how: "ndjson", "array" (both streamed) or "whole" (read at once, as before).
    `count` is how many events have been yielded so far."""

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int = MAX_BYTES,
        event_max_bytes: int = EVENT_MAX_BYTES,
        raise_limit: str = "use --max-bytes to raise the limit",
    ) -> None:
        self.path = path
        self.source = str(path)
        self.max_bytes = max_bytes
        self.event_max = event_max_bytes
        self.raise_limit = raise_limit
        self.count = 0
        self.checked = False
        """True while the last event yielded holds no lone surrogate and no integer too long to
        write, as its reading proved (`tui.mapping.lines.plain_line`): `preview_event(checked=)`."""
        self.file, self.info = _open(path)
        self.regular = stat.S_ISREG(self.info.st_mode)
        self.head: list[bytes] = []
        self.kind: Kind = self._detect()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.file.close()

    def _line(self) -> bytes:
        return self.file.readline(self.event_max + 1)

    def _detect(self) -> Kind:
        """Read the first non-blank line (at most one event's worth) and one more, to tell."""
        first = self._line()
        while first and not first.strip() and len(self.head) < 1000:
            self.head.append(first)
            first = self._line()
        self.head.append(first)
        whole_line = first.endswith(b"\n") and len(first) <= self.event_max
        if whole_line and first.lstrip(_BOM + b" \t\r")[:1] in (b"{", b"["):
            try:
                json.loads(first.removeprefix(_BOM))
                parsed = True
            except (ValueError, RecursionError) as error:  # a too-long number is still a value
                parsed = not isinstance(error, json.JSONDecodeError | RecursionError)
            if parsed:
                second = self._line()
                while second and not second.strip() and len(self.head) < 2000:
                    self.head.append(second)
                    second = self._line()
                self.head.append(second)
                if second.strip():
                    return "ndjson"
        return "array" if first.lstrip(_BOM + b" \t\r\n")[:1] == b"[" else "whole"

    def __iter__(self) -> Iterator[Any]:
        return self._ndjson() if self.kind == "ndjson" else self._counted()

    def _counted(self) -> Iterator[Any]:
        events = self._array() if self.kind == "array" else iter(self._whole())
        for event in events:
            self.count += 1
            yield event

    # ---- the three ways ----

    def _ndjson(self) -> Iterator[Any]:
        """The lines' events, counted as they go (the quickest way: one event a line)."""
        rest = iter(partial(self.file.readline, self.event_max + 1), b"")
        for number, line in enumerate(chain(self.head, rest), start=1):
            if not line:
                return
            if line.isspace():  # (`isspace` is False at once for a line of JSON)
                continue
            if len(line) > self.event_max:
                limit = size_text(self.event_max)
                message = f"a line longer than {limit} (the most one event may hold)"
                raise InputError(self.source, message, number, 1)
            plain = _plain_line(line)
            if plain is not None:
                self.checked = True
                self.count += 1
                yield plain
                continue
            self.checked = False
            for event in _parse_line(line, number, self.source):
                self.count += 1
                yield event

    def _array(self) -> Iterator[Any]:
        import ijson  # (only for a JSON array: the TUI imports this module for its first screen)

        feed = Feed(b"".join(self.head), self.file, self.event_max)
        index = 0
        try:
            for item in ijson.items(feed, "item", buf_size=BUF):
                feed.since_item = 0
                self.checked = True  # (`Feed` let through no lone surrogate, no long number)
                yield _exact(item)
                index += 1
        except (Trouble, ijson.JSONError) as trouble:
            self.checked = False
            yield from self._rest_from(index, trouble, feed)

    def _rest_from(self, index: int, trouble: Exception, feed: Feed) -> Iterator[Any]:
        """After ijson stopped at item `index`: the rest as `read_events` reads the file, when it
        can be read again within the limit; otherwise an InputError at that item."""
        if self.regular and self.info.st_size <= self.max_bytes:
            events = read_events(self.path, max_bytes=self.max_bytes, raise_limit=self.raise_limit)
            yield from events[index:]
            return
        reason = str(trouble).splitlines()[0] if str(trouble) else type(trouble).__name__
        reason = reason.strip("b'\"").replace("parse error: ", "").replace("lexical error: ", "")
        near = feed.lines + 1
        message = f"item {index + 1} of the array (near line {near:,}): {reason}"
        raise InputError(self.source, message, near, 1)

    def _whole(self) -> list[Any]:
        if self.regular and self.source != STDIN:
            self.file.close()
            return read_events(self.path, max_bytes=self.max_bytes, raise_limit=self.raise_limit)
        data = b"".join(self.head)
        rest = self.file.read(max(0, self.max_bytes + 1 - len(data)))
        data += rest
        if len(data) > self.max_bytes:
            limit = size_text(self.max_bytes)
            raise InputError(self.source, f"is larger than {limit}; {self.raise_limit}")
        return parse_events_text(_decode(data, self.source), self.source)


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise InputError(source, "not UTF-8 text", line, column) from None


def open_events(
    path: Path,
    *,
    max_bytes: int = MAX_BYTES,
    event_max_bytes: int = EVENT_MAX_BYTES,
    raise_limit: str = "use --max-bytes to raise the limit",
) -> EventStream:
    """The events at `path` (or `-`), streamed where the input allows it (see the module)."""
    return EventStream(
        path, max_bytes=max_bytes, event_max_bytes=event_max_bytes, raise_limit=raise_limit
    )


class EventIndex:
    """Random access to the events of a file without holding them: where each one starts (an
    NDJSON line, or a line of a spooled copy of an array), read again when asked for. A file
    read whole (one object, a HAR file) is held, as it always was (within the byte limit)."""

    def __init__(self, events: list[Any] | None = None) -> None:
        self.offsets = array("q")
        self.subs = array("l")
        self.held = events
        self.file: IO[bytes] | None = None

    @property
    def count(self) -> int:
        return len(self.held) if self.held is not None else len(self.offsets)

    def get(self, index: int) -> Any:
        if self.held is not None:
            return self.held[index]
        assert self.file is not None
        self.file.seek(self.offsets[index])
        return _parse_line(self.file.readline(), 1, "")[self.subs[index]]

    def page(self, start: int, size: int) -> list[tuple[int, Any]]:
        """(index, event) of up to `size` events from `start`."""
        return [(i, self.get(i)) for i in range(max(0, start), min(self.count, start + size))]

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def index_events(
    path: Path,
    *,
    max_bytes: int = MAX_BYTES,
    event_max_bytes: int = EVENT_MAX_BYTES,
    raise_limit: str = "use --max-bytes to raise the limit",
    cancelled: Callable[[], bool] | None = None,
    polite: bool = False,
) -> EventIndex:
    """An EventIndex of the regular file at `path` (InputError as `open_events` raises it).
    NDJSON is indexed where it lies; an array is copied to a temporary NDJSON file as it is
    streamed (one event a line); `cancelled()` stops the work. `polite`: a thread beside a UI
    sleeps 1 ms every 200 events, or the UI's thread waits for the GIL and its frames stall."""

    def step(count: int) -> bool:
        if polite and count % 200 == 0:
            time.sleep(0.001)
        return cancelled is not None and cancelled()

    stream = open_events(
        path, max_bytes=max_bytes, event_max_bytes=event_max_bytes, raise_limit=raise_limit
    )
    with stream:
        if stream.kind == "whole":
            return EventIndex(list(stream))
        index = EventIndex()
        if stream.kind == "array":
            index.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
            for event in stream:
                if step(len(index.offsets)):
                    break
                index.offsets.append(index.file.tell())
                index.subs.append(0)
                index.file.write(json_text(event).encode("utf-8") + b"\n")
            index.file.flush()
            return index
    index.file = open(path, "rb")  # noqa: SIM115
    offset = 0
    for number, line in enumerate(index.file, start=1):
        if line.strip():
            if step(number):
                break
            for sub in range(len(_parse_line(line, number, str(path)))):
                index.offsets.append(offset)
                index.subs.append(sub)
        offset += len(line)
    return index
