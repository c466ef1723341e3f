"""`webengage-debugger sandbox` in a real process: banner, one line per request, clean Ctrl-C."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest

CUSTOM_KEY = "my-own-sandbox-key-4f2a9c"


class Running:
    """The sandbox command's process, with its stdout readable line by line with a timeout."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "tui", "sandbox", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 15) -> re.Match[str]:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no line matching {pattern!r}; saw:\n" + "\n".join(self.seen))
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found


@pytest.fixture
def cli_sandbox() -> Iterator[Running]:
    running = Running(
        "--port",
        "0",
        "--rate-limit",
        "2",
        "--window",
        "30",
        env={"WEBENGAGE_SANDBOX_API_KEY": CUSTOM_KEY},
    )
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


def test_cli_serves_logs_and_stops_on_ctrl_c(cli_sandbox: Running) -> None:
    url = cli_sandbox.wait_for(r"listening on (http://127\.0\.0\.1:\d+)").group(1)
    cli_sandbox.wait_for(r"license code sbx~demo, data centre Global \(api\.webengage\.com\)")
    cli_sandbox.wait_for(r"Ctrl-C stops it")
    headers = {"Authorization": f"Bearer {CUSTOM_KEY}", "Host": "api.webengage.com"}
    endpoint = f"{url}/v1/accounts/sbx~demo/events"
    body = {"userId": "johndoe", "eventName": "Order Completed"}
    statuses = [httpx.post(endpoint, json=body, headers=headers).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # --rate-limit 2
    line = cli_sandbox.wait_for(r"^POST\s+/v1/accounts/sbx~demo/events\s+200\s+[\d.]+ ms$")
    assert line
    cli_sandbox.wait_for(r"429")
    cli_sandbox.process.send_signal(signal.SIGINT)
    assert cli_sandbox.process.wait(timeout=15) == 0
    cli_sandbox.wait_for("sandbox stopped")
    assert all(CUSTOM_KEY not in seen for seen in cli_sandbox.seen)


def test_cli_stops_on_sigterm() -> None:
    running = Running("--port", "0", "--data-centre", "in")
    try:
        running.wait_for(r"data centre India \(api\.in\.webengage\.com\)")
        running.wait_for("Bearer sbx-demo-key")  # the public demo key is shown, for curl
        running.process.terminate()
        assert running.process.wait(timeout=15) == 0
    finally:
        if running.process.poll() is None:
            running.process.kill()


def test_cli_rejects_nonsense_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "sandbox", "--rate-limit", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "invalid option: rate_limit" in result.stderr
