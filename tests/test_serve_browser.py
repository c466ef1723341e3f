"""`webengage-debugger serve` works in a real browser: headless Chromium draws the TUI's screen.

The served page runs xterm.js. Its terminal object is private to textual-serve's script, so a script
injected before the page loads (over the DevTools protocol) catches it as the page builds it, and
the test reads the terminal's rows as text until the app's own words appear: proof that the
command started the TUI, textual-serve streamed it, and the browser rendered it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from tui.cli import main
from tui.cli.serve import tui_command

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
# What the TUI's first screen always shows: its top bar (naming the sandbox, so `--sandbox` got
# through to the served process), the delivery log and the footer's send key.
SCREEN_MARKERS = ("webengage-debugger", "SANDBOX", "Delivery log", "Send")
DEADLINE_S = 30.0

# textual-serve's client class assigns `this.fitAddon` in its constructor; a setter on
# Object.prototype sees that first assignment and keeps the instance (and so its xterm Terminal).
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "fitAddon", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "fitAddon", {value, writable: true, configurable: true, enumerable: true});
    if (this.terminal) { window.__textualClient = this; }
  },
});
"""
SCREEN_TEXT = """
(() => {
  const client = window.__textualClient;
  if (!client) { return null; }
  const buffer = client.terminal.buffer.active;
  const rows = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
})()
"""


def find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """End a process started in its own session, and its children (TUI processes, renderers)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def debugger_command() -> list[str]:
    """The installed `webengage-debugger` next to this interpreter, else `python -m tui`."""
    script = Path(sys.executable).with_name("webengage-debugger")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


PRINTED_URL = re.compile(r"Serving the webengage-debugger TUI at (http://\S+)")


@dataclass(frozen=True)
class Served:
    """A running `webengage-debugger serve`: the URL it printed (token included) and its port."""

    url: str
    port: int
    host: str = "127.0.0.1"

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def token(self) -> str:
        """The printed URL's `?token=`, or "" when it printed none."""
        return parse_qs(urlsplit(self.url).query).get("token", [""])[0]


@contextlib.contextmanager
def serving(tmp_path: Path, *options: str, host: str = "127.0.0.1") -> Iterator[Served]:
    """`webengage-debugger serve --sandbox --host HOST [options]` on a free port, once it listens
    and has printed the URL to open; stopped (with the TUI processes it started) afterwards."""
    port = free_port()
    env = {**os.environ, "WEBENGAGE_DEBUGGER_HOME": str(tmp_path / "home")}
    log_path = tmp_path / f"serve-{port}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [*debugger_command(), "serve", "--sandbox", "--host", host, "--port", str(port), *options],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                pytest.fail(f"serve exited with {process.returncode}: {_read(log_path)}")
            printed = PRINTED_URL.search(log_path.read_text(errors="replace"))
            with contextlib.suppress(OSError), socket.create_connection((host, port), 0.2):
                if printed:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"serve did not listen on {port}: {_read(log_path)}")
            time.sleep(0.05)
        assert printed is not None
        yield Served(url=printed.group(1), port=port, host=host)
    finally:
        stop_group(process)
        log.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`webengage-debugger serve --sandbox` on a free port; yields the URL it printed."""
    with serving(tmp_path) as server:
        yield server.url


def _read(path: Path) -> str:
    return path.read_text(errors="replace")[-2000:]


@contextlib.asynccontextmanager
async def chromium_page() -> AsyncIterator[CDP]:
    """A headless Chromium with one blank page, driven over the DevTools protocol."""
    binary = find_chromium()
    if binary is None:
        pytest.skip("chromium is not installed (bash scripts/install-chromium.sh installs it)")
    profile = Path(tempfile.mkdtemp(prefix="wed-chromium-"))
    process = subprocess.Popen(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,800",
            # The page asks fonts.googleapis.com for a font; offline or behind a firewall that
            # request could hold up the page's onload. Nothing but loopback resolves.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 15
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chromium did not start its DevTools endpoint (exit {process.poll()})")
            await asyncio.sleep(0.05)
        devtools_port = int(port_file.read_text().splitlines()[0])
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{devtools_port}/json/list") as response:
                targets = await response.json()
            page = next(t for t in targets if t.get("type") == "page")
            async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                yield CDP(ws)
    finally:
        stop_group(process)
        shutil.rmtree(profile, ignore_errors=True)


class CDP:
    """Just enough of the DevTools protocol: send a command, wait for its answer."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        call_id = self.next_id
        await self.ws.send_str(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(await self.ws.receive_str())
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")


@pytest.mark.browser
async def test_served_tui_draws_its_screen_in_chromium(served: str) -> None:
    # The printed URL carries the token; the page's cookie then lets its script open /ws.
    assert "/?token=" in served
    async with chromium_page() as page:
        await page.call("Page.enable")  # without it the injected script is not run
        await page.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
        await page.call("Page.navigate", url=served)
        deadline = time.monotonic() + DEADLINE_S
        screen = ""
        while time.monotonic() < deadline:
            screen = await page.evaluate(SCREEN_TEXT) or ""
            if all(marker in screen for marker in SCREEN_MARKERS):
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail(f"the app's screen never appeared in the browser; it showed:\n{screen}")
        # The terminal really is the app's: a full screen of rows, sized to the browser window.
        rows = screen.splitlines()
        assert len(rows) >= 20
        assert max(len(row) for row in rows) >= 80


# ---- the command's own answers, without a browser ----------------------------------------------


def test_each_session_runs_this_interpreters_tui() -> None:
    assert tui_command(sandbox=True) == f"{shlex.quote(sys.executable)} -m tui --sandbox"
    assert tui_command(sandbox=False) == f"{shlex.quote(sys.executable)} -m tui"


def test_a_port_in_use_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"serve: cannot listen on 127.0.0.1:{port}:" in err
    assert "in use" in err.lower()


def test_a_port_out_of_range_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port must be between 1 and 65535, not 70000" in capsys.readouterr().err
