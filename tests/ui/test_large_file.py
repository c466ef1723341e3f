"""A 100,000-event NDJSON file in the composer: read in a thread into an index (never held), the
picker opens on its first page and pages to the end, and the app answers keys all along."""

from __future__ import annotations

import json
import time
from pathlib import Path

from textual.widgets import Input, OptionList

from tui.ui.widgets.pickers import PAGE, EventPickerScreen

from .conftest import MakeApp
from .helpers import set_input, wait_until

COUNT = 100_000


def _big_file(path: Path) -> Path:
    with path.open("w") as out:
        for i in range(COUNT):
            event = {"event": "Product Viewed", "user_id": f"u{i + 1}", "properties": {"n": i}}
            out.write(json.dumps(event) + "\n")
    return path


async def test_a_100000_event_file_is_paged_and_the_app_stays_responsive(
    make_app: MakeApp, tmp_path: Path
) -> None:
    path = _big_file(tmp_path / "big.ndjson")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        set_input(app, "#file-path", str(path))
        started = time.perf_counter()
        app.main.composer.load_file()
        slowest = 0.0
        while not isinstance(app.screen, EventPickerScreen):  # the index is built in a thread
            assert time.perf_counter() - started < 60, "the file never loaded"
            tick = time.perf_counter()
            await pilot.pause(0.05)
            slowest = max(slowest, time.perf_counter() - tick - 0.05)
        opened = time.perf_counter() - started
        picker = app.screen
        await pilot.pause()
        options = picker.query_one(OptionList)
        assert options.option_count == PAGE  # a page, not 100,000 widgets' worth
        assert picker.query_one("#picker-box").border_title == f"{COUNT:,} events in big.ndjson"
        tick = time.perf_counter()
        await pilot.press("ctrl+end")
        await wait_until(pilot, lambda: options.get_option_at_index(0).id == str(COUNT - PAGE))
        to_the_end = time.perf_counter() - tick
        last = options.get_option_at_index(options.option_count - 1)
        assert str(last.prompt) == f"{COUNT}. Product Viewed · u{COUNT}"
        await pilot.press("left")
        await wait_until(pilot, lambda: options.get_option_at_index(0).id == str(COUNT - 2 * PAGE))
        picker.query_one("#event-jump", Input).value = "54,321"
        await pilot.press("tab")
        await pilot.press("enter")  # in the jump field: that event's page, highlighted
        await wait_until(pilot, lambda: options.highlighted_option is not None)
        await wait_until(pilot, lambda: options.highlighted_option.id == "54320")  # type: ignore[union-attr]
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, EventPickerScreen))
        await wait_until(pilot, lambda: app.query_one("#user-id", Input).value == "u54321")
        assert app.composer.source == "big.ndjson #54321"
    print(
        f"opened in {opened:.2f} s, slowest frame gap {slowest * 1000:.0f} ms, end {to_the_end:.3f} s"
    )
    assert slowest < 1.0  # the UI thread never waited on the file (a loaded CI: generous)
    assert to_the_end < 5.0
