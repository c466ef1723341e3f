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
