"""`preview_event` never raises, whatever it is given: arbitrary JSON, and Signal-shaped nonsense.

Problems must come back as findings; the request must still be built, with the key redacted, and
every output (the body, its bytes, curl, the preview's JSON, each finding's line as printed) must be
encodable as UTF-8 and free of raw terminal controls. The hostile values include lone surrogates,
integers of more than 4,300 digits, control and bidirectional characters, and deep nesting; reading
text must refuse exactly the lone surrogates and the over-long integers (InputError, never a crash).
About 10,200 cases in all.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from tests.fuzzing import examples
from tui.mapping.preview import Preview, preview_event
from tui.mapping.signal import InputError, parse_events_text
from tui.safe_text import BIDI_CONTROLS, visible
from tui.webengage.findings import Severity
from tui.webengage.request import Connection, json_text
from tui.webengage.types import AttributeType

KEY = "fuzz-key-0123456789abcdef0123"
CONNECTION = Connection(license_code="fuzz", api_key=SecretStr(KEY))
NOW = datetime(2026, 6, 6, 18, 30, tzinfo=UTC)

surrogates = st.characters(categories=["Cs"])
PIECES = [
    "\x1b]52;c;SGVsbG8=\x07",  # OSC 52: write the clipboard
    "\x1b[2J",  # clear the screen
    "\x1b]0;title\x07",  # retitle the pane
    "\x1b[31m",
    "\x9b2J",  # a C1 CSI
    "\x85",
    "\x7f",
    "\x00",
    "\r\n",
    "\u2028",
    "[/]",  # Rich markup that does not close anything
    "[bold]",
    "\ud83d\ude00",  # a surrogate pair: an emoji in two halves
    "🧴",
    "we_",
    "Order Completed",
    *BIDI_CONTROLS,
]
hostile_text = st.lists(
    st.sampled_from(PIECES) | surrogates | st.characters(codec="utf-8"), max_size=6
).map("".join)
huge_ints = st.builds(
    lambda n, sign: sign * (10**4300 + n), st.integers(0, 10**6), st.sampled_from([1, -1])
)


def nest(depth: int, kind: str) -> Any:
    """A list or object nested `depth` deep (built without recursion)."""
    value: Any = "bottom"
    for _ in range(depth):
        value = [value] if kind == "list" else {"k": value}
    return value


deep = st.tuples(st.integers(min_value=60, max_value=5000), st.sampled_from(["list", "dict"]))

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=60)
    | st.sampled_from(
        [
            "2026-06-06T18:29:00Z",
            "2026-06-06T23:59:00+05:30",
            "2026-06-06",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+01:00",
            "we_x",
            "x" * 1001,
            "",
            "  ",
            "🧴",
        ]
    )
    | hostile_text
    | huge_ints
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
names = st.sampled_from(
    ["order_id", "orderId", "revenue", "amount", "we_source", "shipping", "shipping_city", "e" * 50]
) | st.text(max_size=55)
signal_events = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["track", "page", "identify", "screen", ""]) | json_values,
        "event": st.sampled_from(["Order Completed", "Product Added", "we_x", "E" * 51])
        | json_values,
        "user_id": st.text(max_size=110) | st.integers() | json_values,
        "anonymous_id": st.text(max_size=110) | json_values,
        "timestamp": scalars | json_values,
        "properties": st.dictionaries(names, json_values, max_size=30) | json_values,
        "traits": st.dictionaries(
            st.sampled_from(["email", "phone", "gender", "birthday", "first_name", "firstName"])
            | names,
            json_values,
            max_size=12,
        )
        | json_values,
        "context": json_values,
    },
)
known_types = st.none() | st.dictionaries(names, st.sampled_from(list(AttributeType)), max_size=5)


_RAW_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")


def encodable(text: str) -> None:
    """UTF-8 can carry it, and no character in it would drive a terminal."""
    text.encode("utf-8")
    assert _RAW_CONTROL.search(text) is None, ascii(text)


def check_outputs(preview: Preview) -> None:
    """Every way a preview is shown or sent, as the CLI and the TUI produce it."""
    request = preview.request
    encodable(request.body_bytes().decode("utf-8"))  # what is sent
    encodable(request.to_curl().replace("\n", " "))
    shown = json_text(request.preview_dict(), indent=2)  # what preview prints: the body indented
    encodable(shown.replace("\n", " "))
    json.loads(shown, parse_int=len)  # still JSON (NaN as json writes it; long integers too)
    for finding in preview.findings:
        encodable(visible(finding.line(), one_line=True))
    encodable(visible(preview.event_name, one_line=True))


def check(raw: Any, known: dict[str, AttributeType] | None = None) -> Preview:
    preview = preview_event(raw, CONNECTION, now=NOW, known_types=known)
    assert preview.request.method == "POST"
    assert KEY not in json.dumps(preview.request.headers) and KEY not in repr(preview.findings)
    for finding in preview.findings:
        assert finding.path.startswith("$") and finding.message and finding.fix
    check_outputs(preview)
    if preview.mapped is None:
        assert preview.has_errors
    else:
        for field in preview.mapped.trace:
            assert field.source.startswith("$")
    assert preview.has_errors == any(f.severity is Severity.ERROR for f in preview.findings)
    return preview


@settings(max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_value(raw: Any) -> None:
    check(raw)


@settings(max_examples=examples(800), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signal_events, known_types)
def test_signal_shaped_events(raw: dict[str, Any], known: dict[str, AttributeType] | None) -> None:
    check(raw, known)


@settings(max_examples=examples(1700), deadline=None)
@given(st.text(max_size=200))
def test_any_text_reads_or_is_an_input_error(text: str) -> None:
    try:
        events = parse_events_text(text, "fuzz.json")
    except InputError as error:
        assert str(error).startswith("fuzz.json") and "\n" not in str(error)
        return
    for raw in events:
        check(raw)


def test_python_oddities_do_not_raise() -> None:
    deep: list[Any] = []
    cursor = deep
    for _ in range(10_000):
        cursor.append([])
        cursor = cursor[0]
    for raw in [
        {"event": "A", "user_id": "u", "properties": {1: "int key", (1, 2): "tuple key"}},
        {"event": "A", "user_id": "u", "properties": {"deep": deep}},
        {"event": "A", "user_id": "u", "properties": {"s": {1, 2}, "b": b"x", "t": (1, 2)}},
        {"event": "A", "user_id": float("nan"), "timestamp": float("inf")},
        {"type": "identify", "user_id": "u", "traits": {"gender": ["f"], "birthday": 19900517}},
        {"event": "A", "user_id": "u", "properties": {"big": "x" * 5_000_000}},
    ]:
        check(raw)


@settings(max_examples=examples(500), deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8")))
def test_any_file_bytes_read_or_are_an_input_error(data: bytes) -> None:
    import tempfile
    from pathlib import Path

    from tui.mapping.signal import read_events

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.json"
        path.write_bytes(data)
        try:
            events = read_events(path)
        except InputError as error:
            assert str(error).startswith(str(path)) and "\n" not in str(error)
            return
    for raw in events:
        check(raw)


hostile_values = st.recursive(
    hostile_text | huge_ints | st.floats() | st.integers() | st.none(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3)
    ),
    max_leaves=6,
)
hostile_events = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["track", "page", "identify"]) | hostile_text,
        "event": st.sampled_from(["Order Completed", "Product Added"]) | hostile_text,
        "user_id": hostile_text | huge_ints | st.integers(),
        "anonymous_id": hostile_text,
        "timestamp": hostile_text | st.just("2026-06-06T18:29:00Z"),
        "properties": st.dictionaries(hostile_text, hostile_values, max_size=4),
        "traits": st.dictionaries(
            st.sampled_from(["email", "phone", "gender", "birthDate", "firstName"]) | hostile_text,
            hostile_values,
            max_size=3,
        ),
        "context": hostile_text | huge_ints,
    },
)


@settings(max_examples=examples(1200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_events, st.none() | deep)
def test_hostile_events(raw: dict[str, Any], nesting: tuple[int, str] | None) -> None:
    if nesting is not None:  # built here, so that a failing example prints small
        raw.setdefault("properties", {})["deep"] = nest(*nesting)
    preview = check(raw)
    for key in ("event", "user_id", "anonymous_id"):
        value = raw.get(key)
        if isinstance(value, str) and re.search("[\ud800-\udfff]", value):
            assert any(f.path == f"$.{key}" and f.code == "not-unicode" for f in preview.findings)
    properties = raw.get("properties")
    if isinstance(properties, dict) and any(
        isinstance(v, int) and abs(v) >= 10**4300 for v in properties.values()
    ):
        assert preview.has_errors


def _surrogates_in(value: Any) -> bool:
    """The ground truth: does any string (or key) json produced hold a surrogate?"""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if re.search("[\ud800-\udfff]", item):
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return False


tricky_strings = st.text(
    alphabet=st.sampled_from(["\\", "u", "d", "8", "c", "0", '"', "a"]) | surrogates, max_size=12
)


@settings(max_examples=examples(3000), deadline=None)
@given(st.lists(tricky_strings, min_size=1, max_size=3), st.booleans())
def test_reading_refuses_exactly_the_lone_surrogates(strings: list[str], ascii_only: bool) -> None:
    """Escaped (`\\ud800`) or raw, paired or lone, after an escaped backslash (`\\\\ud800` is
    not a surrogate): the reader refuses a text iff json would hand back a lone surrogate."""
    text = json.dumps(
        {"event": "A", "user_id": "u", "properties": dict.fromkeys(strings, strings)},
        ensure_ascii=ascii_only,
    )
    lone = _surrogates_in(json.loads(text))
    try:
        events = parse_events_text(text, "fuzz.json")
    except InputError as error:
        assert lone, str(error)
        assert "a lone surrogate \\ud" in error.message and error.line == 1
        return
    assert not lone
    check(events[0])


SNIPPETS = [
    '{"event": "A", "user_id": "u", "properties": {"n": ',
    "1" * 4301,
    "-" + "9" * 5000,
    "1" * 5000 + ".5",
    "1" * 5000 + "e3",
    "0",
    '"' + "1" * 5000 + '"',
    '"\\ud800"',
    '"\\\\ud800"',
    '"\\ud83d\\ude00"',
    '"\\u202e\\u001b[2J"',
    "[" * 3000,
    "]" * 3000,
    "}}",
    "}}\n",
    ", ",
    "\n",
    "null",
]


@settings(max_examples=examples(2000), deadline=None)
@given(st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=8).map("".join))
def test_hostile_text_reads_or_is_one_located_input_error(text: str) -> None:
    try:
        events = parse_events_text(text, "fuzz.json")
    except InputError as error:
        assert str(error).startswith("fuzz.json") and "\n" not in str(error)
        return
    assert not _surrogates_in(events)
    for raw in events:
        check(raw)
