"""The replay screen is a backfill: a bulk run cancelled part-way is offered for resuming, and
the resumed run sends the rest, each event exactly once."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from textual.widgets import Button, ProgressBar, Static

from tests.conftest import MakeSandbox, demo_connection
from tests.ui_extras.conftest import Host, delivery_service, wait_until
from tui.delivery.service import DeliveryService
from tui.mapping.blueprint import default_blueprint
from tui.store.history import History
from tui.store.recorder import Recorder
from tui.store.settings import AppSettings
from tui.ui.screens.replay import ReplayScreen
from tui.webengage.pacing import PaceLimits


def _status(screen: ReplayScreen) -> str:
    return str(screen.query_one("#replay-status", Static).content)


async def test_a_cancelled_bulk_replay_is_offered_and_resumed(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(bulk_rate_limit=10, window_s=1.0)
    path = tmp_path / "events.ndjson"
    events = [{"event": "Product Viewed", "user_id": f"u{i}"} for i in range(500)]
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    history = History(AppSettings().history_path)
    recorder = Recorder(history)
    service = DeliveryService(retry=delivery_service().retry, recorder=recorder)
    limits = PaceLimits(calls=10, window_s=1.0, margin_s=0.3)
    connection = demo_connection(sandbox)
    app = Host(
        lambda: ReplayScreen(
            connection, default_blueprint(), service, path=path, bulk_limits=limits
        )
    )
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: screen.loaded is not None)
        assert not screen.query_one("#replay-resume", Button).display
        await pilot.press("f5")
        await wait_until(pilot, lambda: len(app.finished) >= 1)
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.report is not None)
        first = screen.report
        assert first is not None and first.cancelled and 0 < first.sent_items < 500
        await wait_until(pilot, lambda: screen.query_one("#replay-resume", Button).display)
        screen._show_plan()
        assert "unfinished replay of this file" in _status(screen)
        screen.query_one("#replay-resume", Button).press()
        await wait_until(pilot, lambda: screen.report is not first and screen.report is not None)
        second = screen.report
        assert second is not None and second.ok and not second.cancelled
        assert second.rate_limited_attempts == 0
        bar = screen.query_one(ProgressBar)
        assert bar.total == 500 and bar.progress == 500
        assert not screen.query_one("#replay-resume", Button).display
    seen = Counter(e["userId"] for call in sandbox.accepted() for e in call["body"]["events"])
    assert seen == Counter({f"u{i}": 1 for i in range(500)})
    recorder.close()
    history.close()
