"""Each quick way the preview takes for the usual event gives exactly what the careful way gives.

Issue 15 (streaming at 20,000 events a second) added short cuts on the hot path; each is checked
here against the way it stands in for, on the fuzz suite's hostile events (lone surrogates, long
integers, deep nesting, odd types) and on the shapes a file usually holds:

- an NDJSON line read in one call of the C scanner (`plain_line`) against `parse_line`, and the
  proof it carries (`EventStream.checked`: nothing for `unsendable` to find);
- `unsendable`'s quick look against its full scan; `coerce_event`'s well-typed path against the
  field-by-field checks; the shape tests of `formats.normalise` as they were written before;
- the request's text as `preview` prints it (`RequestTexts`) against `strict_json`; eventTime from
  the timestamp's own digits against `format_event_time`; the routes `build_request` keeps.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from tests.test_fuzz_preview import json_values, signal_events
from tui.cli.preview import RequestTexts, strict_json
from tui.mapping import coerce
from tui.mapping.blueprint import default_blueprint
from tui.mapping.dates import event_time_text, read_date_time
from tui.mapping.formats import _USER_FIELDS, Format, _shape
from tui.mapping.formats.segment import is_segment
from tui.mapping.formats.tagged import Tagged
from tui.mapping.lines import parse_line, plain_line
from tui.mapping.preview import preview_event, scan_unsendable, unsendable
from tui.mapping.signal import InputError
from tui.mapping.stream import open_events
from tui.webengage.api import Endpoint, format_event_time
from tui.webengage.request import Connection, build_request
from tui.webengage.types import AttributeType, attribute_type, is_webengage_date

NOW = datetime(2026, 6, 6, 18, 30, tzinfo=UTC)
CONNECTION = Connection(license_code="fast", api_key=SecretStr("fast-key-0123456789abcdef"))
SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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


ODDITIES: list[dict[str, Any]] = [
    {"event": "A", "properties": {"t": (1, "\udc00"), "s": {1, 2}, 3: "int key"}},
    {"event": "A", "properties": {"k\ud800": 1, "deep": [[[[10**4301]]]]}},
    {"user_id": 10**4400, "anonymous_id": "\ud800", "traits": {"x": [object()]}},
    {"event": "\udfff", "properties": {"ok": "é", "n": 10**4299, "f": 1.5}},
]


@SETTINGS
@given(signal_events)
def test_unsendable_looks_quickly_and_finds_what_the_full_scan_finds(raw: dict[str, Any]) -> None:
    assert unsendable(raw) == scan_unsendable(raw)


def test_unsendable_on_python_oddities() -> None:
    cycle: dict[str, Any] = {"event": "A"}
    cycle["properties"] = {"self": cycle}
    for raw in [*ODDITIES, cycle]:
        assert unsendable(raw) == scan_unsendable(raw)


@SETTINGS
@given(signal_events)
def test_coerce_event_well_typed_path(raw: dict[str, Any]) -> None:
    quick = coerce.coerce_event(raw)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(coerce, "_well_typed", lambda raw: None)
        assert coerce.coerce_event(raw) == quick


def _shape_as_it_was(raw: dict[str, Any]) -> Format:
    shape = raw.shape if isinstance(raw, Tagged) else ""
    if shape:
        return Format(shape)
    if "eventName" in raw and not {"event", "type"} & raw.keys():
        return Format.WEBENGAGE_EVENT
    if (
        not {"event", "type", "traits", "properties"} & raw.keys()
        and {"userId", "anonymousId"} & raw.keys()
        and _USER_FIELDS & raw.keys()
    ):
        return Format.WEBENGAGE_USER
    return Format.SEGMENT if is_segment(raw) else Format.SIGNAL


@pytest.mark.parametrize("keys", [(), ("eventName",), ("eventName", "event"), ("userId", "email")])
@pytest.mark.parametrize(
    "more", [(), ("type",), ("traits",), ("anonymousId", "phone"), ("userId",)]
)
def test_the_shape_tests(keys: tuple[str, ...], more: tuple[str, ...]) -> None:
    raw = dict.fromkeys(keys + more, "x")
    assert _shape(raw) == _shape_as_it_was(raw)


@SETTINGS
@given(signal_events)
def test_the_request_text_is_strict_json_of_the_request(raw: dict[str, Any]) -> None:
    texts = RequestTexts()
    preview = preview_event(raw, CONNECTION, default_blueprint(), now=NOW)
    for _ in range(2):  # (the second time from the kept head)
        assert texts(preview.request) == strict_json(preview.request.preview_dict())


def test_the_request_text_of_odd_bodies() -> None:
    texts = RequestTexts()
    for body in [{"n": float("nan")}, {"s": "NaN"}, {"\x9b": "\u2028"}, [], "x", None, 10**5000]:
        request = build_request(CONNECTION, Endpoint.EVENTS, body, request_id="ab")
        assert texts(request) == strict_json(request.preview_dict())


@SETTINGS
@given(
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    st.sampled_from(["Z", "+00:00", "", "+05:30", "-00:00", ".25Z"]),
    st.sampled_from(["T", " ", "t"]),
)
def test_event_time_from_the_timestamps_own_digits(
    moment: datetime, zone: str, separator: str
) -> None:
    text = moment.replace(tzinfo=None, microsecond=0).isoformat(separator) + zone
    found = read_date_time(text)
    assert found is not None
    assert event_time_text(text, found[0]) == format_event_time(found[0])


@given(
    st.text(max_size=30) | st.sampled_from(["2026-06-06T18:29:00+0000", "2026-13-40T99:00:00+0000"])
)
def test_attribute_type_of_strings(value: str) -> None:
    expected = AttributeType.DATE if is_webengage_date(value) else AttributeType.STRING
    assert attribute_type(value) is expected


def test_build_request_routes_per_connection() -> None:
    other = Connection(license_code="other", api_key=SecretStr("other-key-0123456789abcdef"))
    for connection in [CONNECTION, other, CONNECTION, other]:
        for endpoint in [Endpoint.EVENTS, Endpoint.USERS, Endpoint.EVENTS]:
            request = build_request(connection, endpoint, {})
            assert request.url == connection.url(endpoint)
            assert request.headers["Authorization"] == f"Bearer {connection.redacted_key()}"
