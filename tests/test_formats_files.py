"""Files in the shapes people bring (issue 12): a Datafly.js call pasted from a site's code, a HAR
file from browser devtools, standard input; and a Segment event sent twice through the sandbox,
deduplicated by the x-request-id its messageId gives.

Sources: the integration spec's worked example (/work/shared/seeds/webengage-integration.txt,
"A Datafly.js call on your site: datafly.track('Order Completed', {...})"); HAR 1.2
(w3c.github.io/web-performance/specs/HAR/Overview.html: log.entries[].startedDateTime,
request.postData.text); analytics.js posts to api.segment.io/v1/t, /v1/p, ... with
`Content-Type: text/plain` (segmentio/analytics-next, packages/browser/src/plugins/segmentio).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_send_cli import send
from tui.mapping.formats import Format
from tui.mapping.preview import preview_event
from tui.mapping.signal import InputError, parse_events_text, read_events
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Sandbox
from tui.webengage.request import Connection

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "fixtures" / "formats"
EXPECTED = json.loads((ROOT / "fixtures" / "worked-example.expected.json").read_text())


def test_the_datafly_call_of_the_worked_example_maps_to_its_body() -> None:
    [raw] = read_events(FORMATS / "datafly-order.js")
    raw = {**raw, "user_id": "johndoe", "timestamp": "2026-06-06T18:29:00Z"}
    result = preview_event(raw, Connection())
    assert result.request.body == EXPECTED


def test_a_pasted_call_says_it_was_read_as_one_and_needs_an_identity() -> None:
    [raw] = parse_events_text(
        "datafly.track('Order Completed', { order_id: 'ORD-1337', revenue: 39.80, });",
        "composer",
    )
    result = preview_event(raw, Connection())
    assert result.format == Format.DATAFLY_JS.value
    assert result.findings[0].code == "format-read"
    assert any(f.code == "missing-identity" for f in result.findings)
    assert result.request.body["eventData"] == {"orderId": "ORD-1337", "amount": 39.8}


def test_page_and_identify_calls() -> None:
    text = """
    datafly.page();
    datafly.page('Docs', 'Install', { path: '/docs/install' });
    /* a block comment */ datafly.identify('johndoe', { email: "a@b.co", plan: 'pro', });
    """
    page, named, identify = parse_events_text(text, "site.js")
    assert page == {"type": "page", "properties": {}}
    assert named["properties"] == {"path": "/docs/install", "category": "Docs", "name": "Install"}
    assert identify == {
        "type": "identify",
        "traits": {"email": "a@b.co", "plan": "pro"},
        "user_id": "johndoe",
    }
    result = preview_event(identify, Connection())
    assert result.request.body == {
        "userId": "johndoe",
        "email": "a@b.co",
        "attributes": {"plan": "pro"},
    }


def test_a_paren_inside_a_string_does_not_end_the_call() -> None:
    [raw] = parse_events_text("datafly.track('Clicked (top)', { label: 'a) b' })", "x.js")
    assert raw["event"] == "Clicked (top)" and raw["properties"] == {"label": "a) b"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("datafly.track('X', { price: product.price })", "not JavaScript literals"),
        ("datafly.reset()", "datafly.reset(...) is not a call"),
    ],
)
def test_a_call_that_cannot_be_read_is_located(text: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_events_text("\n  " + text, "site.js")
    assert words in caught.value.message
    assert (caught.value.line, caught.value.column) == (2, 3)


def test_a_har_file_gives_every_tracking_call_in_order_with_its_time() -> None:
    events = read_events(FORMATS / "devtools.har")
    results = [preview_event(raw, Connection()) for raw in events]
    assert [r.request.body.get("eventName") for r in results] == [
        "Page Viewed",
        "Order Completed",
        "Added to Cart",
    ]
    assert [r.format for r in results] == [
        Format.SEGMENT.value,
        Format.SEGMENT.value,
        Format.WEBENGAGE_EVENT.value,
    ]
    summaries = [r.findings[0].message for r in results]
    assert (
        "HAR entry 2: POST https://api.segment.io/v1/p at 2026-06-06T18:29:00.120Z" in summaries[0]
    )
    # the page call had no time of its own: the request's startedDateTime, as sentAt
    assert results[0].request.body["eventTime"] == "2026-06-06T18:29:00+0000"
    assert results[2].request.body["eventData"] == {"product_id": "SKU-1", "price": 39.8}


def test_a_har_file_without_tracking_calls_says_so(tmp_path: Path) -> None:
    har = {
        "log": {"version": "1.2", "entries": [{"request": {"method": "GET", "url": "https://a"}}]}
    }
    path = tmp_path / "empty.har"
    path.write_text(json.dumps(har))
    with pytest.raises(InputError, match="HAR file of 1 request"):
        read_events(path)


def test_preview_reads_a_datafly_call_from_standard_input() -> None:
    text = (FORMATS / "datafly-order.js").read_text()
    result = subprocess.run(
        [sys.executable, "-m", "tui", "preview", "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert '"eventName": "Order Completed"' in result.stdout
    assert "read as a Datafly.js call" in result.stderr


def test_re_sending_the_same_segment_message_is_deduplicated(sandbox: Sandbox) -> None:
    """WebEngage drops a repeat x-request-id within 4 hours; the sandbox does as WebEngage."""
    path = FORMATS / "segment-track.json"
    first = send(path, route_to=sandbox.url, in_process=True)
    again = send(path, route_to=sandbox.url, in_process=True)
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    [stored] = sandbox.accepted()
    assert stored["request_id"] == "022bb90cbbac11e48dfcaa07a5b093db"
    assert stored["body"]["userId"] == "johndoe"


def test_send_reads_standard_input(sandbox: Sandbox) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBENGAGE_")}
    env |= {
        "WEBENGAGE_DEBUGGER_HOME": os.environ["WEBENGAGE_DEBUGGER_HOME"],
        "WEBENGAGE_LICENSE_CODE": DEMO_LICENSE_CODE,
        "WEBENGAGE_API_KEY": DEMO_API_KEY,
        "WEBENGAGE_ROUTE_TO": sandbox.url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "tui", "send", "-"],
        input=(FORMATS / "rudderstack-batch.json").read_text(),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert [a["endpoint"] for a in sandbox.accepted()] == ["users", "events", "events"]
    assert DEMO_API_KEY not in result.stdout + result.stderr
