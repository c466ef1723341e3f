"""Each quick way the preview takes for the usual event gives exactly what the careful way gives.

Issue 15 (streaming at 20,000 events a second) added short cuts on the hot path; each is checked
here against the way it stands in for, on the fuzz suite's hostile events (lone surrogates, long
integers, deep nesting, odd types) and on the shapes a file usually holds:

- the stream's: tests/test_fast_paths_stream.py;
- `unsendable`'s quick look against its full scan; `coerce_event`'s well-typed path against the
  field-by-field checks; the shape tests of `formats.normalise` as they were written before;
- a clean event's body made the quick way (`clean_body`) against `preview_event`'s request (and
  validation's quick looks, `plainly_valid` and `_plainly_fine`, against its careful one);
- the request's text as `preview` prints it (`RequestTexts`, nested or not, with or without the
  request) against `strict_json`; eventTime from the timestamp's own digits against
  `format_event_time`; the routes `build_request` keeps; the /users rules in the table's order.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from tests import quick_strategies as qs
from tests.benchmarks import bench_stream
from tests.fuzzing import examples
from tests.test_fuzz_preview import json_values, signal_events
from tui.cli.preview import JsonItems
from tui.mapping import coerce, validation
from tui.mapping.blueprint import default_blueprint
from tui.mapping.dates import event_time_of, event_time_text, read_date_time
from tui.mapping.formats import _USER_FIELDS, Format, _shape, as_given
from tui.mapping.formats.segment import is_segment
from tui.mapping.formats.tagged import Tagged
from tui.mapping.preview import preview_event, scan_unsendable, unsendable
from tui.mapping.quick import clean_body
from tui.mapping.request_text import RequestTexts, strict_json
from tui.mapping.user_fields import normalise_user_field, user_field_value
from tui.mapping.validation import plainly_valid, validate_body
from tui.webengage.api import Endpoint, format_event_time
from tui.webengage.request import Connection, build_request
from tui.webengage.types import AttributeType, attribute_type, is_webengage_date
from tui.webengage.user_rules import USER_RULES, broken_rules

NOW = datetime(2026, 6, 6, 18, 30, tzinfo=UTC)
CONNECTION = Connection(license_code="fast", api_key=SecretStr("fast-key-0123456789abcdef"))
SETTINGS = settings(
    max_examples=examples(600), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


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
        patch.setattr(coerce, "well_typed", lambda raw: None)
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
    texts, nested = RequestTexts(), RequestTexts(level=1)
    for body in [{"n": float("nan")}, {"s": "NaN"}, {"\x9b": "\u2028"}, [], "x", None, 10**5000]:
        request = build_request(CONNECTION, Endpoint.EVENTS, body, request_id="ab")
        assert texts(request) == strict_json(request.preview_dict())
        for endpoint in (Endpoint.EVENTS, Endpoint.USERS, Endpoint.EVENTS):  # (no request made)
            assert nested.of(CONNECTION, endpoint, body) == nested(
                build_request(CONNECTION, endpoint, body)
            )


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


def _clean_as_previewed(
    raw: Any, blueprint: Any = qs.BLUEPRINT, known: Any = None, checked: bool = False
) -> bool:
    """`clean_body` is None, or the body of the request of a preview without findings (and
    its text, as `preview` prints it, the request's)."""
    clean = clean_body(raw, blueprint, now=NOW, known_types=known, checked=checked)
    if clean is None:
        return False
    careful = preview_event(raw, CONNECTION, blueprint, now=NOW, known_types=known, checked=checked)
    assert careful.findings == []
    quick = build_request(CONNECTION, *clean)
    assert quick == careful.request and quick.body_text() == careful.request.body_text()
    expected = strict_json(careful.request.preview_dict())
    texts, nested = RequestTexts(), RequestTexts(level=1)
    for _ in range(2):  # (the second time from the kept head)
        assert texts.of(CONNECTION, *clean) == texts(quick) == expected
        assert nested.of(CONNECTION, *clean) == expected.replace("\n", "\n  ")
    return True


@SETTINGS
@given(
    signal_events | json_values | qs.clean_looking,
    st.sampled_from(qs.BLUEPRINTS),
    qs.KNOWN,
    st.booleans(),
)
def test_a_clean_request_is_the_request_of_a_preview_without_findings(
    raw: Any, blueprint: Any, known: Any, checked: bool
) -> None:
    _clean_as_previewed(raw, blueprint, known, checked)


@SETTINGS
@given(qs.clean_looking)
def test_clean_looking_events_the_quick_way(raw: dict[str, Any]) -> None:
    for blueprint in qs.BLUEPRINTS:
        quick = _clean_as_previewed(raw, blueprint)
        careful = preview_event(raw, CONNECTION, blueprint, now=NOW)
        if not careful.findings and qs.depth(raw.get("properties")) < 8:
            assert quick  # (what the quick way leaves to the careful one has something to say)


def test_the_benchmarks_events_take_the_quick_way() -> None:
    for i in range(8):
        for raw in (bench_stream.event(i), bench_stream.padded(i)):
            if raw["type" if "type" in raw else "event"] == "identify" and "properties" in raw:
                continue  # (properties on identify: a warning)
            assert _clean_as_previewed(json.loads(json.dumps(raw)), checked=True)
            assert _clean_as_previewed(raw)


@SETTINGS
@given(st.lists(signal_events | qs.clean_looking, min_size=1, max_size=3))
def test_the_array_of_texts_nested_as_written(raws: list[Any]) -> None:
    requests = [preview_event(raw, CONNECTION, qs.BLUEPRINT, now=NOW).request for raw in raws]
    texts, nested = RequestTexts(), RequestTexts(level=1)
    plain_out, nested_out = io.StringIO(), io.StringIO()
    plain_items, nested_items = JsonItems(plain_out), JsonItems(nested_out)
    for request in requests:
        assert nested(request) == texts(request).replace("\n", "\n  ")
        assert plain_items.add(texts(request), ["a"]) == nested_items.add_nested(
            nested(request), ["a"]
        )
    assert plain_items.close() == nested_items.close()
    assert plain_out.getvalue() == nested_out.getvalue()


@SETTINGS
@given(signal_events | qs.clean_looking, st.sampled_from(qs.BLUEPRINTS))
def test_plainly_valid_bodies_have_nothing_to_say(raw: Any, blueprint: Any) -> None:
    mapped = preview_event(raw, CONNECTION, blueprint, now=NOW).mapped
    if mapped is None:
        return
    for body in (mapped.body, {**mapped.body, "eventData": raw.get("properties")}):
        if plainly_valid(mapped.endpoint, body, None):
            assert validate_body(mapped.endpoint, body, mapped.trace) == []


@SETTINGS
@given(
    st.dictionaries(qs.names_used | st.text(max_size=52), qs.property_values, max_size=30),
    qs.KNOWN,
)
def test_attributes_plainly_fine_have_nothing_to_say(
    attributes: dict[str, Any], known: Any
) -> None:
    for endpoint, body in (
        (Endpoint.EVENTS, {"eventData": attributes}),
        (Endpoint.USERS, {"attributes": attributes}),
    ):
        quick = validate_body(endpoint, body, (), known)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(validation, "_plainly_fine", lambda attributes: False)
            assert validate_body(endpoint, body, (), known) == quick


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(list(USER_RULES)) | qs.names_used,
        qs.plain_values | qs.property_values,
    )
)
def test_broken_rules_in_the_tables_order(body: dict[str, Any]) -> None:
    expected = []
    for field, rules in USER_RULES.items():  # (the table, field by field: as it was written)
        if field in body and body[field] is not None:
            broken = next((rule for rule in rules if not rule.accepts(body[field])), None)
            if broken is not None:
                expected.append((broken, body[field]))
    assert list(broken_rules(body)) == expected


@given(
    st.sampled_from(["gender", "birthDate", "email", "phone"]),
    qs.plain_values | qs.property_values,
)
def test_a_user_field_value_as_normalised(field: str, value: Any) -> None:
    assert repr(user_field_value(field, value)) == repr(normalise_user_field(field, value).value)


@given(
    st.sampled_from(["2026-06-06T18:29:00Z", "2026-06-06T18:29:00+00:00", "2026-06-06", "x" * 19])
    | st.sampled_from(["2026-02-30T18:29:00Z", "2026-06-06T18:29:00", "0001-01-01T00:00:00+01:00"])
    | st.text(max_size=26)
)
def test_the_event_time_of_a_timestamp(text: str) -> None:
    found = read_date_time(text)
    if found is None or (found[1] and len(text) > 10):
        assert event_time_of(text) is None
    else:
        assert event_time_of(text) == event_time_text(text, found[0]) == format_event_time(found[0])


@SETTINGS
@given(st.dictionaries(st.sampled_from(qs.KEYS_SEEN), st.just("x")) | json_values)
def test_read_as_given(raw: Any) -> None:
    assert as_given(raw) == (type(raw) is dict and _shape(raw) is Format.SIGNAL)
