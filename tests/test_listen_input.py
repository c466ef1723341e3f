"""Bad input to the listener: each gets the status the Segment / RudderStack API would give (or
the HTTP one the brief asks for: 413 over the size limits), a log line (`on_refused`), and never
a crash: the next good request is taken as usual. Also the tool's own `POST /events` formats."""

from __future__ import annotations

import gzip
import json
import sys
from typing import Any

import httpx
import pytest

from tests.conftest import demo_connection
from tui.sandbox import Sandbox

from .test_listen import MakeListener, basic, make_listener, wait_for

__all__ = ["make_listener"]  # the fixture, used by name

JSON = {"Content-Type": "application/json"}
EVENT = {"type": "track", "event": "Order Completed", "userId": "u1"}


def _post(url: str, content: bytes, **headers: str) -> httpx.Response:
    return httpx.post(url, content=content, headers={**JSON, **headers})


BAD: list[tuple[str, str, bytes, dict[str, str], int, str]] = [
    ("malformed JSON", "/v1/batch", b'{"batch": [', {}, 400, "invalid_json"),
    ("not UTF-8", "/v1/track", b'{"event": "\xff"}', {}, 400, "invalid_json"),
    ("a batch without batch", "/v1/batch", b'{"events": []}', {}, 400, "invalid_batch"),
    ("a call that is an array", "/v1/track", b"[1, 2]", {}, 400, "invalid_event"),
    (
        "form-encoded",
        "/v1/track",
        b"event=x",
        {"Content-Type": "application/x-www-form-urlencoded"},
        415,
        "unsupported_media_type",
    ),
    ("brotli", "/v1/batch", b"...", {"Content-Encoding": "br"}, 415, "unsupported_encoding"),
    ("broken gzip", "/v1/batch", b"not gzip", {"Content-Encoding": "gzip"}, 400, "invalid_gzip"),
    (
        "a batch over 500 KB",
        "/v1/batch",
        json.dumps({"batch": [{**EVENT, "properties": {"x": "y" * 600_000}}]}).encode(),
        {},
        413,
        "payload_too_large",
    ),
    (
        "a call over 32 KB",
        "/v1/track",
        json.dumps({**EVENT, "properties": {"x": "y" * 40_000}}).encode(),
        {},
        413,
        "payload_too_large",
    ),
    (
        "a gzip bomb",
        "/v1/batch",
        gzip.compress(b'{"batch": [' + b" " * 20_000_000 + b"]}"),
        {"Content-Encoding": "gzip"},
        413,
        "payload_too_large",
    ),
    ("an unknown path", "/v2/track", b"{}", {}, 404, "not_found"),
]


@pytest.mark.parametrize(
    ("path", "content", "headers", "status", "code"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_input_is_refused_with_a_status_and_a_log_line(
    make_listener: MakeListener,
    path: str,
    content: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    listener, seen = make_listener(record=False)
    response = _post(listener.url + path, content, **headers)
    assert response.status_code == status
    body: dict[str, Any] = response.json()
    assert body["success"] is False and body["code"] == code and body["message"]
    wait_for(lambda: len(seen.refused) == 1)
    assert seen.refused[0].refusal.status == status
    assert f"refused {status}" in seen.refused[0].line()
    assert seen.events == []
    good = httpx.post(listener.url + "/v1/track", json=EVENT)  # and it goes on listening
    assert good.status_code == 200
    wait_for(lambda: len(seen.final()) == 1)


def test_json_that_cannot_be_read_says_why(make_listener: MakeListener) -> None:
    """A number too long for Python to read, and nesting too deep: said as such, not as an
    exception's name."""
    listener, _seen = make_listener(record=False)
    long = b'{"event": "A", "userId": "u", "properties": {"n": ' + b"9" * 5000 + b"}}"
    said = _post(listener.url + "/v1/track", long).json()["message"]
    assert said == (
        f"malformed JSON (a number of more than {sys.get_int_max_str_digits():,} digits at "
        f"character {long.index(b'9') + 1:,})"
    )
    deep = b'{"event": "A", "userId": "u", "properties": ' + b'{"a": ' * 3_000 + b"1"
    deep += b"}" * 3_001
    assert _post(listener.url + "/v1/track", deep).json()["message"] == (
        "malformed JSON (nested too deeply)"
    )


def test_other_methods(make_listener: MakeListener) -> None:
    listener, _ = make_listener(record=False)
    assert httpx.get(listener.url + "/").status_code == 200
    assert "POST Segment" in httpx.get(listener.url + "/").text
    assert httpx.get(listener.url + "/v1/track").status_code == 405


def test_an_event_over_32kb_refuses_its_batch_as_segment_does(
    sandbox: Sandbox, make_listener: MakeListener
) -> None:
    listener, seen = make_listener(forward_to=demo_connection(sandbox), record=False)
    big = {**EVENT, "properties": {"notes": "n" * 40_000}}
    batch = {"batch": [EVENT, big]}
    response = httpx.post(listener.url + "/v1/batch", json=batch, headers=basic())
    assert response.status_code == 400 and response.json()["code"] == "event_too_large"
    wait_for(lambda: len(seen.final()) == 2)
    small, large = seen.final()
    assert "event-too-large" in {f.code for f in large.findings}
    assert "whole batch was refused" in small.not_sent and small.delivery is None
    assert sandbox.accepted() == []


def test_events_endpoint_takes_the_tools_own_formats(make_listener: MakeListener) -> None:
    listener, seen = make_listener(record=False)
    ndjson = b'{"event": "Product Viewed", "user_id": "u1"}\n{"type": "page", "anonymous_id": "a"}'
    array = json.dumps([{"event": "Signed Up", "user_id": "u2"}]).encode()
    datafly = b"datafly.track('Order Completed', {order_id: 'o-1', revenue: 12.5})"
    for content, kind in (
        (ndjson, "application/x-ndjson"),
        (array, "application/json"),
        (datafly, "text/javascript"),
    ):
        response = _post(listener.url + "/events", content, **{"Content-Type": kind})
        assert response.status_code == 200, response.text
    wait_for(lambda: len(seen.final()) == 4)
    names = [item.webengage_name for item in seen.final()]
    assert names == ["Product Viewed", "Page Viewed", "Signed Up", "Order Completed"]
    assert seen.final()[3].preview.request.body["eventData"]["orderId"] == "o-1"
    bad = _post(listener.url + "/events", b"{nope")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_events"
