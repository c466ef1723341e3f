"""Screenshots of the real app against an embedded sandbox: `python scripts/screenshots.py [OUT_DIR]`.

Writes SVGs (and PNGs when `rsvg-convert` is installed) to screenshots/: the composer with its
preview, a failed delivery with its hint (wrong data centre), the log, an entry in full, and the
layout at 80×24 and 200×50. Time and "now" are fixed so reruns differ only where the app changed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("TZ", "UTC")
time.tzset()

from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Input, Select, TextArea  # noqa: E402

from tui.sandbox import Sandbox  # noqa: E402
from tui.store.settings import AppSettings  # noqa: E402
from tui.ui.app import WebEngageDebuggerApp, create_app  # noqa: E402
from tui.ui.widgets.delivery_log import DeliveryLog  # noqa: E402
from tui.webengage.client import RetryPolicy  # noqa: E402

NOW = datetime(2026, 6, 6, 18, 29, tzinfo=UTC)
Scene = Callable[[WebEngageDebuggerApp, Pilot[None]], Awaitable[None]]


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 10
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        await pilot.pause(0.02)


async def send_and_wait(app: WebEngageDebuggerApp, pilot: Pilot[None], key: str = "f5") -> None:
    log = app.query_one(DeliveryLog)
    before = len(log.entries)
    await pilot.press(key)
    await wait_until(
        pilot, lambda: len(log.entries) > before and all(e.finished for e in log.entries.values())
    )
    await pilot.pause()


def set_timestamp(app: WebEngageDebuggerApp) -> None:
    app.query_one("#timestamp", Input).value = "2026-06-06T23:59:00+05:30"


async def composer(app: WebEngageDebuggerApp, pilot: Pilot[None]) -> None:
    set_timestamp(app)
    area = app.query_one("#properties", TextArea)
    area.focus()
    area.move_cursor((2, 0))
    await pilot.pause()


async def composer_findings(app: WebEngageDebuggerApp, pilot: Pilot[None]) -> None:
    set_timestamp(app)
    area = app.query_one("#properties", TextArea)
    area.load_text('{\n  "we_score": 10,\n  "coupon": null,\n  "order_id": "ORD-1337"\n}')
    app.query_one("#user-id", Input).value = ""
    await pilot.pause()
    await pilot.press("f5")
    await pilot.pause()


async def wrong_data_centre(app: WebEngageDebuggerApp, pilot: Pilot[None]) -> None:
    set_timestamp(app)
    app.query_one("#data-centre", Select).value = "in"
    await pilot.pause()
    await send_and_wait(app, pilot)


async def log(app: WebEngageDebuggerApp, pilot: Pilot[None]) -> None:
    set_timestamp(app)
    await send_and_wait(app, pilot)
    app.query_one("#license-code", Input).value = "wrong~code"
    await send_and_wait(app, pilot)
    app.query_one("#license-code", Input).value = "sbx~demo"
    app.query_one("#user-id", Input).value = ""
    await send_and_wait(app, pilot, "f6")
    await pilot.press("f4")
    await pilot.pause()


async def detail(app: WebEngageDebuggerApp, pilot: Pilot[None]) -> None:
    set_timestamp(app)
    app.query_one("#data-centre", Select).value = "ksa"
    await send_and_wait(app, pilot)
    await pilot.press("f4", "enter")
    await pilot.pause()


async def invalid_json(app: WebEngageDebuggerApp, pilot: Pilot[None]) -> None:
    set_timestamp(app)
    area = app.query_one("#properties", TextArea)
    area.focus()
    area.move_cursor((1, 0))
    await pilot.press("end", "backspace")
    await pilot.pause()


async def credentials(app: WebEngageDebuggerApp, pilot: Pilot[None]) -> None:
    set_timestamp(app)
    await pilot.press("f2", "f7")
    await wait_until(pilot, lambda: "testing" not in str(app.query_one("#verdict").render()))
    await pilot.pause()


async def help_screen(app: WebEngageDebuggerApp, pilot: Pilot[None]) -> None:
    await pilot.press("f1")
    await pilot.pause()


SCENES: list[tuple[str, tuple[int, int], Scene]] = [
    ("composer", (120, 36), composer),
    ("findings", (120, 36), composer_findings),
    ("wrong-data-centre", (120, 36), wrong_data_centre),
    ("log", (120, 36), log),
    ("detail", (120, 36), detail),
    ("invalid-json", (120, 36), invalid_json),
    ("wide-200x50", (200, 50), log),
    ("narrow-80x24", (80, 24), composer),
    ("credentials", (120, 36), credentials),
    ("help", (120, 36), help_screen),
]


async def shoot(out: Path, only: set[str]) -> list[Path]:
    written = []
    for name, size, scene in SCENES:
        if only and name not in only:
            continue
        with tempfile.TemporaryDirectory() as home, Sandbox() as sandbox:
            settings = AppSettings(home=Path(home))
            app = create_app(settings, sandbox=sandbox)
            app.retry = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.02, jitter_s=0)
            app.clock = lambda: NOW
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                await scene(app, pilot)
                await pilot.pause(0.1)
                path = out / f"{name}.svg"
                app.save_screenshot(str(path))
                written.append(path)
    return written


def main() -> int:
    out = (
        Path(sys.argv[1])
        if len(sys.argv) > 1 and not sys.argv[1].startswith("-")
        else Path("screenshots")
    )
    only = {arg[2:] for arg in sys.argv[1:] if arg.startswith("--")}
    out.mkdir(parents=True, exist_ok=True)
    written = asyncio.run(shoot(out, only))
    converter = shutil.which("rsvg-convert")
    for svg in written:
        if converter:
            subprocess.run([converter, str(svg), "-o", str(svg.with_suffix(".png"))], check=True)
        print(svg)
    if not converter:
        print("rsvg-convert not found: SVGs only (apt-get install librsvg2-bin)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
