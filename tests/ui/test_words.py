"""Hints in the TUI name TUI actions; the DNS hint does not claim a misspelling of WebEngage's own
host; /users is a profile, not an event; toasts leave the log's hint visible; the user-profile
screen starts in its first field."""

from __future__ import annotations

from textual.widgets import Input, Select
from textual.widgets._toast import Toast

from tui.ui.screens.user_profile import UserProfileScreen
from tui.webengage.api import DataCentre, Endpoint
from tui.webengage.outcomes import NetworkFailure, Outcome, hint_for

from .conftest import MakeApp
from .helpers import screen_text, send_and_wait, wait_until


def test_the_dns_hint_for_webengages_own_host_blames_the_network() -> None:
    own = hint_for(
        Outcome.NETWORK,
        host="api.webengage.com",
        license_code="x",
        network_failure=NetworkFailure.DNS,
    )
    assert "misspelt" not in own.fix and "not misspelt" in own.detail and "DNS" in own.detail
    custom = hint_for(
        Outcome.NETWORK,
        host="api.webengag.com",
        license_code="x",
        network_failure=NetworkFailure.DNS,
    )
    assert "spelling" in custom.fix


def test_users_accepted_speaks_of_a_profile() -> None:
    hint = hint_for(Outcome.ACCEPTED, host="h", license_code="x", endpoint=Endpoint.USERS)
    assert "profile update" in hint.title and "event" not in hint.title
    event = hint_for(Outcome.ACCEPTED, host="h", license_code="x", data_centre=DataCentre.GLOBAL)
    assert "event" in event.title


async def test_the_tui_hint_names_tui_actions(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        app.main.query_one("#data-centre", Select).value = "in"
        await pilot.pause()
        entry = await send_and_wait(app, pilot)
        assert entry.outcome is Outcome.AUTH
        app.action_goto("log")
        await pilot.pause()
        text = screen_text(app)
        assert "Diagnose (ctrl+p)" in text and "Data centre selector" in text
        assert "webengage-debugger diagnose" not in text
        assert entry.hint is not None and "webengage-debugger diagnose" in entry.hint.fix  # CLI
        app.main.query_one("#license-code", Input).value = ""
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        text = screen_text(app)
        assert "Missing the license code" in text and "WEBENGAGE_LICENSE_CODE" not in text


async def test_toasts_leave_the_hint_visible(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await send_and_wait(app, pilot)  # a toast says "Accepted"
        app.action_goto("log")
        await pilot.pause()
        hint = app.main.query_one("#log-hint")
        await wait_until(pilot, lambda: any(t.region.height for t in app.main.query(Toast)))
        for toast in app.main.query(Toast):
            assert not toast.region.overlaps(hint.region)


async def test_the_user_profile_screen_starts_in_its_first_field(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        app.action_open_screen("user_profile")
        await wait_until(pilot, lambda: isinstance(app.screen, UserProfileScreen))
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "profile-user_id"
