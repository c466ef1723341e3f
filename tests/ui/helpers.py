"""Waiting for the app, never sleeping a fixed time."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input

from tui.ui.app import WebEngageDebuggerApp
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.webengage.entry import LogEntry

FIXED_TIMESTAMP = "2026-06-06T23:59:00+05:30"


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 10
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.01)


def entries(app: WebEngageDebuggerApp) -> list[LogEntry]:
    return list(app.query_one(DeliveryLog).entries.values())


async def send_and_wait(app: WebEngageDebuggerApp, pilot: Pilot[None], key: str = "f5") -> LogEntry:
    """Press `key` and wait for the new delivery to finish; returns its entry."""
    before = set(app.query_one(DeliveryLog).entries)
    await pilot.press(key)
    log = app.query_one(DeliveryLog)

    def done() -> bool:
        new = [e for i, e in log.entries.items() if i not in before]
        return bool(new) and new[0].finished

    await wait_until(pilot, done)
    await pilot.pause()
    (new_id,) = (i for i in log.entries if i not in before)
    return log.entries[new_id]


def set_input(app: WebEngageDebuggerApp, selector: str, value: str) -> None:
    app.query_one(selector, Input).value = value


def screen_text(app: WebEngageDebuggerApp) -> str:
    """What is on screen, as text (from the SVG export, tags removed)."""
    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg)
    return (
        text.replace("&#160;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    )
