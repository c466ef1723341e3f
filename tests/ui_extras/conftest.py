"""A tiny host App that pushes one of the extra screens, records what it posts and returns.

The screens are self-contained: everything comes in through the constructor and everything goes
out as the app's Delivery* messages or the dismiss result, so a host this small is all a test needs.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from tui.delivery.service import DeliveryService
from tui.ui.messages import DeliveryFinished, DeliveryStarted, DeliveryUpdated
from tui.ui.themes import PRESENTATION_CSS, register_themes
from tui.webengage.client import RetryPolicy
from tui.webengage.entry import LogEntry

SCREENSHOT_DIR = (
    Path(os.environ.get("UI_EXTRAS_SCREENSHOTS", ""))
    if os.environ.get("UI_EXTRAS_SCREENSHOTS")
    else None
)
"""Set UI_EXTRAS_SCREENSHOTS=dir to keep an SVG (and a PNG, with rsvg-convert) of each screen."""


class Host(App[None]):
    """Pushes `make_screen()` on mount; keeps the dismiss results and the delivery messages."""

    CSS = PRESENTATION_CSS

    def __init__(self, make_screen: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.results: list[Any] = []
        self.started: list[LogEntry] = []
        self.updated: list[LogEntry] = []
        self.finished: list[LogEntry] = []

    def compose(self) -> ComposeResult:
        yield Static("host app")

    def on_mount(self) -> None:
        register_themes(self)
        self.push_screen(self.make_screen(), self.results.append)

    def on_delivery_started(self, message: DeliveryStarted) -> None:
        self.started.append(message.entry)

    def on_delivery_updated(self, message: DeliveryUpdated) -> None:
        self.updated.append(message.entry)

    def on_delivery_finished(self, message: DeliveryFinished) -> None:
        self.finished.append(message.entry)


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 15.0
) -> None:
    """Let the app run until `condition()` holds (a condition, never a fixed sleep)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)


def delivery_service(retry: RetryPolicy | None = None) -> DeliveryService:
    """The delivery service with tiny backoffs (tests stay fast); the sandbox via route_to."""
    policy = retry or RetryPolicy(base_delay_s=0.01, max_delay_s=0.05, jitter_s=0.0)
    return DeliveryService(retry=policy)


def keep_screenshot(app: App[Any], name: str) -> None:
    """Save an SVG (and PNG) of the current screen when UI_EXTRAS_SCREENSHOTS is set."""
    if SCREENSHOT_DIR is None:
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    svg = SCREENSHOT_DIR / f"{name}.svg"
    app.save_screenshot(svg.name, str(SCREENSHOT_DIR))
    converter = shutil.which("rsvg-convert")
    if converter:
        subprocess.run(
            [converter, str(svg), "-o", str(svg.with_suffix(".png"))], check=False, timeout=60
        )


@pytest.fixture
def make_client() -> DeliveryService:
    """What the extra screens send with (the name kept from when they took a client factory)."""
    return delivery_service()
