"""Snapshots of the main states (pytest-textual-snapshot): `pytest tests/ui --snapshot-update`
after a deliberate change, then look at the SVGs in tests/ui/__snapshots__/.

Deterministic by construction: "now" is fixed, the log is filled from a history of made-up entries
(fixed times and latencies), the sandbox's random port is never on screen, no cursor blinks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.ui.conftest import MakeApp
from tui.store.history import History
from tui.webengage.api import DataCentre, Endpoint
from tui.webengage.entry import Attempt, LogEntry, Target
from tui.webengage.outcomes import Outcome, hint_for
from tui.webengage.request import Connection, build_request

AT = datetime(2026, 6, 6, 18, 29, tzinfo=UTC)
BODY = {
    "userId": "johndoe",
    "eventName": "Order Completed",
    "eventTime": "2026-06-06T18:29:00+0000",
    "eventData": {"orderId": "ORD-1337", "amount": 39.8, "currency": "USD"},
}


def made_up_entry(
    number: int, outcome: Outcome | None, status: int | None, dc: DataCentre, license_code: str
) -> LogEntry:
    connection = Connection(data_centre=dc, license_code=license_code, api_key=SecretStr("k" * 32))
    started = AT + timedelta(seconds=7 * number)
    request = build_request(connection, Endpoint.EVENTS, BODY, request_id=f"{number:032x}")
    hint = (
        hint_for(
            outcome, host=connection.host, license_code=license_code, data_centre=dc, status=status
        )
        if outcome
        else None
    )
    return LogEntry(
        id=f"entry-{number}",
        request_id=f"{number:032x}",
        created_at=started,
        finished_at=started + timedelta(milliseconds=140) if outcome else None,
        event_name="Order Completed",
        data_centre=dc.label,
        host=connection.host,
        license_code=license_code,
        request=request,
        attempts=[Attempt(number=1, started_at=started, latency_ms=140.0 + number, status=status)],
        outcome=outcome,
        status=status,
        hint=hint,
        response_body='{"response":{"status":"queued"}}' if outcome is Outcome.ACCEPTED else None,
        rate_limit_limit=5000,
        rate_limit_remaining=4990 + number,
        target=Target.SANDBOX,
        route="http://127.0.0.1:8787",
    )


def history_with_entries(tmp_path: Path) -> History:
    history = History.open(tmp_path / "history.sqlite3")
    for entry in (
        made_up_entry(1, Outcome.ACCEPTED, 200, DataCentre.GLOBAL, "sbx~demo"),
        made_up_entry(2, Outcome.AUTH, 401, DataCentre.INDIA, "sbx~demo"),
        made_up_entry(3, Outcome.NOT_FOUND, 404, DataCentre.GLOBAL, "wrong~code"),
    ):
        history.start(entry)
        history.update(entry)
    return history


def fixed_timestamp(pilot: Pilot[Any]) -> None:
    pilot.app.query_one("#timestamp", Input).value = "2026-06-06T23:59:00+05:30"


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_composer_120x36(snap_compare: Any, make_app: MakeApp) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        fixed_timestamp(pilot)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(120, 36), run_before=run_before)


def test_findings_and_refusal(snap_compare: Any, make_app: MakeApp) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        fixed_timestamp(pilot)
        pilot.app.query_one("#user-id", Input).value = ""
        pilot.app.query_one("#properties", TextArea).load_text(
            '{\n  "we_score": 10,\n  "coupon": null\n}'
        )
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(120, 36), run_before=run_before)


def test_invalid_json(snap_compare: Any, make_app: MakeApp) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        fixed_timestamp(pilot)
        await settle(pilot)
        pilot.app.query_one("#properties", TextArea).load_text(
            '{\n  "order_id": "ORD-1"\n  "x": 1\n}'
        )
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(120, 36), run_before=run_before)


def test_log_tab_with_hints(snap_compare: Any, make_app: MakeApp, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        fixed_timestamp(pilot)
        await pilot.press("f4", "up")
        await settle(pilot)

    app = make_app(history=history_with_entries(tmp_path))
    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_wide_200x50(snap_compare: Any, make_app: MakeApp, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        fixed_timestamp(pilot)
        await settle(pilot)

    app = make_app(history=history_with_entries(tmp_path))
    assert snap_compare(app, terminal_size=(200, 50), run_before=run_before)


def test_narrow_80x24(snap_compare: Any, make_app: MakeApp) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        fixed_timestamp(pilot)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_entry_detail(snap_compare: Any, make_app: MakeApp, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        fixed_timestamp(pilot)
        await pilot.press("f4", "enter")
        await settle(pilot)

    app = make_app(history=history_with_entries(tmp_path))
    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)
