"""The quick ways of reading a stream give exactly what the careful ways give (the rest of issue
15's short cuts: tests/test_fast_paths.py).

An NDJSON line read in one call of the C scanner (`plain_line`) against `parse_line`, and the proof
it carries (`EventStream.checked`: nothing for `unsendable` to find); a streamed array proved or
read the careful way; its chunks (`tui.mapping.feed`) looked at for long numbers, and cut before a
tail, the quick ways against the regular expressions they stand in for.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import quick_strategies as qs
from tests.fuzzing import examples
from tests.test_fuzz_preview import json_values, signal_events
from tui.mapping import feed
from tui.mapping.lines import parse_line, plain_line
from tui.mapping.preview import scan_unsendable
from tui.mapping.signal import InputError
from tui.mapping.stream import open_events

SETTINGS = settings(
    max_examples=examples(600), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _lines(value: Any) -> list[bytes]:
    """`value` as NDJSON lines, written the ways files write them (or none: not writable)."""
    try:
        compact = json.dumps(value, ensure_ascii=False)
        escaped = json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return []
    try:
        raw = compact.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: only the escaped form can carry it
        raw = escaped.encode("ascii")
    return [raw + b"\n", raw + b"\r\n", raw, escaped.encode("ascii") + b"\n", b" " + raw + b"\n"]


def _same_line(line: bytes) -> None:
    plain = plain_line(line)
    if plain is None:
        return
    assert parse_line(line, 1, "x") == [plain]
    assert scan_unsendable(plain) == []  # what `checked=True` lets the preview skip


@SETTINGS
@given(signal_events | json_values)
def test_a_plain_line_reads_as_parse_line_reads_it(value: Any) -> None:
    for line in _lines(value):
        _same_line(line)


@pytest.mark.parametrize(
    "line",
    [
        b'{"a": "\\ud800", "b": 1}\n',  # an escape: the careful way (which refuses it)
        b'{"a": 1, "n": ' + b"9" * 5000 + b"}\n",
        b'\xef\xbb\xbf{"a": 1, "b": 2}\n',
        b'{"a": 1, "b": 2} \n',
        b'{"a": 1, "b": 2}\r',
        b'{"a": 1, "b": 2}\r\r\n',
        b'{"a": 1, "b": 2}\n\r',
        b'{"a": "\xff", "b": 2}\n',
        b'{"batch": [{"event": "A"}], "sentAt": "x"}\n',
        b'{"log": {"entries": []}, "x": 1}\n',
        b'{"events": [{"eventName": "A"}]}\n',
        b"[1, 2]\n",
        b'{"a": NaN, "b": Infinity}\n',
        b'{"a": 1, "a": 2}\n',
        b'{"a": 1}{"b": 2}\n',
    ],
)
def test_lines_the_quick_way_leaves_alone_or_reads_alike(line: bytes) -> None:
    _same_line(line)
    if b"\\u" in line or b"9" * 5000 in line or b"\xff" in line or b"batch" in line:
        assert plain_line(line) is None


def test_the_stream_says_which_events_its_reading_proved(tmp_path: Path) -> None:
    path = tmp_path / "mixed.ndjson"
    lines = ['{"event": "A", "user_id": "u"}', '{"event": "\\ud83d\\ude00", "user_id": "u"}']
    path.write_text("\n".join(lines * 2) + "\n", encoding="utf-8")
    seen = []
    with open_events(path) as events:
        for raw in events:
            seen.append((raw["event"], events.checked, events.count))
    assert seen == [("A", True, 1), ("😀", False, 2), ("A", True, 3), ("😀", False, 4)]


@SETTINGS
@given(st.lists(signal_events, min_size=2, max_size=4))
def test_an_array_streamed_is_proved_or_read_the_careful_way(
    tmp_path_factory: pytest.TempPathFactory, items: list[dict[str, Any]]
) -> None:
    try:
        text = json.dumps(items, indent=1)
    except (TypeError, ValueError, RecursionError):
        return
    path = tmp_path_factory.mktemp("array") / "events.json"
    path.write_text(text, encoding="ascii")
    try:
        with open_events(path) as events:
            for raw in events:
                if events.checked:
                    assert scan_unsendable(raw) == []
    except InputError:  # (a lone surrogate, or a number too long: refused, as before)
        pass


@SETTINGS
@given(qs.chunk_bytes, st.integers(0, 100), st.integers(0, 9000))
def test_the_tail_of_a_chunk_looked_for_near_its_end(
    chunk: bytes, backslashes: int, padding: int
) -> None:
    chunk = b"x" * padding + b"\\" * backslashes + chunk
    quick = feed._tail(chunk)
    careful = feed._TAIL.search(chunk, max(0, len(chunk) - 8192))
    assert (quick and quick.span()) == (careful and careful.span())


@pytest.mark.parametrize("digits", [639, 640, 641, 642, 5000])
def test_a_long_number_in_a_chunk_looked_for_quickly(digits: int) -> None:
    limit = sys.get_int_max_str_digits()
    try:
        for setting in (640, 0, limit):
            sys.set_int_max_str_digits(setting)
            run, pattern = feed._long_digits()
            for chunk in (b"[" + b"7" * digits + b"]", b"1" * digits, b"12 " * digits):
                found = pattern.search(chunk) is not None  # (what the feed looked for before)
                assert found <= (run in chunk.translate(feed._DIGITS_AS_ZEROS))  # (never missed)
    finally:
        sys.set_int_max_str_digits(limit)
