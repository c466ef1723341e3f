"""A keystroke in the properties editor reaches the screen with the preview it causes (issue 15).

"The screen" is what Textual writes to the terminal: the app runs with `headless=False` and a
driver that keeps each frame Textual hands to `Driver.write()` instead of writing it to a tty; the
frames are read back with a minimal terminal (cursor positioning and text). Behaviour, not timing:
the preview shows the new value, and in the same frame as the editor does.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any, ClassVar

from rich.cells import get_character_cell_size
from textual.drivers.headless_driver import HeadlessDriver
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import TextArea

from tests.ui.conftest import MakeApp
from tui.ui.widgets.composer import ComposerPanel
from tui.ui.widgets.json_view import JsonView

SIZE = (160, 48)
TOKEN = re.compile(
    r"\x1b\[(?P<row>\d+);(?P<column>\d+)H|\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b.|(?P<newline>\n)|(?P<text>[^\x1b\n]+)"
)


class FrameRecorder(HeadlessDriver):
    """Textual's output path to a terminal, the terminal replaced by a list of frames."""

    written: ClassVar[list[str]] = []

    @property
    def is_headless(self) -> bool:
        return False  # App renders each update to escape sequences and calls write()

    def write(self, data: str) -> None:
        self.written.append(data)


class Terminal:
    """Enough of a terminal to read back Textual's frames: positioning and text, no styles."""

    def __init__(self) -> None:
        self.cells = [[" "] * SIZE[0] for _ in range(SIZE[1])]
        self.x = self.y = 0

    def feed(self, data: str) -> None:
        for token in TOKEN.finditer(data):
            if token["row"]:
                self.y, self.x = int(token["row"]) - 1, int(token["column"]) - 1
            elif token["newline"]:
                self.y, self.x = self.y + 1, 0
            elif token["text"] and 0 <= self.y < len(self.cells):
                row = self.cells[self.y]
                for char in token["text"]:
                    width = get_character_cell_size(char)
                    if width and self.x < len(row):
                        row[self.x] = char
                    self.x += width

    def shows(self, region: Region, needle: str) -> bool:
        rows = self.cells[region.y : region.bottom]
        return any(needle in "".join(row[region.x : region.right]) for row in rows)


def properties_with_200_attributes() -> dict[str, Any]:
    values: list[Any] = ["value", 1.5, True, "2026-06-01T10:00:00Z"]
    return {f"attr_{i:03d}": values[i % 4] for i in range(200)} | {"attr_100": "value-100"}


def cursor_before_closing_quote(area: TextArea, key: str) -> None:
    lines = area.text.splitlines()
    row = next(i for i, line in enumerate(lines) if f'"{key}"' in line)
    area.cursor_location = (row, lines[row].rindex('"'))
    area.focus()


async def scroll_body_to(pilot: Pilot[None], key: str) -> Region:
    """Scroll the preview's body so that `key`'s line is in view; its region on screen."""
    body = pilot.app.query_one("#request-body", JsonView)
    row = next(i for i, line in enumerate(body.lines) if f'"{key}"' in line)
    body.scroll_to(y=max(0, row - body.size.height // 2), animate=False)
    await pilot.pause()
    return body.region


async def frames_until_shown(
    terminal: Terminal, wanted: dict[str, tuple[Region, str]]
) -> list[int]:
    """Read frames as they are written (never forcing one) until each region shows its text: the
    number of the frame that first showed it, for each."""
    seen: dict[str, int] = {}
    count = 0
    deadline = time.monotonic() + 10
    while len(seen) < len(wanted):
        assert time.monotonic() < deadline, f"the screen never showed all of {wanted}: {seen}"
        await asyncio.sleep(0.005)
        while FrameRecorder.written:
            terminal.feed(FrameRecorder.written.pop(0))
            count += 1
            for name, (region, needle) in wanted.items():
                if name not in seen and terminal.shows(region, needle):
                    seen[name] = count
    return [seen[name] for name in wanted]


async def type_and_read(
    pilot: Pilot[None], key: str, value: str, keys: list[str], *, sent_as: str | None = None
) -> None:
    """Type `keys` at the end of `key`'s string value; after each, the preview on screen shows the
    new value (under `sent_as`, the name WebEngage gets), in the same frame as the editor does."""
    editor = pilot.app.query_one("#properties", TextArea)
    cursor_before_closing_quote(editor, key)
    body = await scroll_body_to(pilot, sent_as or key)
    await asyncio.sleep(0.05)
    terminal = Terminal()
    for data in FrameRecorder.written:
        terminal.feed(data)
    FrameRecorder.written.clear()
    for typed in keys:
        value = value[:-1] if typed == "backspace" else value + typed
        await pilot.press(typed)
        in_editor, in_preview = await frames_until_shown(
            terminal,
            {
                "editor": (editor.region, f'"{key}": "{value}"'),
                "preview": (body, f'"{sent_as or key}": "{value}"'),
            },
        )
        assert in_preview == in_editor, (
            f"{typed!r}: preview in frame {in_preview}, editor {in_editor}"
        )


async def test_a_keystroke_shows_in_the_preview_on_screen(make_app: MakeApp) -> None:
    FrameRecorder.written.clear()
    app = make_app()
    app.driver_class = FrameRecorder
    async with app.run_test(size=SIZE, headless=False) as pilot:
        await pilot.pause()
        await type_and_read(
            pilot, "order_id", "ORD-1337", ["9", "x", "backspace"], sent_as="orderId"
        )


async def test_a_keystroke_shows_in_the_preview_on_screen_with_200_attributes(
    make_app: MakeApp,
) -> None:
    FrameRecorder.written.clear()
    app = make_app()
    app.driver_class = FrameRecorder
    async with app.run_test(size=SIZE, headless=False) as pilot:
        event = {"type": "track", "event": "Order Completed", "user_id": "u1"}
        app.query_one(ComposerPanel).load_event(
            event | {"properties": properties_with_200_attributes()}, "test"
        )
        await pilot.pause()
        keys = ["a", "b", "c", "backspace", "backspace", "z"]
        await type_and_read(pilot, "attr_100", "value-100", keys)
