"""What ijson reads of a streamed JSON array (`tui.mapping.stream`), checked on the way.

ijson's C parser answers a few things differently from `json`: it writes a lone surrogate escape
as `?`, and integers past Python's digit limit or very deep nesting are unsafe for it. `Feed`
looks for them in each chunk first and raises `Trouble`, so the stream reads the rest the old way.
"""

from __future__ import annotations

import re
import sys
from typing import IO

from tui.mapping.blueprint import size_text
from tui.webengage.request import lone_surrogate

BUF = 64 * 1024
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_TAIL = re.compile(rb"(?:\\+[^\\]{0,11}|\d+)\Z")
_DEEP = 10_000

_DIGITS_AS_ZEROS = bytes(48 if 48 <= byte <= 57 else 120 for byte in range(256))  # (0-9: "0")


def _long_digits() -> tuple[bytes, re.Pattern[bytes]]:
    """A run of digits too long for Python to read as an integer: a shorter run every such run
    holds, looked for first (in a chunk translated by `_DIGITS_AS_ZEROS`: far quicker), and it."""
    limit = sys.get_int_max_str_digits() or 10**9
    return b"0" * min(limit + 1, 2**16), re.compile(rb"\d{%d,}" % (limit + 1))


def _tail(chunk: bytes) -> re.Match[bytes] | None:
    """`_TAIL` in the last 8 KiB of `chunk`, in its last 64 bytes first: any match that begins
    earlier matches from their start too, so only one found just there needs the long look."""
    near = max(0, len(chunk) - 64)
    tail = _TAIL.search(chunk, near)
    if tail is not None and tail.start() == near and near > 0:
        tail = _TAIL.search(chunk, max(0, len(chunk) - 8192))
    return tail


class Trouble(Exception):
    """Something ijson must not be fed (or could not parse): read the rest the old way."""


class Feed:
    """What ijson reads: the head already read, then the file, checked on the way (see above).

    A chunk never ends inside a backslash escape or a run of digits (that tail waits for the next
    read), so each check sees whole escapes and whole numbers."""

    def __init__(self, head: bytes, file: IO[bytes], event_max: int) -> None:
        self.pending = head
        self.file = file
        self.event_max = event_max
        self.since_item = 0
        self.read_bytes = 0
        self.lines = 0
        self.depth = 0
        self.eof = False
        self._long = _long_digits()

    def read(self, size: int = BUF) -> bytes:
        if size == 0:  # ijson's probe: bytes or text?
            return b""
        while True:
            new = b"" if self.eof else self.file.read(size)
            self.eof = self.eof or not new
            chunk, self.pending = self.pending + new, b""
            tail = None if self.eof else _tail(chunk)
            if tail is None:
                break
            if tail.start() > 0:
                chunk, self.pending = chunk[: tail.start()], chunk[tail.start() :]
                break
            self.pending = chunk  # nothing but a tail: read on
            if len(chunk) > self.event_max + 2 * BUF:
                raise Trouble(f"an item larger than {size_text(self.event_max)}")
        self._check(chunk)
        self.read_bytes += len(chunk)
        self.lines += chunk.count(b"\n")
        self.since_item += len(chunk)
        return chunk

    def _check(self, chunk: bytes) -> None:
        if self.since_item > self.event_max + 2 * BUF:
            raise Trouble(f"an item larger than {size_text(self.event_max)}")
        self.depth += chunk.count(b"[") + chunk.count(b"{") - chunk.count(b"]") - chunk.count(b"}")
        if self.depth > _DEEP:
            raise Trouble("JSON nested too deeply to read")
        run, digits = self._long
        if run in chunk.translate(_DIGITS_AS_ZEROS) and digits.search(chunk) is not None:
            limit = f"{sys.get_int_max_str_digits():,}"
            raise Trouble(f"a number with more than {limit} digits (too long to read)")
        if _SURROGATE_ESCAPE.search(chunk) is not None:
            found = lone_surrogate(chunk.decode("utf-8", errors="replace"))
            if found is not None:
                raise Trouble(f"a lone surrogate \\u{found[1]:04x} is not valid Unicode")
