"""`webengage-debugger relay` as a real subprocess, with the sandbox upstream: `--json` lines,
curl through it, Ctrl+C, and the refusals that need no server."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import IO

import httpx
import pytest

from tui.cli import main
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Sandbox

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}", "Content-Type": "application/json"}
EVENT = {"userId": "johndoe", "eventName": "Order Completed"}
RECORD_KEYS = {"request", "response", "outcome", "hint", "findings", "latency_ms"}
START_TIMEOUT_S = 20.0


class Lines:
    """A pipe's lines, read in a thread of their own (a select on a buffered pipe misses lines
    already in the buffer)."""

    def __init__(self, stream: IO[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.queue.put(line)
        self.queue.put("")  # the end

    def next(self, timeout_s: float = 10.0) -> str:
        """The next line ("" at the end, or when none came in time)."""
        try:
            return self.queue.get(timeout=timeout_s)
        except queue.Empty:
            return ""

    def rest(self) -> list[str]:
        """Every line left, once the process has ended."""
        left = []
        while (line := self.next(timeout_s=5.0)) != "":
            left.append(line)
        return left


def _relay_url(process: subprocess.Popen[str], errors: Lines) -> str:
    """The URL from the banner's first line (on stderr)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        line = errors.next(timeout_s=0.5)
        if "listening on " in line:
            return line.split("listening on ", 1)[1].split(",", 1)[0]
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"the relay did not start: {errors.rest()}")


def _curl(url: str, *flags: str) -> list[str]:
    """curl posting EVENT to `url` with the demo key, as an integration would."""
    auth = f"Authorization: Bearer {DEMO_API_KEY}"
    json_type = "Content-Type: application/json"
    return [
        "curl",
        "-sS",
        *flags,
        "-X",
        "POST",
        url,
        "-H",
        auth,
        "-H",
        json_type,
        "--data-raw",
        json.dumps(EVENT),
    ]


Running = tuple[subprocess.Popen[str], str, Lines, Lines]


@pytest.fixture
def cli_relay(sandbox: Sandbox) -> Iterator[Running]:
    """`webengage-debugger relay --json --port 0 --upstream <sandbox>`, running."""
    command = [sys.executable, "-m", "tui", "relay", "--json", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--upstream", sandbox.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None and process.stderr is not None
    output, errors = Lines(process.stdout), Lines(process.stderr)
    try:
        yield process, _relay_url(process, errors), output, errors
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_json_lines_through_the_cli_and_ctrl_c(cli_relay: Running) -> None:
    process, url, output, errors = cli_relay
    path = f"{url}/v1/accounts/{DEMO_LICENSE_CODE}/events"
    accepted = httpx.post(path, headers=AUTH, json=EVENT)
    assert accepted.status_code == 200 and accepted.json() == {"response": {"status": "queued"}}
    findings = httpx.post(path, headers=AUTH, json={"eventName": "x", "eventData": {"we_a": 1}})
    assert findings.status_code == 400
    assert httpx.post(f"{url}/elsewhere", json=EVENT).status_code == 404
    if shutil.which("curl"):
        curl = subprocess.run(
            _curl(path),
            capture_output=True,
            text=True,
            timeout=10,
        )
        assert json.loads(curl.stdout) == {"response": {"status": "queued"}}
    expected = 4 if shutil.which("curl") else 3
    lines = [output.next() for _ in range(expected)]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 130
    said = "".join(errors.rest())
    assert "Traceback" not in said and "relay stopped" in said
    records = [json.loads(line) for line in lines]
    assert output.rest() == []  # nothing but one JSON object per exchange
    for record in records:
        assert set(record) == RECORD_KEYS
        assert set(record["request"]) == {"method", "url", "headers", "body"}
        assert set(record["response"]) == {"status", "headers", "body"}
    assert [r["response"]["status"] for r in records[:3]] == [200, 400, 404]
    assert records[0]["outcome"] == "accepted"
    assert records[0]["response"]["headers"]["x-ratelimit-limit"] == "5000"
    codes = {f["code"] for f in records[1]["findings"]}
    assert codes == {"reserved-name", "missing-identity"}
    assert records[2]["outcome"] is None and records[2]["hint"]["title"].startswith("Not forwarded")
    assert all(DEMO_API_KEY not in line for line in lines)


def test_curl_through_the_relay(sandbox: Sandbox) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    from tui.live.relay import Relay, RelayConfig

    with Relay(RelayConfig(upstream=sandbox.url)) as relay:
        result = subprocess.run(
            _curl(f"{relay.url}/v1/accounts/{DEMO_LICENSE_CODE}/events", "-i"),
            capture_output=True,
            text=True,
            timeout=10,
        )
    head, _, body = result.stdout.replace("\r\n", "\n").partition("\n\n")
    assert head.startswith("HTTP/1.1 200")
    assert "x-ratelimit-remaining: 4999" in head.lower()
    assert json.loads(body) == {"response": {"status": "queued"}}


def test_refusals_without_a_server(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["relay", "--host", "0.0.0.0"]) == 2
    assert "--allow-remote" in capsys.readouterr().err
    assert main(["relay", "--upstream", "not a url"]) == 2
    assert "upstream" in capsys.readouterr().err
