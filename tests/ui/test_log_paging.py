"""The whole history by scrolling: the log is a window over SQLite; reaching its top loads older
entries, ctrl+home shows the oldest, ctrl+end the newest, and a delivery that arrives while the
window is scrolled back is counted, not lost."""

from __future__ import annotations

from tests.ui.test_log_filter import COUNT, log_of, seeded_history
from tui.ui.widgets.log_pages import PAGE

from .conftest import MakeApp
from .helpers import entries, wait_until


async def test_paging_through_the_whole_history(make_app: MakeApp) -> None:
    made = seeded_history()  # 450 entries: more than two pages
    oldest, newest = made[0], made[-1]
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        app.action_goto("log")
        log = log_of(app)
        await wait_until(pilot, lambda: log.table.row_count == PAGE)
        assert log.current_id == newest.id and oldest.id not in log.entries
        assert log.window.total == COUNT
        assert "rows 251–450 of 450" in str(log.border_subtitle)
        log.table.focus()
        log.table.move_cursor(row=0)
        await pilot.pause()
        await pilot.press("up")  # past the top of the window: older entries are paged in
        await wait_until(pilot, lambda: log.window.offset > 0)
        await pilot.pause()
        assert log.current_id == made[COUNT - PAGE].id  # the cursor stayed on its entry
        assert log.table.get_row_index(made[COUNT - PAGE].id) > 0  # with older ones above it
        await pilot.press("ctrl+home")
        await wait_until(pilot, lambda: log.current_id == oldest.id)
        assert "rows 1–200 of 450" in str(log.border_subtitle)
        await pilot.press("f5")  # a new delivery while scrolled back: counted, waits below
        await wait_until(pilot, lambda: "1 newer: ctrl+end" in str(log.border_subtitle))
        await wait_until(pilot, lambda: not app.workers._workers)
        await pilot.press("ctrl+end")
        await wait_until(pilot, lambda: log.window.at_newest and log.window.newer == 0)
        await pilot.pause()
        shown = entries(app)
        assert shown[-1].id not in {e.id for e in made}  # the new delivery, at the bottom
        assert log.current_id == shown[-1].id


async def test_a_long_session_keeps_one_page_of_rows_and_pages_the_rest(make_app: MakeApp) -> None:
    """A replay or the listener adds thousands of rows in a session: the table keeps the newest
    page (the rest is in the history, a page load away), never a row the cursor is on or below,
    and never a delivery still in flight."""
    from tests.test_history import make_entry
    from tui.store.history import History
    from tui.store.settings import AppSettings
    from tui.webengage.outcomes import Outcome

    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        app.action_goto("log")
        log = log_of(app)
        in_flight = make_entry(0)  # started, never ended: its row must stay
        log.upsert(in_flight)
        made = [make_entry(n, outcome=Outcome.ACCEPTED, status=200) for n in range(1, 700)]
        with History.open(AppSettings().history_path) as history:
            history.write_many([in_flight, *made])  # as the recorder writes each delivery
        for entry in made[:200]:
            log.upsert(entry)
        log.table.move_cursor(row=log.table.get_row_index(made[10].id))
        for entry in made[200:]:
            log.upsert(entry)
        await pilot.pause()
        assert in_flight.id in log.entries  # the oldest row, in flight: nothing above it goes
        assert log.table.row_count == 700
        log.upsert(in_flight.model_copy(update={"outcome": Outcome.ACCEPTED}))
        log.table.move_cursor(row=log.table.row_count - 1)  # back at the newest
        log.upsert(extra := make_entry(700, outcome=Outcome.ACCEPTED, status=200))
        await pilot.pause()
        assert log.table.row_count == PAGE and log.current_id == made[-1].id  # it stayed put
        assert set(log.entries) == {e.id for e in [*made, extra][-PAGE:]}
        assert log.window.size == PAGE and log.window.total == 701
        assert "rows 502–701 of 701" in str(log.border_subtitle)
        log.table.focus()
        await pilot.press("ctrl+home")  # the trimmed rows are in the history
        await wait_until(pilot, lambda: log.current_id == in_flight.id)


async def test_a_page_load_keeps_the_rows_it_shares_and_lays_out_little(make_app: MakeApp) -> None:
    """A history page moves the window by half a page: the entries on both keep their drawn
    cells, and the screen is laid out at most twice (the hint's height, the scroll), not the
    four passes a cleared table and a Static hint cost (PRODUCT.md §8: a page under 50 ms)."""
    from tests.ui.test_hint_view import count_layouts

    seeded_history()
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        app.action_goto("log")
        log = log_of(app)
        await wait_until(pilot, lambda: log.table.row_count == PAGE)
        log.table.focus()
        log.table.move_cursor(row=0)
        await pilot.pause()
        kept = log.table.ordered_keys[:50]
        cells = {key: log.table.rows[key] for key in kept}
        passes = count_layouts(app.screen)
        await pilot.press("up")
        await wait_until(pilot, lambda: log.window.offset > 0)
        for _ in range(3):
            await pilot.pause()
        assert passes[0] <= 2, passes
        assert all(log.table.rows[key] is cells[key] for key in kept)
        assert log.table.row_count == PAGE
