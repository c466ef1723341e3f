"""The Live tab with a real listener and a real relay in the app (Pilot): rows newest first, the
counters, Enter (mapping view), `e` (composer), `f` (forwarding), presentation mode, the buffer
bound, `--listen` at start-up. The sandbox's demo account: forwarding is on by default."""

from __future__ import annotations

import uuid

import httpx
from textual.pilot import Pilot
from textual.widgets import Input, Select, Tabs

from tui.live.received import Received
from tui.mapping.preview import preview_event
from tui.masking import MASK
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Sandbox
from tui.ui import live_control
from tui.ui.app import WebEngageDebuggerApp
from tui.ui.screens.mapping import MappingScreen
from tui.ui.widgets.live import ROWS_MAX, LiveTable, LiveView
from tui.webengage.outcomes import Outcome
from tui.webengage.request import Connection

from .conftest import MakeApp
from .helpers import entries, screen_text, wait_until

WRITE_KEY = "wk-live-0123456789abcdefLIVE"
REDACTED = f"{MASK}{DEMO_API_KEY[-4:]}"
BATCH = {
    "batch": [
        {"type": "track", "event": "Order Completed", "userId": "u1", "properties": {"revenue": 3}},
        {"type": "track", "event": "Signed Up", "userId": "u2", "properties": {"we_plan": "x"}},
        {"type": "page", "anonymousId": "anon-7", "name": "Home"},
    ],
    "writeKey": WRITE_KEY,
}


def _running(app: WebEngageDebuggerApp, *servers: str) -> bool:
    view = live_control.live_view(app)
    return view is not None and all(getattr(view, server) is not None for server in servers)


def _view(app: WebEngageDebuggerApp) -> LiveView:
    view = live_control.live_view(app)
    assert view is not None
    return view


async def listening(app: WebEngageDebuggerApp, pilot: Pilot[None]) -> LiveView:
    live_control.start_listener(app, 0)
    await wait_until(pilot, lambda: _running(app, "listener"))
    return _view(app)


def _settled(view: LiveView, received: int) -> bool:
    table = view.table
    rows = [table.row_at(i) for i in range(len(table.order))]
    return view.counters.received == received and all(r and r.state != "pending" for r in rows)


async def test_rows_newest_first_and_the_counters(make_app: MakeApp, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        view = await listening(app, pilot)
        url = view.listener.url if view.listener else ""
        async with httpx.AsyncClient() as client:
            assert (await client.post(f"{url}/v1/batch", json=BATCH)).status_code == 200
            later = {"event": "Logged In", "userId": "u3"}
            assert (await client.post(f"{url}/v1/track", json=later)).status_code == 200
        await wait_until(pilot, lambda: _settled(view, 4))
        table = view.table
        names = [row.signal for i in range(4) if (row := table.row_at(i)) is not None]
        assert names == ["Logged In", "page", "Signed Up", "Order Completed"]
        counters = view.counters
        assert (counters.received, counters.with_errors, counters.forwarded) == (4, 1, 3)
        assert counters.failed == 0
        assert app.main.query_one("#nav", Tabs).active == "live"
        shown = screen_text(app)
        assert "received 4" in shown and "forwarded 3" in shown
        assert "Logged In → Logged In" in shown and "accepted 200" in shown
        # the forwarded ones are deliveries like any other: in the delivery log as they end
        await wait_until(pilot, lambda: len(entries(app)) == 3)
        logged = entries(app)
        assert [e.event_name for e in logged][-1] == "Logged In"
        assert all(e.outcome is Outcome.ACCEPTED for e in logged)
        assert "not sent: 1 error" in shown
        assert WRITE_KEY not in shown
    assert {a["body"]["eventName"] for a in sandbox.accepted()} == {
        "Order Completed",
        "Page Viewed",
        "Logged In",
    }


async def test_enter_opens_the_mapping_view_and_e_the_composer(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        view = await listening(app, pilot)
        url = view.listener.url if view.listener else ""
        async with httpx.AsyncClient() as client:
            await client.post(f"{url}/v1/batch", json=BATCH)
        await wait_until(pilot, lambda: _settled(view, 3))
        view.table.focus()
        await pilot.press("down", "down")  # the oldest: Order Completed
        row = view.table.current
        assert row is not None and row.signal == "Order Completed"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MappingScreen))
        mapping = app.screen
        assert isinstance(mapping, MappingScreen)
        assert isinstance(row.payload, Received) and mapping.preview is row.payload.preview
        assert "Order Completed → Order Completed" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, MappingScreen))
        view.table.focus()
        await pilot.press("e")
        composer = app.composer
        await wait_until(pilot, lambda: composer.query_one("#user-id", Input).value == "u1")
        assert composer.query_one("#event-name", Select).value == "Order Completed"
        assert '"revenue": 3' in composer.query_one("#properties").text  # type: ignore[attr-defined]
        assert app.main.has_class("-tab-event")


