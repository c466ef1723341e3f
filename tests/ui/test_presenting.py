"""Presentation mode on the main screen and the delivery detail: no license code, no key."""

from __future__ import annotations

import pytest

from tui.masking import MASK
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE
from tui.ui.widgets.entry_detail import EntryDetailScreen, entry_parts

from .conftest import MakeApp
from .helpers import screen_text, send_and_wait, wait_until

REDACTED = f"{MASK}{DEMO_API_KEY[-4:]}"


def shows_credentials(text: str) -> bool:
    return DEMO_LICENSE_CODE in text or REDACTED in text or DEMO_API_KEY[-4:] in text


@pytest.mark.parametrize("size", [(200, 50), (120, 36)])  # wide (top bar) and tabbed
async def test_presentation_conceals_the_request_preview(
    make_app: MakeApp, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        app.action_goto("request")
        await wait_until(pilot, lambda: app.preview is not None)
        await pilot.pause()
        before = screen_text(app)
        assert DEMO_LICENSE_CODE in before and REDACTED in before
        app.action_open_screen("presentation")
        await wait_until(pilot, lambda: not shows_credentials(screen_text(app)))
        assert "Authorization: Bearer ‹hidden›" in screen_text(app)
        app.action_open_screen("presentation")
        await wait_until(pilot, lambda: REDACTED in screen_text(app))
        assert DEMO_LICENSE_CODE in screen_text(app)


async def test_presentation_conceals_the_delivery_detail(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(160, 60)) as pilot:
        await send_and_wait(app, pilot)
        app.action_open_screen("presentation")
        app.action_open_entry()
        await wait_until(pilot, lambda: isinstance(app.screen, EntryDetailScreen))
        await pilot.pause()
        shown = screen_text(app)
        assert "accepted" in shown and not shows_credentials(shown)
        await pilot.press("escape")
        app.action_open_screen("presentation")
        app.action_open_entry()
        await wait_until(pilot, lambda: isinstance(app.screen, EntryDetailScreen))
        await pilot.pause()
        assert DEMO_LICENSE_CODE in screen_text(app)


async def test_detail_header_has_real_spaces(make_app: MakeApp) -> None:
    """An SVG-to-PNG converter drops a lone non-breaking space: "authstatus 401", "POSThttps"."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        entry = await send_and_wait(app, pilot)
    parts = [getattr(part, "plain", str(part)) for part in entry_parts(entry)]
    assert f" status {entry.status}" in parts[0]
    assert "\u00a0status" not in parts[0]
    assert f"POST {entry.request.url}" in parts
