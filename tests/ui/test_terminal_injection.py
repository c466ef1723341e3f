"""Untrusted text never reaches the terminal raw: an event name, a user id, a server's message or a
history row holding escape sequences (OSC 52 writes the clipboard, OSC 0 retitles the pane,
ESC[2J clears the screen) or a right-to-left override is drawn with those characters visible."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr
from rich.text import Text

from tui.store.history import History
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.ui.widgets.entry_detail import EntryDetailScreen
from tui.webengage.api import DataCentre, Endpoint
from tui.webengage.entry import Attempt, LogEntry
from tui.webengage.outcomes import Outcome, hint_for
from tui.webengage.request import Connection, build_request

from .conftest import MakeApp
from .helpers import screen_text, send_and_wait, wait_until

OSC52 = "\x1b]52;c;ZXZpbA==\x07"
OSC0 = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
RLO = "\u202e"
RAW = ("\x1b", "\x07", "\x9b", RLO)


def hostile_entry() -> LogEntry:
    connection = Connection(
        data_centre=DataCentre.GLOBAL, license_code="sbx~demo", api_key=SecretStr("k" * 32)
    )
    at = datetime(2026, 6, 6, 18, 29, tzinfo=UTC)
    message = f"Invalid event {OSC0}{CLEAR}"
    body = {"userId": f"u{OSC52}", "eventName": f"Evil{OSC0}{RLO}gnp.exe", "eventData": {}}
    return LogEntry(
        id="hostile",
        created_at=at,
        finished_at=at,
        event_name=f"Evil{OSC0}{RLO}gnp.exe",
        data_centre="Global",
        host=connection.host,
        license_code="sbx~demo",
        request=build_request(connection, Endpoint.EVENTS, body),
        attempts=(Attempt(number=1, started_at=at, latency_ms=12.0, status=400),),
        outcome=Outcome.BAD_REQUEST,
        status=400,
        hint=hint_for(
            Outcome.BAD_REQUEST, host=connection.host, license_code="sbx~demo", message=message
        ),
        response_headers={"x-evil": OSC52},
        response_body=f'{{"response":{{"status":"error","message":"{message}"}}}}'.replace(
            "\x1b", "\\u001b"
        )
        + RLO,
    )


def assert_no_raw_controls(where: str, text: str) -> None:
    for char in RAW:
        assert char not in text, f"{char!r} reached the screen raw in {where}"


async def test_a_hostile_history_row_is_drawn_escaped(make_app: MakeApp, tmp_path: Path) -> None:
    history = History.open(tmp_path / "history.sqlite3")
    history.update(hostile_entry())
    app = make_app(history=history)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert_no_raw_controls("the log", text)
        assert "Evil\\x1b]0;pwned" in text  # seen, not obeyed
        assert "\\x1b" in text
        app.action_open_entry()
        await wait_until(pilot, lambda: isinstance(app.screen, EntryDetailScreen))
        await pilot.pause()
        assert_no_raw_controls("the delivery detail", screen_text(app))


async def test_hostile_composer_input_is_drawn_escaped(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        area = app.main.query_one("#properties")
        area.load_text('{"name": "\\u001b[2J\\u202egnp.exe", "x": "\\u009b31m"}')  # type: ignore[attr-defined]
        await pilot.pause()
        await wait_until(pilot, lambda: app.preview is not None and "name" in str(app.preview))
        await pilot.pause()
        assert_no_raw_controls("the preview", screen_text(app))
        await send_and_wait(app, pilot, "f6")
        await pilot.pause()
        assert_no_raw_controls("the log after sending", screen_text(app))
        assert app.is_running


async def test_markup_in_an_event_name_is_shown_not_obeyed(
    make_app: MakeApp, tmp_path: Path
) -> None:
    """Rich markup in a history row's event name must not style the log or make a terminal link
    (a DataTable parses markup in plain-string cells)."""
    markup = "[link=https://evil.example]Order[/link] [reverse]x[/reverse]"
    entry = hostile_entry().model_copy(update={"id": "markup", "event_name": markup})
    history = History.open(tmp_path / "history.sqlite3")
    history.update(entry)
    app = make_app(history=history)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        cell = app.main.query_one(DeliveryLog).table.get_cell("markup", "event")
        assert isinstance(cell, Text) and cell.spans == []
        assert cell.plain.startswith("[link=https://evil.exam")  # (cut at the column's width)
        assert "[link=https://evil.exam" in screen_text(app)
