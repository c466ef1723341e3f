"""Streaming input (tui/mapping/stream.py): the same events as a whole read, one at a time, with
the same errors at the same places; what ijson's C parser reads differently is checked first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tui.mapping.signal import InputError, read_events
from tui.mapping.stream import EventIndex, index_events, open_events

ROOT = Path(__file__).resolve().parents[1]


def streamed(path: Path, **options: Any) -> tuple[str, list[Any]]:
    with open_events(path, **options) as events:
        return events.kind, list(events)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_ndjson_is_streamed_and_a_batch_line_gives_its_items(tmp_path: Path) -> None:
    lines = [
        {"event": "A", "user_id": "u"},
        {"batch": [{"type": "track", "event": "B", "userId": "x"}, {"event": "C", "userId": "y"}]},
    ]
    path = write(tmp_path, "e.ndjson", "\n\n".join(json.dumps(line) for line in lines) + "\n")
    kind, events = streamed(path)
    assert kind == "ndjson" and events == read_events(path)
    assert len(events) == 3


NUMBERS = '[{"a": 1.5, "b": 123456789012345678901234567890, "c": 1e400, "d": 0.1, "e": -0.0},\n{"f": 1E5, "g": 1.0, "h": "\\ud83d\\ude00", "i": 2.5e-8}]'


def test_an_array_is_streamed_with_exactly_the_numbers_json_reads(tmp_path: Path) -> None:
    path = write(tmp_path, "numbers.json", NUMBERS)
    kind, events = streamed(path, max_bytes=10)  # streamed: the whole-read limit does not apply
    assert kind == "array"
    assert events == json.loads(NUMBERS)
    assert json.dumps(events) == json.dumps(json.loads(NUMBERS))  # same floats, same text
    assert all(
        type(a) is type(b)
        for a, b in zip(events[0].values(), json.loads(NUMBERS)[0].values(), strict=True)
    )


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("bad.ndjson", '{"a": 1}\n{"a": \n', ":2:7: Expecting value"),
        ("surrogate.json", '[{"a": 1},\n {"a": "\\ud800"}]', ":2:9: a lone surrogate \\ud800"),
        ("long.json", "[1, " + "9" * 5000 + "]", ":1:5: a number with more than 4,300 digits"),
        ("malformed.json", '[{"a": 1},\n {"a": ,}]', ":2:8: Expecting value"),
    ],
)
def test_errors_are_located_as_a_whole_read_locates_them(
    tmp_path: Path, name: str, text: str, where: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(InputError) as raised:
        streamed(path)
    assert str(raised.value).startswith(str(path)) and where in str(raised.value)


def test_deep_nesting_is_not_fed_to_ijson(tmp_path: Path) -> None:
    """ijson's C parser slows down with the square of the depth: past 10,000 the file is read
    the old way (here, as `json` reads it); nothing hangs."""
    path = write(tmp_path, "deep.json", "[" + "[" * 20_000 + "]" * 20_000 + "]")
    kind, events = streamed(path)
    assert kind == "array" and len(events) == 1 and isinstance(events[0], list)


def test_past_the_byte_limit_an_array_error_names_the_item(tmp_path: Path) -> None:
    path = write(tmp_path, "big.json", '[{"a": 1}, {"a": 2},\n {"a": ,}]')
    with pytest.raises(InputError) as raised:
        streamed(path, max_bytes=8)
    assert "item 3 of the array (near line 2)" in str(raised.value)
    nan = write(tmp_path, "nan.json", '[{"a": 1},\n {"a": NaN}]')
    assert streamed(nan)[1][1]["a"] != streamed(nan)[1][1]["a"]  # NaN, as json reads it
    with pytest.raises(InputError, match="item 2 of the array"):
        streamed(nan, max_bytes=8)


def test_one_event_over_the_per_event_limit_is_refused(tmp_path: Path) -> None:
    big = json.dumps({"event": "A", "user_id": "u", "properties": {"s": "x" * 5000}})
    path = write(tmp_path, "e.ndjson", f'{{"event": "A", "user_id": "u"}}\n{big}\n')
    with pytest.raises(InputError, match=":2:1: a line longer than 4,096 bytes"):
        streamed(path, event_max_bytes=4096)


def test_other_shapes_are_read_whole_within_the_limit(tmp_path: Path) -> None:
    worked = ROOT / "fixtures" / "worked-example.json"
    assert streamed(worked) == ("whole", read_events(worked))
    with pytest.raises(InputError, match="is larger than 10 bytes"):
        streamed(worked, max_bytes=10)
    with pytest.raises(InputError, match="no such file"):
        streamed(tmp_path / "missing.json")


def test_standard_input_is_streamed_too() -> None:
    lines = "".join(json.dumps({"event": "Signed Up", "user_id": f"u{i}"}) + "\n" for i in range(3))
    code = (
        "from pathlib import Path; from tui.mapping.stream import open_events\n"
        "with open_events(Path('-')) as s: print(s.kind, len(list(s)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=lines, capture_output=True, text=True, cwd=ROOT
    )
    assert done.stdout.split() == ["ndjson", "3"], done.stderr


def test_an_index_reads_events_back_without_holding_them(tmp_path: Path) -> None:
    rows = [{"event": "A", "user_id": f"u{i}"} for i in range(1000)]
    ndjson = write(tmp_path, "e.ndjson", "\n".join(json.dumps(r) for r in rows) + "\n")
    array = write(tmp_path, "e.json", NUMBERS)
    index = index_events(ndjson)
    assert index.held is None and index.count == 1000
    assert index.get(999) == rows[999] and [e for _, e in index.page(10, 2)] == rows[10:12]
    index.close()
    spooled = index_events(array)
    assert [spooled.get(i) for i in range(spooled.count)] == json.loads(NUMBERS)
    spooled.close()
    whole = index_events(ROOT / "fixtures" / "worked-example.json")
    assert isinstance(whole, EventIndex) and whole.held is not None and whole.count == 1
