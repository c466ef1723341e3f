"""The start-up shortcuts (tests/benchmarks/bench_first_paint.py) must not change what is shown.

The main screen is created with its layout classes and skips Textual's whole-tree restyle on its
first showing: that is only right while every widget's style at start equals what a full restyle
computes. Checked at the three layouts' widths, with and without the first-run sandbox offer.
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest
from textual.dom import DOMNode
from textual.widgets import Input

from tests.ui.helpers import wait_until
from tui.store.settings import AppSettings
from tui.ui.app import WebEngageDebuggerApp, create_app
from tui.ui.startup import pause_gc, resume_gc
from tui.ui.widgets.credentials import CredentialsPanel
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.ui.widgets.log_filter import LogFilter
from tui.webengage.request import Connection


def deferring_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WebEngageDebuggerApp:
    """The app as `webengage-debugger` starts it: what the first screen hides waits for its paint."""
    monkeypatch.setenv("WEBENGAGE_DEBUGGER_HOME", str(tmp_path))
    app = create_app(AppSettings(), connection=Connection(license_code="va1w264d"))
    app.defer_hidden_panels = True
    return app


def styles(root: DOMNode) -> dict[int, tuple[str, str]]:
    return {id(node): (repr(node), node.styles.css) for node in root.walk_children(with_self=True)}


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (200, 50)])
@pytest.mark.parametrize("first_run", [False, True])
async def test_start_styles_equal_a_full_restyle(
    size: tuple[int, int], first_run: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WEBENGAGE_DEBUGGER_HOME", str(tmp_path))
    connection = None if first_run else Connection(license_code="va1w264d")
    app = create_app(AppSettings(), connection=connection)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        main = app.screen_stack[0]
        assert {f"-{app.mode}", "-tab-event"} <= set(main.classes)
        at_start = styles(main)
        main.update_node_styles(animate=False)
        await pilot.pause()
        changed = [
            name
            for key, (name, css) in styles(main).items()
            if at_start.get(key, (name, css))[1] != css
        ]
        assert changed == []


async def test_garbage_collection_resumes_after_the_first_paint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`webengage-debugger` pauses the collector for the start; the painted app turns it back on."""
    monkeypatch.setenv("WEBENGAGE_DEBUGGER_HOME", str(tmp_path))
    pause_gc()
    try:
        assert not gc.isenabled()
        app = create_app(AppSettings(), connection=Connection(license_code="va1w264d"))
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, gc.isenabled)
            assert gc.get_freeze_count() > 0
    finally:
        resume_gc()
        gc.unfreeze()
        gc.enable()


async def test_a_deferred_credentials_panel_is_mounted_in_place_and_keys_wait_for_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`webengage-debugger` defers the hidden credentials panel; keys pressed before it is there
    do nothing harmful, and it then sits where it always does, with the app's connection."""
    app = deferring_app(monkeypatch, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.credentials_panel() is None  # not yet: mounted after the first paint
        await app.run_action("send")
        for key in ("f8", "f7", "f2", "f3"):
            await app.run_action(app.active_bindings[key].binding.action)
        await wait_until(pilot, lambda: app.credentials_panel() is not None)
        left = app.query_one("#left-col")
        assert [child.id for child in left.children] == ["credentials-panel", "composer-panel"]
        panel = app.credentials_panel()
        assert panel is not None and panel.connection.license_code == "va1w264d"


async def test_nothing_is_deferred_when_the_first_screen_shows_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """From 150 columns the first screen shows the credentials panel and the log's filter row."""
    app = deferring_app(monkeypatch, tmp_path)
    async with app.run_test(size=(200, 50)):
        assert app.credentials_panel() is not None
        assert app.query_one(DeliveryLog).query(LogFilter)


async def test_a_deferred_credentials_panel_under_the_first_run_offer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """First run: the sandbox offer covers the main screen while the deferred panel mounts."""
    monkeypatch.setenv("WEBENGAGE_DEBUGGER_HOME", str(tmp_path))
    app = create_app(AppSettings())
    app.defer_hidden_panels = True
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen_stack[0].query(CredentialsPanel)))
        await pilot.pause()
        assert len(app.screen_stack) == 2  # the offer is still up, nothing crashed


async def test_quitting_before_the_deferred_panel_is_mounted_is_quiet(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = deferring_app(monkeypatch, tmp_path)
    async with app.run_test(size=(120, 36)):
        app.exit()
    assert app.return_code == 0


async def test_a_deferred_log_filter_is_mounted_in_place_and_then_filters(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Below 150 columns the first screen hides the log's filter row: `webengage-debugger` mounts
    it just after the first paint, in its place, and "/" before then does nothing harmful."""
    app = deferring_app(monkeypatch, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        log = app.query_one(DeliveryLog)
        assert not log.query(LogFilter)  # not yet: mounted after the first paint
        log.action_filter()
        ids = ["rate-gauge", "log-filter", "log-body"]
        await wait_until(pilot, lambda: [child.id for child in log.children] == ids)
        await wait_until(pilot, lambda: log.query_one(LogFilter).is_mounted)
        app.action_filter_log()
        await pilot.pause()
        assert app.focused is app.query_one("#log-search", Input)
        app.query_one("#log-status", Input).value = "5x"
        await wait_until(pilot, lambda: "status" in str(log.query_one("#log-count").render()))


async def test_quitting_while_deferred_widgets_mount_is_quiet(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Quitting in the ~100 ms after the first paint, while the deferred credentials panel and
    filter row are mounting, used to crash: their Selects found their own children gone."""
    for delay in (0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12):
        app = deferring_app(monkeypatch, tmp_path)
        async with app.run_test(size=(120, 36)):
            await asyncio.sleep(delay)
            await app.action_quit()
        assert app.return_code == 0, delay


async def test_the_first_frame_shows_the_log_s_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The first frame written to the terminal is the whole first screen, the log's hint pane
    included (it wraps its text as it is first drawn, not when its Resize event comes later):
    the first-paint benchmark waits for that text."""
    from tests.ui.test_keystroke import SIZE, FrameRecorder, Terminal

    app = deferring_app(monkeypatch, tmp_path)
    app.driver_class = FrameRecorder
    FrameRecorder.written.clear()
    async with app.run_test(size=SIZE, headless=False) as pilot:
        await wait_until(pilot, lambda: any("Request preview" in d for d in FrameRecorder.written))
        first = next(data for data in FrameRecorder.written if "Request preview" in data)
        terminal = Terminal()
        terminal.feed(first)
        screen = "\n".join("".join(row) for row in terminal.cells)
        assert "Nothing sent yet" in screen
    FrameRecorder.written.clear()
