"""The app's send / load keys belong to the main screen: a pushed screen gets them for itself."""

from __future__ import annotations

from textual.widgets import Input

from tui.sandbox import Sandbox
from tui.ui.screens.user_profile import UserProfileScreen
from tui.ui.widgets.help import HelpScreen

from .conftest import MakeApp
from .helpers import entries, wait_until


async def test_send_keys_do_nothing_under_the_help_screen(
    make_app: MakeApp, sandbox: Sandbox
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        for key in ("f5", "ctrl+r", "f6", "ctrl+l"):
            await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)  # no file dialog pushed over it by ctrl+l
        assert entries(app) == []
        await pilot.press("escape")
        await pilot.pause()
        assert app.check_action("send", ()) is True  # the main screen is back on top
    assert sandbox.accepted() == []


async def test_f5_on_a_pushed_screen_runs_that_screens_action(
    make_app: MakeApp, sandbox: Sandbox
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.action_open_screen("user_profile")
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, UserProfileScreen)
                and bool(app.screen.query("#profile-user_id"))
            ),
        )
        screen = app.screen
        screen.query_one("#profile-user_id", Input).value = "wedbg-test-keys"
        await pilot.pause()
        footer_keys = {b.binding.key for b in app.active_bindings.values() if b.binding.show}
        assert "f5" in footer_keys and "ctrl+g" not in footer_keys and "ctrl+s" not in footer_keys
        await pilot.press("f5")
        await wait_until(pilot, lambda: len(sandbox.accepted()) == 1)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(sandbox.accepted()) == 2)
    assert [a["endpoint"] for a in sandbox.accepted()] == ["users", "users"]  # never the composer's
