"""Presentation mode hides the credentials at every width: the Credentials tab, F8, the log's
hint pane and the toasts never show the license code or the key (80×24, 120×40, 200×50)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE
from tui.ui.themes import is_presentation

from .conftest import MakeApp
from .helpers import screen_text, send_and_wait, wait_until

SIZES = [(80, 24), (120, 40), (200, 50)]


def shows_credentials(text: str) -> bool:
    return DEMO_LICENSE_CODE in text or DEMO_API_KEY[-4:] in text or DEMO_API_KEY in text


@pytest.mark.parametrize("size", SIZES)
async def test_nothing_brings_the_credentials_back(
    make_app: MakeApp, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await send_and_wait(app, pilot)
        app.action_open_screen("presentation")
        await wait_until(pilot, lambda: is_presentation(app))
        await pilot.pause()
        for where in ("credentials", "event", "request", "log", "credentials"):
            app.action_goto(where)
            await pilot.pause()
            assert not shows_credentials(screen_text(app)), where
        await pilot.press("f8")  # reveal the key: refused, with the reason
        await pilot.press("f2")
        await pilot.pause()
        assert not shows_credentials(screen_text(app))
        assert any("Presentation mode" in n.message for n in app._notifications)
        field = app.main.query_one("#api-key")
        assert getattr(field, "password", True)
        # a wrong license code's hint names it: concealed in the log and in the toast
        app.main.query_one("#license-code").value = "wrong~code"  # type: ignore[attr-defined]
        await pilot.pause()
        await send_and_wait(app, pilot)
        app.action_goto("log")
        await pilot.pause()
        text = screen_text(app)
        assert "wrong~code" not in text and not shows_credentials(text)
        assert all("wrong~code" not in n.message for n in app._notifications)


@pytest.mark.parametrize("size", SIZES)
def test_presentation_snapshot(snap_compare: Any, make_app: MakeApp, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        pilot.app.query_one("#timestamp").value = "2026-06-06T23:59:00+05:30"  # type: ignore[attr-defined]
        pilot.app.action_open_screen("presentation")  # type: ignore[attr-defined]
        await pilot.pause()
        pilot.app.action_goto("credentials")  # type: ignore[attr-defined]
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
