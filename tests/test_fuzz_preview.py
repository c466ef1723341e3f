"""`preview_event` never raises, whatever it is given: arbitrary JSON, and Signal-shaped nonsense.

Problems must come back as findings; the request must still be built, with the key redacted.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from tui.mapping.preview import preview_event
from tui.mapping.signal import InputError, parse_events_text
from tui.webengage.findings import Severity
from tui.webengage.request import Connection
from tui.webengage.types import AttributeType

KEY = "fuzz-key-0123456789abcdef0123"
CONNECTION = Connection(license_code="fuzz", api_key=SecretStr(KEY))
NOW = datetime(2026, 6, 6, 18, 30, tzinfo=UTC)

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


def check(raw: Any, known: dict[str, AttributeType] | None = None) -> None:
    preview = preview_event(raw, CONNECTION, now=NOW, known_types=known)
    assert preview.request.method == "POST"
    assert KEY not in json.dumps(preview.request.headers) and KEY not in repr(preview.findings)
    for finding in preview.findings:
        assert finding.path.startswith("$") and finding.message and finding.fix
    if preview.mapped is None:
        assert preview.has_errors
    else:
        for field in preview.mapped.trace:
            assert field.source.startswith("$")
    assert preview.has_errors == any(f.severity is Severity.ERROR for f in preview.findings)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_value(raw: Any) -> None:
    check(raw)


@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signal_events, known_types)
def test_signal_shaped_events(raw: dict[str, Any], known: dict[str, AttributeType] | None) -> None:
    check(raw, known)


@settings(max_examples=400, deadline=None)
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


@settings(max_examples=300, deadline=None)
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
