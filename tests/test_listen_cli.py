"""`webengage-debugger listen` as a real subprocess: Segment's SDK pointed at it, `--json` lines
(exact keys, keys redacted), the human line, `--sandbox` forwarding, Ctrl+C, and the refusals
that need no server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from segment.analytics.client import Client as SegmentClient

from tests.test_relay_cli import Lines
from tui.cli import build_parser, main
from tui.sandbox import DEMO_API_KEY

WRITE_KEY = "wk-cli-0123456789abcdefQRST"
RECORD_KEYS = {"received", "request", "findings", "delivery"}
START_TIMEOUT_S = 20.0

Running = tuple[subprocess.Popen[str], str, Lines, Lines]


def _url(process: subprocess.Popen[str], errors: Lines) -> str:
    """The URL from the banner's first line (on stderr)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        line = errors.next(timeout_s=0.5)
        if line.startswith("Listening on "):
            return line.split("Listening on ", 1)[1].split(" ", 1)[0]
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"the listener did not start: {errors.rest()}")


def _start(*flags: str) -> Running:
    command = [sys.executable, "-m", "tui", "listen", "--port", "0", *flags]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "TZ": "UTC"},
    )
    assert process.stdout is not None and process.stderr is not None
    output, errors = Lines(process.stdout), Lines(process.stderr)
    return process, _url(process, errors), output, errors


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_json_lines_with_the_sandbox(started: list[subprocess.Popen[str]]) -> None:
    process, url, output, errors = _start("--json", "--sandbox")
    started.append(process)
    client = SegmentClient(WRITE_KEY, host=url)
    client.track(user_id="u1", event="Order Completed", properties={"revenue": 39.8})
    client.track(user_id="u2", event="Order Completed", properties={"we_flag": True})  # an error
    client.flush()
    client.join()
    lines = [output.next(), output.next()]
    bad = httpx.post(f"{url}/v1/batch", content=b"{oops", headers={"Content-Type": "text/plain"})
    assert bad.status_code == 400
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 130
    said = "".join(errors.rest())
    assert "Traceback" not in said and "listener stopped" in said
    assert "refused 400: malformed JSON" in said  # the log line for bad input, on stderr
    assert output.rest() == []  # nothing on stdout but one JSON object per event
    records = sorted((json.loads(line) for line in lines), key=lambda r: r["delivery"] is None)
    for record in records:
        assert set(record) == RECORD_KEYS
        assert set(record["request"]) == {"method", "url", "headers", "body"}
        for finding in record["findings"]:
            assert set(finding) == {"severity", "path", "message", "fix"}
    sent, refused = records
    assert sent["received"]["userId"] == "u1" and sent["received"]["event"] == "Order Completed"
    assert sent["request"]["body"]["userId"] == "u1"
    assert sent["delivery"]["outcome"] == "accepted" and sent["delivery"]["target"] == "sandbox"
    assert refused["delivery"] is None
    assert {f["severity"] for f in refused["findings"]} >= {"error"}
    joined = "\n".join(lines)
    assert WRITE_KEY not in joined and DEMO_API_KEY not in joined
    assert sent["request"]["headers"]["Authorization"].endswith(DEMO_API_KEY[-4:])


def test_one_human_line_per_event(started: list[subprocess.Popen[str]]) -> None:
    process, url, output, errors = _start()
    started.append(process)
    batch = {
        "batch": [
            {"type": "track", "event": "Product Added", "userId": "u7", "properties": {"a": 1}},
            {"type": "page", "anonymousId": "a-3", "properties": {"title": "\x1b]0;pwned\x07"}},
        ]
    }
    assert httpx.post(f"{url}/v1/batch", json=batch).status_code == 200
    first, second = output.next(), output.next()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    assert "Product Added → Added to Cart  user u7  0 errors, 0 warnings" in first
    assert "page → Page Viewed  anonymous a-3" in second
    assert "preview" not in first  # without --forward there is no outcome
    assert "\x1b" not in first + second
    assert "listener stopped" in "".join(errors.rest())


def test_refusals_without_a_server(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["listen", "--host", "0.0.0.0"]) == 2
    assert "--allow-remote" in capsys.readouterr().err
    assert main(["listen", "--allow-origin", "localhost:3000"]) == 2
    assert "scheme://host" in capsys.readouterr().err
    assert main(["listen", "--forward", "--port", "0"]) == 2  # no credentials anywhere
    assert "missing" in capsys.readouterr().err


def test_the_tui_flags() -> None:
    parser = build_parser("")
    assert parser.parse_args(["--listen"]).listen == 8788
    assert parser.parse_args(["--relay", "9001"]).relay == 9001
    both = parser.parse_args(["--sandbox", "--listen", "0", "--relay"])
    assert (both.sandbox, both.listen, both.relay) == (True, 0, 8789)
    assert parser.parse_args([]).listen is None
    listen = build_parser("listen").parse_args(
        ["listen", "--allow-origin", "http://a.test", "http://b.test", "--allow-origin", "null"]
    )
    assert listen.allow_origin == ["http://a.test", "http://b.test", "null"]
    assert listen.port == 8788 and not listen.forward
