"""Fuzzing the sandbox: whatever arrives, it answers (never a 500 from a bug) and explains every "no"."""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Sandbox
from tui.sandbox.rules import Rejected, check, parse_body
from tui.webengage.api import QUEUED_BODY, Endpoint

FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
names = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["orderId", "amount", "we_total", "we_", "a" * 50, "a" * 51, ""]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["2026-06-06T18:29:00+0000", "x" * 1001]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
    max_leaves=15,
)
many_of_a_type = st.builds(
    lambda count, value: {f"a{i}": value for i in range(count)},
    st.integers(24, 27),
    st.sampled_from(["s", 1, True, [1], {"k": 1}, "2026-06-06T18:29:00+0000"]),
)
attribute_dicts = st.one_of(st.dictionaries(names, json_values, max_size=5), many_of_a_type)
ids = st.one_of(st.none(), st.just(""), st.text(max_size=5), st.integers(), st.just("u" * 101))
events = st.fixed_dictionaries(
    {},
    optional={
        "userId": ids,
        "anonymousId": ids,
        "eventName": st.one_of(names, json_values),
        "eventTime": st.one_of(
            st.text(max_size=30), st.just("2026-06-06T18:29:00+0000"), json_values
        ),
        "eventData": st.one_of(attribute_dicts, json_values),
        "attributes": st.one_of(attribute_dicts, json_values),
        "email": json_values,
        "emailOptIn": json_values,
        "birthDate": json_values,
    },
)
plain_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_ ]{0,20}", fullmatch=True).filter(
    lambda name: not name.startswith("we_")
)
plausible_events = st.fixed_dictionaries(
    {
        "userId": st.text(min_size=1, max_size=10).filter(str.strip),
        "eventName": plain_names,
    },
    optional={
        "anonymousId": st.text(max_size=10),
        "eventTime": st.just("2026-06-06T18:29:00+0000"),
        "eventData": st.dictionaries(plain_names, json_values, max_size=6),
    },
)
too_many = st.integers(25, 26).map(lambda n: [{"userId": "u", "eventName": "e"}] * n)
bodies = st.one_of(
    plausible_events,
    events,
    st.builds(
        lambda items: {"events": items},
        st.lists(plausible_events | events, max_size=3) | too_many,
    ),
    st.builds(lambda items: {"users": items}, st.lists(events, max_size=3) | too_many),
    json_values,
)
raw_bodies = st.one_of(
    bodies.map(lambda b: json.dumps(b).encode()),
    st.binary(max_size=64),
    st.sampled_from([b"", b"[" * 5000, b'{"a": NaN}', b"\xff\xfe"]),
)
segments = st.text(alphabet=string.ascii_letters + string.digits + "-_.~%", min_size=1, max_size=12)
paths = st.one_of(
    st.builds(
        lambda lic, ep: f"/v1/accounts/{lic}/{ep}",
        st.one_of(st.just(DEMO_LICENSE_CODE), segments),
        st.one_of(st.sampled_from([e.value for e in Endpoint]), segments),
    ),
    st.lists(segments, max_size=4).map(lambda parts: "/" + "/".join(parts)),
    st.sampled_from(["/sandbox", "/sandbox/health", "/sandbox/events", "/sandbox/faults"]),
)
hosts = st.one_of(
    st.sampled_from(
        ["api.webengage.com", "api.in.webengage.com", "api.ksa.webengage.com", "localhost"]
    ),
    st.text(alphabet=string.ascii_lowercase + string.digits + ".-:", min_size=1, max_size=20),
)
authorizations = st.one_of(
    st.none(), st.just(f"Bearer {DEMO_API_KEY}"), st.text(PRINTABLE, max_size=40).map(str.strip)
)


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


@FUZZ
@given(
    method=st.sampled_from(["POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH"]),
    path=paths,
    host=hosts,
    authorization=authorizations,
    request_id=st.one_of(st.none(), st.text(PRINTABLE, max_size=20).map(str.strip)),
    body=raw_bodies,
    admin=st.booleans(),
)
def test_every_answer_is_explained(
    shared_sandbox: Sandbox,
    client: httpx.Client,
    method: str,
    path: str,
    host: str,
    authorization: str | None,
    request_id: str | None,
    body: bytes,
    admin: bool,
) -> None:
    if method in ("POST", "DELETE") and path.startswith("/sandbox"):
        return  # steering the sandbox (faults, reset) is not what this test fuzzes
    headers = {"Host": host, "Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    if request_id is not None:
        headers["x-request-id"] = request_id
    if admin:  # without it, /sandbox/* is a 401 (explained like any other "no")
        headers |= shared_sandbox.admin_headers
    response = client.request(method, shared_sandbox.url + path, headers=headers, content=body)
    assert response.status_code != 500, response.text
    assert DEMO_API_KEY not in response.text
    if response.status_code >= 400:
        answer = response.json()
        assert answer["response"]["status"] == "error"
        assert isinstance(answer["response"]["message"], str)
        assert answer["response"]["message"].strip()
    elif path.startswith("/v1/"):
        assert response.json() == QUEUED_BODY


@FUZZ
@given(endpoint=st.sampled_from(list(Endpoint)), body=raw_bodies)
def test_authenticated_bodies_are_answered(
    shared_sandbox: Sandbox, client: httpx.Client, endpoint: Endpoint, body: bytes
) -> None:
    """Past the key and license checks: a body is queued (and stored as sent) or a 400 says why."""
    before = len(shared_sandbox.accepted())
    response = client.post(
        shared_sandbox.url + endpoint.path(DEMO_LICENSE_CODE),
        headers={"Authorization": f"Bearer {DEMO_API_KEY}", "Host": "api.webengage.com"},
        content=body,
    )
    assert response.status_code in (200, 400), response.text
    assert response.headers["X-RateLimit-Limit"]
    if response.status_code == 400:
        assert response.json()["response"]["message"].strip()
        assert len(shared_sandbox.accepted()) == before
    else:
        assert response.json() == QUEUED_BODY
        stored = shared_sandbox.accepted()[-1]
        assert stored["endpoint"] == endpoint.value
        if endpoint is Endpoint.EVENTS:
            assert stored["body"] == json.loads(body)


@settings(max_examples=300, deadline=None)
@given(endpoint=st.sampled_from(list(Endpoint)), body=bodies)
def test_rules_accept_or_reject_with_a_message(endpoint: Endpoint, body: Any) -> None:
    """The pure checks: any JSON value ends as a stored body or a Rejected with a message."""
    try:
        stored = check(endpoint, parse_body(json.dumps(body).encode()))
    except Rejected as rejected:
        assert rejected.message.strip()
    else:
        assert isinstance(stored, dict)
