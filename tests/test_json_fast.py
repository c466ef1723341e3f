"""`tui.webengage.json_fast` writes exactly what `json.dumps` writes, or steps aside (None).

Differential: arbitrary JSON-ish values (every scalar type, subclasses, non-string keys, NaN and
±Infinity, lone surrogates, long integers, nesting past the fast path's depth, cycles), each
indented every way `json.dumps` can be asked to, and compact.
"""

from __future__ import annotations

import json
from enum import IntEnum
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from tui.webengage.json_fast import INDENTED_DEPTH_MAX, compact, indented


class Level(IntEnum):
    LOW = 1


class Text(str):
    pass


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.characters(categories=["Cs"]),
    st.sampled_from([Level.LOW, Text("sub"), 1e16, -0.0, 5e-324]),
    st.sampled_from([4300, -4300, 5000, 4299]).map(lambda n: 10 ** abs(n) * (1 if n > 0 else -1)),
)
keys = st.one_of(st.text(), st.sampled_from([1, 2.5, True, None, "\ud800"]))
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=40,
)
INDENTS: list[Any] = [2, 0, 4, "\t", "", True]


def _dumps(value: Any, **options: Any) -> str | None:
    try:
        return json.dumps(value, ensure_ascii=False, **options)
    except (TypeError, ValueError, RecursionError):
        return None


@settings(max_examples=examples(1500), deadline=None)
@given(values)
def test_indented_is_json_dumps_or_nothing(value: Any) -> None:
    for indent in INDENTS:
        for separators in (None, (",", ": "), (", ", ":")):
            fast = indented(value, indent, separators)
            if fast is not None:
                assert fast == _dumps(value, indent=indent, separators=separators)


@settings(max_examples=examples(500), deadline=None)
@given(values)
def test_compact_is_json_dumps(value: Any) -> None:
    for separators in (None, (",", ":")):
        expected = _dumps(value, separators=separators)
        try:
            got: str | None = compact(value, separators)
        except (TypeError, ValueError, RecursionError):
            got = None
        assert got == expected


def test_the_common_shapes() -> None:
    value = {
        "method": "POST",
        "headers": {"A": "b"},
        "body": {"n": [1, 2.5, None, True, False, [], {}], "e": "é\u2028\x7f"},
    }
    for indent in INDENTS:
        assert indented(value, indent) == json.dumps(value, ensure_ascii=False, indent=indent)
    assert indented("x", 2) == '"x"' and indented(3, 2) == "3" and indented(None, 2) == "null"


def test_deep_and_cyclic_values_step_aside() -> None:
    deep: list[Any] = []
    cursor = deep
    for _ in range(INDENTED_DEPTH_MAX):
        cursor.append([])
        cursor = cursor[0]
    assert indented(deep, 2) is None
    assert indented(deep[0], 2) == json.dumps(deep[0], indent=2)
    cycle: dict[str, Any] = {}
    cycle["self"] = cycle
    assert indented(cycle, 2) is None
