"""Reading Signal events: one object, an array, NDJSON; every unreadable input is one located InputError."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.mapping.signal import (
    InputError,
    coerce_event,
    parse_date_time,
    parse_events_text,
    parse_json_object,
    read_events,
)
from tui.webengage.findings import Severity

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_one_object_is_one_event() -> None:
    assert parse_events_text('{"event": "Signed Up"}', "x.json") == [{"event": "Signed Up"}]


def test_array_is_a_list_of_events() -> None:
    assert parse_events_text('[{"event": "A"}, {"event": "B"}]', "x.json") == [
        {"event": "A"},
        {"event": "B"},
    ]


def test_ndjson_skips_blank_lines() -> None:
    events = read_events(FIXTURES / "several.ndjson")
    assert [e.get("event", e.get("type")) for e in events] == [
        "page",
        "Product Viewed",
        "Product Added",
        "Order Completed",
    ]


def test_ndjson_error_names_the_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_events_text('{"event": "A"}\n\n{"event": "B",}\n', "events.ndjson")
    assert (caught.value.line, caught.value.source) == (3, "events.ndjson")
    assert str(caught.value).startswith("events.ndjson:3:")


def test_malformed_document_names_line_and_column() -> None:
    with pytest.raises(InputError) as caught:
        read_events(FIXTURES / "bad" / "malformed.json")
    error = caught.value
    assert (error.line, error.column) == (4, 3)
    assert str(error) == f"{FIXTURES / 'bad' / 'malformed.json'}:4:3: Expecting ',' delimiter"


def test_a_bom_is_ignored() -> None:
    assert parse_events_text('\ufeff{"event": "A"}', "x") == [{"event": "A"}]


@pytest.mark.parametrize("text", ["", "   \n\n"])
def test_empty_input_is_an_error(text: str) -> None:
    with pytest.raises(InputError, match="empty"):
        parse_events_text(text, "x.json")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_events(tmp_path / "nope.json")
    with pytest.raises(InputError, match="is a directory"):
        read_events(tmp_path)


def test_not_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"event": "A",\n "city": "S\xe3o Paulo"}')
    with pytest.raises(InputError) as caught:
        read_events(path)
    assert (caught.value.line, caught.value.column) == (2, 12)


def test_absurd_nesting_is_an_input_error() -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        parse_events_text("[" * 100_000 + "]" * 100_000, "deep.json")


def test_parse_json_object() -> None:
    assert parse_json_object('{"a": 1}', "properties") == {"a": 1}
    assert parse_json_object("  ", "properties") == {}
    with pytest.raises(InputError) as caught:
        parse_json_object('{\n  "a": 1,\n}', "properties")
    assert caught.value.line == 3
    with pytest.raises(InputError, match="expected a JSON object, got an array"):
        parse_json_object("[1]", "properties")


def test_input_error_without_position() -> None:
    assert str(InputError("f.json", "no such file")) == "f.json: no such file"


def test_coerce_defaults_to_track() -> None:
    event, findings = coerce_event({"event": "Signed Up", "user_id": "u"})
    assert event is not None and event.type == "track" and findings == []


def test_coerce_number_user_id_becomes_string_with_warning() -> None:
    event, findings = coerce_event({"event": "A", "user_id": 42})
    assert event is not None and event.user_id == "42"
    assert [(f.severity, f.path) for f in findings] == [(Severity.WARNING, "$.user_id")]


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"event": 1, "user_id": "u"}, "$.event"),
        ({"type": "screen", "event": "A", "user_id": "u"}, "$.type"),
        ({"event": "A", "user_id": True}, "$.user_id"),
        ({"event": "A", "anonymous_id": {"x": 1}}, "$.anonymous_id"),
        ({"event": "A", "user_id": "u", "timestamp": 1780770540}, "$.timestamp"),
        ({"event": "A", "user_id": "u", "properties": [1, 2]}, "$.properties"),
        ({"type": "identify", "user_id": "u", "traits": "gold"}, "$.traits"),
        ({"user_id": "u"}, "$.event"),
    ],
)
def test_coerce_wrong_types_are_errors(raw: dict[str, object], path: str) -> None:
    event, findings = coerce_event(raw)
    assert event is not None
    assert (Severity.ERROR, path) in [(f.severity, f.path) for f in findings]


@pytest.mark.parametrize("raw", [None, 1, "x", [1], True, 1.5])
def test_coerce_non_object(raw: object) -> None:
    event, findings = coerce_event(raw)
    assert event is None
    assert findings[0].severity is Severity.ERROR and findings[0].path == "$"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-06T18:29:00Z", "2026-06-06T18:29:00+00:00"),
        ("2026-06-06T23:59:00+05:30", "2026-06-06T18:29:00+00:00"),
        ("2026-06-06T18:29:00", "2026-06-06T18:29:00+00:00"),
        ("2026-06-06T18:29:00.123456Z", "2026-06-06T18:29:00.123456+00:00"),
        ("2026-06-06", "2026-06-06T00:00:00+00:00"),
    ],
)
def test_parse_date_time(text: str, expected: str) -> None:
    moment = parse_date_time(text)
    assert moment is not None and moment.isoformat() == expected


@pytest.mark.parametrize(
    "text", ["yesterday", "", "2026-13-01T00:00:00Z", "0001-01-01T00:00:00+01:00"]
)
def test_parse_date_time_rejects(text: str) -> None:
    assert parse_date_time(text) is None


# ---- hostile input (issue 11) ----


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('{"s": "\\ud800"}', 8),  # an escaped lone high surrogate
        ('{"s": "a\\udc00"}', 9),  # a lone low one
        ('{"s": "\\ud83d\\u0041"}', 8),  # a high one not followed by a low one
        ('{"s": "\\\\\\ud800"}', 10),  # an escaped backslash, then the surrogate
        ('{"\\udfff": 1}', 3),  # in a key
        ('{"s": "\ud800"}', 8),  # raw, as a text editor may hold it
    ],
)
def test_a_lone_surrogate_is_an_input_error_at_its_column(text: str, column: int) -> None:
    with pytest.raises(InputError) as caught:
        parse_events_text(text, "x.json")
    assert (caught.value.line, caught.value.column) == (1, column)
    assert "a lone surrogate \\ud" in caught.value.message and "not valid Unicode" in str(
        caught.value
    )
    with pytest.raises(InputError, match="lone surrogate"):
        parse_json_object(text, "properties")  # the composer's editor refuses it too


@pytest.mark.parametrize(
    "text", ['{"s": "\\ud83d\\ude00"}', '{"s": "\\\\ud800"}', '{"s": "\\u00e9\\\\"}']
)
def test_a_surrogate_pair_or_an_escaped_backslash_is_fine(text: str) -> None:
    [event] = parse_events_text(text, "x.json")
    event["s"].encode("utf-8")


def test_a_huge_integer_is_an_input_error_at_its_line_and_column() -> None:
    text = '{"event": "A",\n "n": [1.5, "' + "9" * 5000 + '", ' + "7" * 4301 + "]}"
    with pytest.raises(InputError) as caught:
        parse_events_text(text, "x.json")
    assert (caught.value.line, caught.value.column) == (2, 5017)
    assert caught.value.message == "a number with more than 4,300 digits (too long to read)"
    ndjson = '{"event": "A"}\n{"event": "B", "n": ' + "1" * 5000 + "}\n"
    with pytest.raises(InputError, match=r"x.ndjson:2:21: a number with more than 4,300"):
        parse_events_text(ndjson, "x.ndjson")
    with pytest.raises(InputError, match="a number with more than"):
        parse_json_object('{"n": ' + "1" * 5000 + "}", "properties")
    assert parse_events_text('{"f": ' + "1" * 5000 + ".5}", "x.json")  # a float: json reads it


def test_reading_stops_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"event": "A", "user_id": "' + "u" * 2000 + '"}')
    with pytest.raises(InputError) as caught:
        read_events(path, max_bytes=1024)
    assert (
        str(caught.value)
        == f"{path}: is larger than 1,024 bytes; use --max-bytes to raise the limit"
    )
    assert read_events(path, max_bytes=4096)[0]["event"] == "A"
    with pytest.raises(InputError, match="is larger than 1 MiB; split it"):
        read_events(Path("/dev/zero"), max_bytes=2**20, raise_limit="split it")


def test_a_pipe_with_no_writer_gives_up_when_told_to_wait(tmp_path: Path) -> None:
    import os
    import time

    fifo = tmp_path / "silent.fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"cannot read: nothing to read for 0\.2 s"):
        read_events(fifo, wait_s=0.2)
    with pytest.raises(InputError, match="nothing to read"):
        read_events(fifo, wait_s=30, cancelled=lambda: True)  # the app closing ends it at once
    assert time.monotonic() - started < 5


def test_a_huge_integer_user_id_is_a_finding_not_a_crash() -> None:
    event, findings = coerce_event({"event": "A", "user_id": 10**5000})
    assert event is not None and event.user_id is None
    assert [(f.severity, f.path, f.code) for f in findings] == [
        (Severity.ERROR, "$.user_id", "id-type")
    ]
    assert "more than 4,300 digits" in findings[0].message


def test_a_terminal_is_refused_when_reading_for_an_app() -> None:
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        with pytest.raises(InputError, match="it is a terminal, not a file of events"):
            read_events(Path(os.ttyname(follower)), wait_s=1)  # the TUI's own keys, else
    finally:
        os.close(leader)
        os.close(follower)
