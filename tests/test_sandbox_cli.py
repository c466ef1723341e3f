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

from tui.cli.sandbox import SANDBOX_TOKEN_ENV, format_record, print_record
from tui.sandbox import DEMO_API_KEY, RequestRecord, Sandbox

CUSTOM_KEY = "my-own-sandbox-key-4f2a9c"
HOSTILE_PATH = (
    "/v1/accounts/"
    "%1B%5D0%3Bpwned%07"  # OSC 0: retitle the terminal
    "%1B%5B2J"  # CSI 2J: clear the screen
    "%1B%5D52%3Bc%3BZXZpbA%3D%3D%07"  # OSC 52: write the clipboard
    "%E2%80%AEgnp.exe"  # U+202E: reverse what follows
    "/events"
)
RAW_CONTROLS = ("\x1b", "\x07", "\u202e", "\x9b")


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


@pytest.fixture(autouse=True)
def _no_admin_token_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SANDBOX_TOKEN_ENV, raising=False)


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


def hostile_request(url: str) -> httpx.Response:
    """A request whose path, event name and user id are escape sequences."""
    body = {"userId": "\x1b]0;pwned\x07", "eventName": "\x1b[2J\u202eredro"}
    headers = {"Authorization": f"Bearer {DEMO_API_KEY}", "Host": "api.webengage.com"}
    return httpx.post(url + HOSTILE_PATH, json=body, headers=headers)


def assert_escaped(printed: str) -> None:
    assert not any(control in printed for control in RAW_CONTROLS), repr(printed)
    assert "\\x1b]0;pwned\\x07" in printed
    assert "\\x1b[2J" in printed
    assert "\\x1b]52;c;ZXZpbA==\\x07" in printed
    assert "\\u202egnp.exe" in printed


def test_request_log_escapes_terminal_controls(capsys: pytest.CaptureFixture[str]) -> None:
    """The log line is the client's text: it is shown, never obeyed by the terminal."""
    with Sandbox(on_request=print_record) as sandbox:
        assert hostile_request(sandbox.url).status_code == 404
    printed = capsys.readouterr().out
    assert printed.startswith("POST   /v1/accounts/")
    assert_escaped(printed)


def test_format_record_escapes_every_untrusted_part() -> None:
    record = RequestRecord("P\x1bOST", "/a\x1b[2J\u202e", 200, 1.0, "fault: \x07\n")
    line = format_record(record)
    assert line == "P\\x1bOST /a\\x1b[2J\\u202e  200  1.0 ms  (fault: \\x07\\x0a)"
    gone = format_record(RequestRecord("POST", "/v1", None, 2.0, "client went away"))
    assert gone == "POST   /v1  -  2.0 ms  (client went away)"
    assert format_record(RequestRecord("POST", "/v1", None, 2.0, "reset")) == (
        "POST   /v1  reset  2.0 ms"
    )


def test_cli_log_escapes_terminal_controls_and_guards_control_endpoints() -> None:
    """The real process: escaped log lines; the banner's admin token opens /sandbox/*; --keep."""
    running = Running("--port", "0", "--keep", "2")
    try:
        url = running.wait_for(r"listening on (http://127\.0\.0\.1:\d+)").group(1)
        token = running.wait_for(r"admin token: (\S+)").group(1)
        running.wait_for(rf"curl -sS {re.escape(url)}/sandbox/events -H 'X-Sandbox-Token: ")
        running.wait_for(r"Ctrl-C stops it")
        assert hostile_request(url).status_code == 404
        assert_escaped(running.wait_for(r"^POST .* 404 ").string)
        events = f"{url}/sandbox/events"
        assert httpx.get(events).status_code == 401
        headers = {"Authorization": f"Bearer {DEMO_API_KEY}", "Host": "api.webengage.com"}
        for name in ("A", "B", "C"):
            body = {"userId": "u1", "eventName": name}
            posted = httpx.post(f"{url}/v1/accounts/sbx~demo/events", json=body, headers=headers)
            assert posted.status_code == 200
        listing = httpx.get(events, headers={"X-Sandbox-Token": token})
        assert [e["body"]["eventName"] for e in listing.json()] == ["B", "C"]  # --keep 2
        assert listing.headers["X-Sandbox-Dropped"] == "1"
        running.process.terminate()
        assert running.process.wait(timeout=15) == 0
    finally:
        if running.process.poll() is None:
            running.process.kill()


def test_cli_admin_token_from_the_environment_is_not_printed() -> None:
    chosen = "my-own-admin-token-5b9d0e7f"
    running = Running("--port", "0", env={SANDBOX_TOKEN_ENV: chosen})
    try:
        url = running.wait_for(r"listening on (http://127\.0\.0\.1:\d+)").group(1)
        running.wait_for(
            rf"admin token: \(yours, not printed; the examples read \${SANDBOX_TOKEN_ENV}\)"
        )
        running.wait_for(r"Ctrl-C stops it")
        assert httpx.get(f"{url}/sandbox", headers={"X-Sandbox-Token": chosen}).status_code == 200
        running.process.terminate()
        assert running.process.wait(timeout=15) == 0
        assert all(chosen not in seen for seen in running.seen)
    finally:
        if running.process.poll() is None:
            running.process.kill()
