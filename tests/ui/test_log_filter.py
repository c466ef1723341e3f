"""The delivery log's filter bar over a history bigger than a page, and edit-and-resend."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from textual.widgets import Input, Select, TextArea

from tests.test_history import make_entry
from tests.ui.conftest import MakeApp
from tests.ui.helpers import send_and_wait, wait_until
from tui.mapping.blueprint import default_blueprint
from tui.mapping.unmap import iso_timestamp, signal_event_from_entry
from tui.store.history import History
from tui.store.settings import AppSettings
from tui.ui.app import WebEngageDebuggerApp
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.ui.widgets.entry_detail import EntryDetailScreen
from tui.ui.widgets.log_pages import PAGE
from tui.webengage.entry import LogEntry
from tui.webengage.outcomes import Outcome

START = datetime(2026, 6, 1, tzinfo=UTC)
COUNT = 450
"""More than a page (200): the oldest matches are only on disk."""


def seeded_history() -> list[LogEntry]:
    """Every 10th entry a 401 (auth), every 7th a 500 (server error), the rest accepted; entry
    n's order id is o-n, the first one's user is "needle-user"."""
    made = []
    for n in range(COUNT):
        outcome, status = Outcome.ACCEPTED, 200
        if n % 10 == 0:
            outcome, status = Outcome.AUTH, 401
        elif n % 7 == 0:
            outcome, status = Outcome.SERVER_ERROR, 500
        made.append(
            make_entry(
                n,
                event="Cart Viewed" if n % 2 else "Order Completed",
                outcome=outcome,
                status=status,
                user="needle-user" if n == 0 else "u-1",
                created_at=START + timedelta(seconds=n),
            )
        )
    with History.open(AppSettings().history_path) as history:
        history.write_many(made)
    return made


def log_of(app: WebEngageDebuggerApp) -> DeliveryLog:
    return app.query_one(DeliveryLog)


def count_text(app: WebEngageDebuggerApp) -> str:
    return str(app.query_one("#log-count").render())


async def test_filters_search_the_whole_history(make_app: MakeApp) -> None:
    made = seeded_history()
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        log = log_of(app)
        assert log.table.row_count == PAGE
        await pilot.press("f4", "slash")
        assert app.focused is app.query_one("#log-search")

        # text: the oldest entry, far beyond the loaded page
        await pilot.press(*"needle")
        await wait_until(pilot, lambda: list(log.entries) == [made[0].id])
        assert count_text(app) == f"1 of {COUNT:,}"

        # outcome, combined with a status class
        app.query_one("#log-search", Input).value = ""
        app.query_one("#log-outcome", Select).value = "auth"
        auth = [e.id for e in made if e.status == 401]
        await wait_until(pilot, lambda: set(log.entries) == set(auth))
        assert count_text(app) == f"{len(auth)} of {COUNT:,}"
        app.query_one("#log-status", Input).value = "5xx"
        await wait_until(pilot, lambda: log.table.row_count == 0)
        assert count_text(app).startswith("0 of")
        app.query_one("#log-outcome", Select).value = "__all__"
        server = [e.id for e in made if e.status == 500]
        await wait_until(pilot, lambda: set(log.entries) == set(server))
        app.query_one("#log-status", Input).value = "4x"
        await wait_until(pilot, lambda: "4xx" in count_text(app))  # says what it understands

        # event name, and all words must match
        app.query_one("#log-status", Input).value = ""
        app.query_one("#log-event", Input).value = "Cart Viewed"
        await wait_until(pilot, lambda: count_text(app) == f"225 of {COUNT:,} (newest 200 shown)")
        app.query_one("#log-search", Input).value = "o-449 u-1"
        await wait_until(pilot, lambda: list(log.entries) == [made[449].id])

        # cleared: the normal view again
        app.query_one("#log-filter").clear()  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: log.table.row_count == PAGE and count_text(app) == "")
        assert log.current_id == made[-1].id


async def test_a_new_delivery_appears_when_it_matches(make_app: MakeApp) -> None:
    seeded_history()
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        log = log_of(app)
        app.query_one("#log-outcome", Select).value = "accepted"
        app.query_one("#log-search", Input).value = "johndoe"  # the composer's user
        await wait_until(pilot, lambda: count_text(app).startswith("0 of"))
        entry = await send_and_wait(app, pilot)
        assert entry.outcome is Outcome.ACCEPTED
        assert list(log.entries) == [entry.id]

        app.query_one("#log-outcome", Select).value = "auth"
        await wait_until(pilot, lambda: count_text(app).startswith("0 of"))
        app.query_one("#license-code", Input).value = "not~mine"
        await pilot.press("f5")
        await wait_until(pilot, lambda: len(log._hidden) == 1 and log.table.row_count == 0)
        # it ends as not_found: never shown under "auth", and counted as a new one hidden
        await wait_until(pilot, lambda: not app.workers._workers)
        await pilot.pause()
        assert log.table.row_count == 0 and "1 new" in str(log.border_subtitle)


async def test_edit_and_resend_fills_the_composer(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one("#timestamp", Input).value = "2026-06-06T23:59:00+05:30"
        first = await send_and_wait(app, pilot)
        # change the composer, then bring the logged event back
        app.query_one("#user-id", Input).value = "someone-else"
        app.query_one("#properties", TextArea).load_text("{}")
        await pilot.press("f4", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, EntryDetailScreen))
        await pilot.press("e")
        await wait_until(pilot, lambda: app.query_one("#user-id", Input).value == "johndoe")
        assert app.composer.event_name == "Order Completed"
        properties = json.loads(app.query_one("#properties", TextArea).text)
        assert properties["order_id"] == "ORD-1337"
        assert app.query_one("#timestamp", Input).value == "2026-06-06T18:29:00+00:00"
        assert app.composer.source == f"edit of {first.id[:8]}"
        # sent again unchanged, the body is the same
        second = await send_and_wait(app, pilot)
        assert second.outcome is Outcome.ACCEPTED
        assert second.request.body == first.request.body
        # `e` in the log too: a custom event name comes back as a custom name
        app.query_one("#event-name", Select).value = "__custom__"
        app.query_one("#custom-event", Input).value = "Coupon Tried"
        third = await send_and_wait(app, pilot)
        app.query_one("#custom-event", Input).value = "x"
        await pilot.press("f4", "e")
        await wait_until(pilot, lambda: app.composer.event_name == "Coupon Tried")
        assert third.event_name == "Coupon Tried"


def test_unmapping_reverses_names_and_renames() -> None:
    blueprint = default_blueprint()
    entry = make_entry(3, event=blueprint.page_event_name)
    raw = signal_event_from_entry(entry, blueprint)
    assert raw["type"] == "page" and raw["user_id"] == "u-1"
    assert iso_timestamp("2026-06-06T18:29:00+0000") == "2026-06-06T18:29:00+00:00"
