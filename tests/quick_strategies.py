"""Hypothesis strategies for tests/test_fast_paths.py: events that look clean (most of them are,
some only nearly: the quick way must tell), blueprints that map them differently, type memories,
the keys the shape tests look at, and the bytes a streamed array's chunk may end in.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tui.mapping.blueprint import default_blueprint
from tui.webengage.types import AttributeType, KnownTypes

BLUEPRINT = default_blueprint()
BLUEPRINTS = [
    BLUEPRINT,
    BLUEPRINT.model_copy(update={"drop_nulls": False, "rewrite_dates": False}),
    BLUEPRINT.model_copy(
        update={
            "flatten_separator": ".",
            "property_renames": {"a": "b", "shipping.city": "city", "x": "y"},
            "user_fields": {"email": "email", "mail": "email", "born": "birthDate"},
        }
    ),
]
names_used = st.sampled_from(["a", "b", "x", "y", "city", "shipping", "order_id", "orderId"])
plain_values = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["USD", "", "x" * 1000, "2026-06-06T18:29:00Z", "2026-06-06T18:29:00"])
    | st.sampled_from(["2026-06-06T23:59:00+05:30", "2026-13-40T99:00:00+0000", "é\u2028"])
    | st.text(max_size=8)
)
property_values = st.recursive(
    plain_values,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(names_used | st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=8,
)
clean_looking = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["track", "page", "identify"]),
        "event": st.sampled_from(["Order Completed", "Product Viewed", "Custom", "we_x"]),
    },
    optional={
        "user_id": st.sampled_from(["user-1", " ", "", "u" * 101]) | st.text(max_size=4),
        "anonymous_id": st.sampled_from(["anon-1", ""]),
        "timestamp": st.sampled_from(
            [
                *("2026-06-06T18:29:00Z", " 2026-06-06T18:29:00+00:00 ", "2026-06-06T18:29"),
                *("2026-06-06T23:59:00+05:30", "2026-06-06T18:29:00", "2026-06-06"),
                *("2026-06-06T18:29:00.25Z", "noon", ""),
            ]
        ),
        "properties": st.dictionaries(
            names_used | st.text(max_size=6), property_values, max_size=6
        ),
        "traits": st.dictionaries(
            st.sampled_from(["email", "mail", "phone", "gender", "born", "birthday", "first_name"])
            | names_used,
            plain_values | st.sampled_from(["f", "Male", "+551155256325", "1990-05-17"]),
            max_size=5,
        ),
        "context": st.just({"ip": "1.2.3.4"}),
        "messageId": st.just("m-1"),
    },
)
KNOWN = st.none() | st.builds(
    lambda types, users: KnownTypes.of(events={"Order Completed": types}, users=users),
    st.dictionaries(names_used, st.sampled_from(list(AttributeType)), max_size=3),
    st.dictionaries(names_used, st.sampled_from(list(AttributeType)), max_size=3),
)

KEYS_SEEN = [
    *("event", "type", "eventName", "userId", "anonymousId", "user_id", "anonymous_id"),
    *("email", "traits", "properties", "context", "messageId", "timestamp"),
]

chunk_bytes = st.lists(
    st.sampled_from([b"\\", b"\\\\", b'"', b"1", b"123", b"a", b"\\u12", b" ", b"\xff"])
    | st.binary(max_size=3),
    max_size=60,
).map(b"".join)


def depth(value: Any) -> int:
    """How deep objects nest in `value` (0: not an object)."""
    if not isinstance(value, dict):
        return 0
    return 1 + max(map(depth, value.values()), default=0)
