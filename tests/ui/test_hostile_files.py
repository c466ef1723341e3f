"""Hostile files loaded through the composer's file field (issue 11): the app stays up, says what is
wrong, and never waits on a pipe or a device on its UI thread."""

from __future__ import annotations

import json
import os
from pathlib import Path

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select

from tests.ui.conftest import MakeApp
from tests.ui.helpers import set_input, wait_until
from tui.ui.app import WebEngageDebuggerApp
from tui.ui.widgets.json_view import JsonView
from tui.ui.widgets.pickers import EventPickerScreen

INJECTED = "Order\x1b]52;c;SGVsbG8=\x07\x1b[2J\u202eevil"


def messages(app: WebEngageDebuggerApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def load(app: WebEngageDebuggerApp, pilot: Pilot[None], path: Path | str) -> None:
    set_input(app, "#file-path", str(path))
    app.main.composer.load_file()  # the Load button (ctrl+l always opens the picker)
    await pilot.pause()


async def notified(app: WebEngageDebuggerApp, pilot: Pilot[None], words: str) -> None:
    await wait_until(pilot, lambda: any(words in message for message in messages(app)))
    assert app.is_running


async def test_unreadable_files_are_a_message_not_a_crash(
    make_app: MakeApp, tmp_path: Path
) -> None:
    huge = tmp_path / "huge.json"
    huge.write_text('{"event": "A", "user_id": "u", "properties": {"n": ' + "1" * 5000 + "}}")
    surrogate = tmp_path / "surrogate.json"
    surrogate.write_text('{"event": "A", "user_id": "u", "properties": {"s": "\\ud800"}}')
    marked_up = tmp_path / "[" / "]broken.json"  # its path, `.../[/]broken.json`, is markup
    marked_up.parent.mkdir()
    marked_up.write_text("{oops")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await load(app, pilot, huge)
        await notified(app, pilot, "huge.json:1:52: a number with more than 4,300 digits")
        await load(app, pilot, surrogate)
        await notified(app, pilot, "surrogate.json:1:53: a lone surrogate \\ud800 is not valid")
        await load(app, pilot, marked_up)
        await notified(app, pilot, "[/]broken.json:1:2:")
        await pilot.pause()
        assert app.is_running


async def test_dev_zero_stops_at_the_limit_off_the_ui_thread(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await load(app, pilot, "/dev/zero")
        await notified(app, pilot, "/dev/zero: is larger than 64 MiB; split it, or use")


async def test_a_fifo_never_blocks_the_ui(make_app: MakeApp, tmp_path: Path) -> None:
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.composer.pipe_wait_s = 30.0
        await load(app, pilot, fifo)
        # Nobody writes yet: the UI still follows the typing.
        set_input(app, "#user-id", "still-responsive")
        await wait_until(
            pilot,
            lambda: '"userId": "still-responsive"' in app.query_one("#request-body", JsonView).text,
        )
        assert not any("Cannot load" in n.title for n in app._notifications)
        writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # the composer is reading it
        os.write(writer, json.dumps({"event": "Product Added", "user_id": "from-a-pipe"}).encode())
        os.close(writer)
        await wait_until(pilot, lambda: app.query_one("#user-id", Input).value == "from-a-pipe")
        assert app.query_one("#event-name", Select).value == "Product Added"


async def test_a_fifo_nobody_writes_to_gives_up_with_a_message(
    make_app: MakeApp, tmp_path: Path
) -> None:
    fifo = tmp_path / "silent.fifo"
    os.mkfifo(fifo)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.composer.pipe_wait_s = 0.3
        await load(app, pilot, fifo)
        await notified(app, pilot, "silent.fifo: cannot read: nothing to read for 0.3 s")


async def test_event_names_that_are_markup_or_escapes_are_shown_in_the_picker(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = tmp_path / "named.ndjson"
    events = [{"event": "[/]", "user_id": "[bold]u"}, {"event": INJECTED, "user_id": "u"}]
    path.write_text("\n".join(json.dumps(event) for event in events))
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await load(app, pilot, path)
        await wait_until(pilot, lambda: isinstance(app.screen, EventPickerScreen))
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        prompts = [options.get_option_at_index(i).prompt for i in range(2)]
        assert all(isinstance(prompt, Text) for prompt in prompts)
        assert [str(prompt) for prompt in prompts] == [
            "1. [/] · [bold]u",
            "2. Order\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J\\u202eevil · u",
        ]
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, EventPickerScreen))
        await wait_until(pilot, lambda: app.query_one("#custom-event", Input).value == INJECTED)
        assert app.is_running
