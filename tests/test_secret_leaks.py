"""The REST API key never leaves the process: not on stdout/stderr, not in history, not in exports.

A distinctive canary key is used everywhere a real key would be; every output is searched for it in
full and base64-encoded (alone, as "Bearer KEY" and as ":KEY", at every byte alignment, standard
and URL-safe alphabets), so an Authorization header or a basic-auth string would be caught too.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.conftest import MakeSandbox, account
from tui.sandbox import Fault, FaultKind, Sandbox
from tui.webengage.api import DataCentre, Endpoint
from tui.webengage.request import Connection, build_request

CANARY = "LEAKCANARY-" + secrets.token_hex(12)
LICENSE = "sbx~leak"
ROOT = Path(__file__).resolve().parents[1]
WORKED_EXAMPLE = ROOT / "fixtures" / "worked-example.json"


def _base64_forms(text: str) -> set[str]:
    """Every base64 run that must appear wherever `text` is base64-encoded inside a longer stream."""
    raw = text.encode()
    forms: set[str] = set()
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw).decode()
        start = 4 if pad else 0  # the first group mixes padding bytes with the text's
        end = ((pad + len(raw)) // 3) * 4  # the last partial group depends on what follows
        run = encoded[start:end]
        forms |= {run, run.replace("+", "-").replace("/", "_")}
    return forms


NEEDLES: dict[str, str] = {"key": CANARY}
for _prefix in ("", "Bearer ", ":"):
    for _i, _form in enumerate(sorted(_base64_forms(_prefix + CANARY))):
        NEEDLES[f"base64({_prefix!r}+key)#{_i}"] = _form


def assert_clean(where: str, data: str | bytes) -> None:
    text = data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")
    for name, needle in NEEDLES.items():
        assert needle.encode() not in text, f"the API key leaked into {where} ({name})"


def test_the_needles_catch_a_leak() -> None:
    """The scanner itself works: an encoded Authorization header is found at any alignment."""
    for prefix in ("", "x", "xy"):
        header = base64.b64encode(f"{prefix}Bearer {CANARY}".encode())
        with pytest.raises(AssertionError):
            assert_clean("a test string", b"Authorization: Basic " + header)
    with pytest.raises(AssertionError):
        assert_clean("a test string", f"curl -H 'Authorization: Bearer {CANARY}'")


def scan_tree(root: Path) -> int:
    scanned = 0
    for path in root.rglob("*"):
        if path.is_file():
            assert_clean(str(path), path.read_bytes())
            scanned += 1
    return scanned


@pytest.fixture
def leak_sandbox(make_sandbox: MakeSandbox) -> Sandbox:
    return make_sandbox(accounts=[account(LICENSE, CANARY, DataCentre.GLOBAL)])


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "WEBENGAGE_DEBUGGER_HOME": os.environ["WEBENGAGE_DEBUGGER_HOME"],
        "WEBENGAGE_API_KEY": CANARY,
        "WEBENGAGE_LICENSE_CODE": LICENSE,
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert_clean(f"`{' '.join(args)}` stdout", done.stdout)
    assert_clean(f"`{' '.join(args)}` stderr", done.stderr)
    return done


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_preview_cli() -> None:
    done = cli("preview", str(WORKED_EXAMPLE))
    assert done.returncode == 0, done.stderr
    assert CANARY[-4:] in done.stdout  # the redacted form: proves the key was read and masked
    for path in sorted((ROOT / "fixtures" / "bad").glob("*.json"))[:2]:
        cli("preview", str(path))
    cli("preview", str(ROOT / "fixtures" / "several.ndjson"))


def test_send_cli(leak_sandbox: Sandbox) -> None:
    route = {"WEBENGAGE_ROUTE_TO": leak_sandbox.url}
    accepted = cli("send", str(WORKED_EXAMPLE), "--json", **route)
    if "not built yet" in accepted.stderr:
        pytest.skip("`send` is not built yet")
    assert accepted.returncode == 0, accepted.stderr
    assert cli("send", str(WORKED_EXAMPLE), **route, WEBENGAGE_DATA_CENTRE="in").returncode == 3
    wrong_license = cli(
        "send", str(WORKED_EXAMPLE), "--json", **route, WEBENGAGE_LICENSE_CODE="x~y"
    )
    assert wrong_license.returncode in (3, 4)
    leak_sandbox.inject(Fault(kind=FaultKind.HTML, times=None))
    cli("send", str(WORKED_EXAMPLE), "--json", "--attempts", "2", **route)
    leak_sandbox.clear_faults()
    network = cli(
        "send",
        str(WORKED_EXAMPLE),
        "--json",
        "--attempts",
        "1",
        WEBENGAGE_ROUTE_TO=closed_port_url(),
    )
    assert network.returncode == 7
    # everything the tool wrote: history database (and WAL), profiles, anything else
    home = Path(os.environ["WEBENGAGE_DEBUGGER_HOME"])
    assert scan_tree(home) >= 1
    # and every export of what the CLI recorded
    from tui.delivery.exports import entries_to_har, entry_to_curl, evidence_markdown
    from tui.store.history import History
    from tui.store.settings import AppSettings

    with History(AppSettings().history_path) as history:
        entries = history.latest(50)
    assert {e.status for e in entries} >= {200, 401, 502, None}
    assert_clean("HAR of the CLI's history", json.dumps(entries_to_har(entries)))
    assert_clean("evidence pack of the CLI's history", evidence_markdown(entries))
    for entry in entries:
        assert_clean("curl of the CLI's history", entry_to_curl(entry))


def test_diagnose_cli(leak_sandbox: Sandbox) -> None:
    route = {"WEBENGAGE_ROUTE_TO": leak_sandbox.url}
    assert cli("diagnose", **route).returncode == 0
    assert cli("diagnose", "--json", **route, WEBENGAGE_DATA_CENTRE="ksa").returncode == 1
    assert cli("diagnose", WEBENGAGE_ROUTE_TO=closed_port_url()).returncode == 7
    quoted = cli("diagnose", "--json", **route, WEBENGAGE_API_KEY=f"Bearer {CANARY}")
    assert json.loads(quoted.stdout)["verdict"] in ("ok", "value_needs_cleaning")
    scan_tree(Path(os.environ["WEBENGAGE_DEBUGGER_HOME"]))


async def test_history_exports_and_diagnosis(leak_sandbox: Sandbox, tmp_path: Path) -> None:
    from tui.delivery.diagnose import diagnose
    from tui.delivery.exports import entries_to_har, entry_to_curl, evidence_markdown
    from tui.store.history import History
    from tui.webengage.client import RetryPolicy, WebEngageClient

    body = json.loads(WORKED_EXAMPLE.read_text())
    wire_body = {"userId": body["user_id"], "eventName": "Order Completed", "eventData": {"a": 1}}
    fast = RetryPolicy(max_attempts=2, base_delay_s=0, max_delay_s=0, jitter_s=0)
    history = History(tmp_path / "history.sqlite3")
    entries = []
    for dc, route in [
        (DataCentre.GLOBAL, leak_sandbox.url),  # accepted
        (DataCentre.INDIA, leak_sandbox.url),  # 401: wrong data centre
        (DataCentre.GLOBAL, closed_port_url()),  # network failure
    ]:
        connection = Connection(
            data_centre=dc, license_code=LICENSE, api_key=SecretStr(CANARY), route_to=route
        )
        assert_clean("repr(connection)", repr(connection) + str(connection))
        async with WebEngageClient(connection, retry=fast, timeout_s=2) as client:
            assert_clean("repr(client)", repr(client))
            entry = await client.deliver(
                build_request(connection, Endpoint.EVENTS, wire_body), on_update=history.record
            )
        entries.append(entry)
        assert_clean("repr(entry)", repr(entry))
        assert_clean("entry JSON", entry.model_dump_json())
        assert_clean("curl", entry_to_curl(entry))
        diagnosis = await diagnose(connection, retry=fast, timeout_s=2)
        assert_clean("diagnosis", diagnosis.model_dump_json() + diagnosis.text() + repr(diagnosis))
    assert [e.status for e in entries] == [200, 401, None]
    assert_clean("HAR", json.dumps(entries_to_har(entries), ensure_ascii=False))
    assert_clean("evidence pack", evidence_markdown(entries))
    assert scan_tree(tmp_path) >= 2  # open: history.sqlite3 with its -wal
    history.close()
    assert scan_tree(tmp_path) >= 1  # history.sqlite3 (+ -wal / -shm when present)


class EchoingServer:
    """A server that quotes the caller's Authorization header back, in its error message, in a
    response header and in an HTML page, as a misconfigured proxy or a careless API might."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                auth = self.headers.get("Authorization", "")
                status = 400 if self.path.endswith("/events") else 401
                body = json.dumps(
                    {"response": {"status": "error", "message": f"Invalid header {auth}"}}
                ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Echo", auth)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_server_that_echoes_the_key_leaks_it_nowhere() -> None:
    """The response is masked before it is classified, so the key is not in the hint, stdout,
    `--json`, the history, the HAR or the evidence pack (which promises masking)."""
    echo = EchoingServer()
    try:
        human = cli("send", str(WORKED_EXAMPLE), "--attempts", "1", WEBENGAGE_ROUTE_TO=echo.url)
        assert human.returncode == 5, human.stdout + human.stderr
        assert "Invalid header Bearer ••••••••" in human.stdout  # what it said, masked
        as_json = cli(
            "send", str(WORKED_EXAMPLE), "--json", "--attempts", "1", WEBENGAGE_ROUTE_TO=echo.url
        )
        assert json.loads(as_json.stdout)["status"] == 400
    finally:
        echo.close()
    home = Path(os.environ["WEBENGAGE_DEBUGGER_HOME"])
    assert scan_tree(home) >= 1
    from tui.delivery.exports import entries_to_har, entry_to_curl, evidence_markdown
    from tui.store.history import History
    from tui.store.settings import AppSettings

    with History(AppSettings().history_path) as history:
        entries = history.latest(10)
    assert len(entries) == 2 and all(e.hint is not None for e in entries)
    for entry in entries:
        assert entry.hint is not None
        assert_clean("the hint", entry.hint.model_dump_json())
        assert_clean("the response headers", json.dumps(entry.response_headers))
        assert_clean("curl", entry_to_curl(entry))
    assert_clean("HAR", json.dumps(entries_to_har(entries), ensure_ascii=False))
    assert_clean("evidence pack", evidence_markdown(entries))