async def test_f_turns_forwarding_off_and_on(make_app: MakeApp, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        view = await listening(app, pilot)
        assert view.forwarding  # the sandbox: on by default
        view.table.focus()
        await pilot.press("f")
        await wait_until(pilot, lambda: "preview only" in screen_text(app))
        url = view.listener.url if view.listener else ""
        async with httpx.AsyncClient() as client:
            await client.post(f"{url}/v1/track", json={"event": "Logged In", "userId": "u1"})
        await wait_until(pilot, lambda: _settled(view, 1))
        first = view.table.current
        assert first is not None and first.outcome == "preview"
        assert sandbox.accepted() == []


async def test_presentation_mode_shows_live_without_credentials(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        view = await listening(app, pilot)
        url = view.listener.url if view.listener else ""
        async with httpx.AsyncClient() as client:
            await client.post(f"{url}/v1/batch", json=BATCH)
        await wait_until(pilot, lambda: _settled(view, 3))
        before = screen_text(app)
        assert DEMO_LICENSE_CODE in before  # the Live tab says where it forwards
        app.action_open_screen("presentation")
        await wait_until(pilot, lambda: DEMO_LICENSE_CODE not in screen_text(app))
        shown = screen_text(app)
        assert "listening" in shown and "received 3" in shown
        assert REDACTED not in shown and DEMO_API_KEY[-4:] not in shown


async def test_the_buffer_keeps_the_newest_rows(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        live_control.show_live(app)
        await wait_until(pilot, lambda: bool(app.main.query(LiveTable)))  # (mounted, empty)
        view = _view(app)
        total = ROWS_MAX + 500
        for n in range(total):
            raw = {"type": "track", "event": f"Event {n}", "userId": "u"}
            preview = preview_event(raw, Connection())
            view.feed.append(
                Received(uuid.uuid4().hex, "/v1/batch", raw, preview, tuple(preview.findings))
            )
        await wait_until(pilot, lambda: view.counters.received == total)
        table = view.table
        assert len(table.order) == len(table.rows) == ROWS_MAX
        newest, oldest = table.row_at(0), table.row_at(ROWS_MAX - 1)
        assert newest is not None and newest.signal == f"Event {total - 1}"
        assert oldest is not None and oldest.signal == f"Event {total - ROWS_MAX}"
        assert f"newest {ROWS_MAX:,} shown" in screen_text(app)


async def test_refused_requests_are_counted(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        view = await listening(app, pilot)
        url = view.listener.url if view.listener else ""
        async with httpx.AsyncClient() as client:
            bad = await client.post(
                f"{url}/v1/batch", content=b"{", headers={"Origin": "http://x.test"}
            )
        assert bad.status_code == 403
        await wait_until(pilot, lambda: view.counters.refused == 1)
        assert "last refused: POST /v1/batch refused 403" in screen_text(app)


async def test_the_relay_in_the_tui(make_app: MakeApp, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        live_control.start_relay(app, 0)
        await wait_until(pilot, lambda: _running(app, "relay"))
        view = _view(app)
        relay = view.relay
        assert relay is not None
        body = {"userId": "u1", "eventName": "Order Completed", "eventData": {"amount": 3}}
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{relay.url}/v1/accounts/{DEMO_LICENSE_CODE}/events",
                json=body,
                headers={"Authorization": f"Bearer {DEMO_API_KEY}"},
            )
        assert response.status_code == 200
        await wait_until(pilot, lambda: view.counters.forwarded == 1)
        row = view.table.current
        assert row is not None and row.source == "relay" and row.outcome == "accepted 200"
        assert "relay" in screen_text(app) and "/events → Order Completed" in screen_text(app)
        await wait_until(pilot, lambda: len(entries(app)) == 1)  # in the delivery log too
        assert entries(app)[0].request.body == body
        view.table.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MappingScreen))
    assert [a["body"] for a in sandbox.accepted()] == [body]


async def test_listen_flag_starts_the_listener_after_the_first_paint(make_app: MakeApp) -> None:
    app = make_app()
    app.live_start = (0, 0)  # what `--listen 0 --relay 0` sets (tui/cli/tui.py)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: _running(app, "listener", "relay"))
        assert app.main.has_class("-tab-live")
        # the tab's text is updated with the servers; it is on screen after the next refresh
        await wait_until(
            pilot, lambda: "● listening" in (shown := screen_text(app)) and "● relay" in shown
        )
