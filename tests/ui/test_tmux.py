"""The installed `webengage-debugger --sandbox`, driven in a real terminal (tmux): compose → send → log.

Skipped when tmux is missing. It uses its own tmux socket, so it never touches a user's sessions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.sandbox import DEMO_API_KEY

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

BINARY = Path(sys.executable).parent / "webengage-debugger"


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        # COLUMNS/LINES (pytest may set them) would override the pane's real size in the app.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", os.devnull, *args],
            capture_output=True,
            text=True,
            timeout=10,
            env=env,
        )
        return result.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "main")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "main", *keys)

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    session = Tmux(f"wedbg-{uuid.uuid4().hex[:8]}")
    binary = str(BINARY) if BINARY.exists() else shutil.which("webengage-debugger")
    if binary is None:
        pytest.skip("webengage-debugger is not installed")
    env = {
        "WEBENGAGE_DEBUGGER_HOME": os.environ.get("WEBENGAGE_DEBUGGER_HOME", str(tmp_path)),
        "TERM": "xterm-256color",
    }
    session.run(
        "new-session",
        "-d",
        "-s",
        "main",
        "-x",
        "120",
        "-y",
        "36",
        *(arg for name, value in env.items() for arg in ("-e", f"{name}={value}")),
        f"{binary} --sandbox",
    )
    try:
        yield session
    finally:
        session.run("kill-server")


def test_compose_send_and_see_it_accepted(tmux: Tmux) -> None:
    tmux.wait_for("Request preview")
    screen = tmux.wait_for("Order Completed")
    assert "SANDBOX" in screen
    assert DEMO_API_KEY not in screen
    tmux.keys("F5")
    screen = tmux.wait_for("accepted")
    assert "200" in screen
    tmux.keys("F4")
    screen = tmux.wait_for("queued")
    assert DEMO_API_KEY not in screen
    tmux.keys("C-q")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "Request preview" in tmux.screen():
        time.sleep(0.1)
