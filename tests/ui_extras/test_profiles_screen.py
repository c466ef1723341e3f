"""Profiles in the TUI: saving one keeps the sandbox route; the Profiles screen lists, loads,
renames, makes default and deletes them (the key always masked)."""

from __future__ import annotations

import stat

import pytest
from pydantic import SecretStr
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from tests.ui.conftest import FAST_RETRY, NOW
from tests.ui.helpers import screen_text, send_and_wait, wait_until
from tui.sandbox import Sandbox
from tui.store.profiles import (
    Profile,
    default_profile_name,
    load_profiles,
    save_profile,
)
from tui.store.settings import AppSettings
from tui.ui.app import WebEngageDebuggerApp, create_app
from tui.ui.palette import available_extras
from tui.ui.screens.profiles import ProfilesScreen
from tui.ui.widgets.credentials import CredentialsPanel

WIDE = (200, 50)


@pytest.fixture
def routed_app(sandbox: Sandbox) -> WebEngageDebuggerApp:
    """The app on the sandbox's demo account, routed to it (as tests/ui/conftest.py's make_app)."""
    app = create_app(AppSettings(), sandbox=sandbox)
    app.service.retry = FAST_RETRY
    app.clock = lambda: NOW
    return app


async def test_saving_a_profile_keeps_the_sandbox_route(
    routed_app: WebEngageDebuggerApp, sandbox: Sandbox
) -> None:
    app = routed_app
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert app.connection.route_to == sandbox.url
        app.main.query_one("#profile-name", Input).value = "demo"
        await pilot.pause()
        await pilot.click("#save-profile")
        await pilot.pause()
        await pilot.pause()
        assert app.connection.route_to == sandbox.url
        entry = await send_and_wait(app, pilot)
    [accepted] = sandbox.accepted()
    assert entry.route == sandbox.url
    assert accepted["body"]


KEY = "we-secret-key-0123456789abcdef"


def _seed(settings: AppSettings) -> None:
    """Two profiles: `prod` (India, key stored; the default, saved first) and `staging`."""
    prod = Profile(name="prod", data_centre="in", license_code="in~abc", api_key=SecretStr(KEY))
    save_profile(settings, prod, store_key=True)
    save_profile(settings, Profile(name="staging", license_code="sbx~demo"), store_key=False)


def _rows(screen: ProfilesScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def _open(app: WebEngageDebuggerApp, pilot: Pilot[None]) -> ProfilesScreen:
    await app.run_action("open_screen('profiles')")
    await wait_until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
    await pilot.pause()
    assert isinstance(app.screen, ProfilesScreen)
    return app.screen


def test_the_palette_offers_profiles() -> None:
    assert "open_screen('profiles')" in {
        c.action for c in available_extras() if c.title == "Profiles…"
    }


async def test_profiles_screen_lists_defaults_renames_and_deletes(
    routed_app: WebEngageDebuggerApp,
) -> None:
    settings = AppSettings()
    _seed(settings)
    app = routed_app
    async with app.run_test(size=WIDE) as pilot:
        screen = await _open(app, pilot)
        assert _rows(screen) == [
            ["★", "prod", "api.in.webengage.com", "in~abc", "stored ••••••••cdef"],
            ["", "staging", "api.webengage.com", "sbx~demo", "not stored"],
        ]
        assert KEY not in screen_text(app)

        await pilot.press("down", "d")  # staging becomes the default
        assert default_profile_name(settings) == "staging"
        assert _rows(screen)[1][0] == "★"

        await pilot.press("up", "r")  # rename prod: the letters typed are the name, not keys
        field = screen.query_one("#profiles-rename", Input)
        assert field.has_focus and field.value == "prod"
        field.value = ""
        await pilot.press(*"live-dr", "enter")
        await pilot.pause()
        profiles = load_profiles(settings)
        assert sorted(profiles) == ["live-dr", "staging"]
        moved = profiles["live-dr"].api_key
        assert moved is not None and moved.get_secret_value() == KEY
        assert "prod" not in settings.credentials_path.read_text()
        assert stat.S_IMODE(settings.credentials_path.stat().st_mode) == 0o600
        assert screen.renamed == {"prod": "live-dr"}

        await pilot.press("x")  # the first Delete only asks...
        assert "again to confirm" in str(screen.query_one("#profiles-message", Static).content)
        await pilot.press("escape")  # ...Escape keeps it...
        assert app.screen is screen and "live-dr" in load_profiles(settings)
        await pilot.press("x", "x")  # ...and a second Delete deletes it, with its key
        await pilot.pause()
        assert sorted(load_profiles(settings)) == ["staging"]
        assert "api_key" not in settings.credentials_path.read_text()
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.main)
        options = app.main.query_one("#profile", Select)
        assert [value for _, value in options._options if isinstance(value, str)] == ["staging"]


async def test_loading_a_profile_fills_the_panel_and_keeps_the_route(
    routed_app: WebEngageDebuggerApp, sandbox: Sandbox
) -> None:
    settings = AppSettings()
    _seed(settings)
    app = routed_app
    async with app.run_test(size=WIDE) as pilot:
        await _open(app, pilot)
        await pilot.press("enter")  # loads the highlighted one (prod)
        await wait_until(pilot, lambda: app.screen is app.main)
        await pilot.pause()
        panel = app.main.query_one(CredentialsPanel)
        assert panel.query_one("#license-code", Input).value == "in~abc"
        assert panel.query_one("#data-centre", Select).value == "in"
        assert panel.query_one("#api-key", Input).password  # loaded masked
        assert panel.query_one("#profile", Select).value == "prod"
        assert app.connection.license_code == "in~abc"
        assert app.connection.route_to == sandbox.url


async def test_profiles_stay_shut_in_presentation_mode(routed_app: WebEngageDebuggerApp) -> None:
    _seed(AppSettings())
    app = routed_app
    async with app.run_test(size=WIDE) as pilot:
        await app.run_action("open_screen('presentation')")
        await pilot.pause()
        await app.run_action("open_screen('profiles')")
        await pilot.pause()
        assert not isinstance(app.screen, ProfilesScreen)
        assert "in~abc" not in screen_text(app)


async def test_no_profiles_says_how_to_save_one(routed_app: WebEngageDebuggerApp) -> None:
    app = routed_app
    async with app.run_test(size=WIDE) as pilot:
        screen = await _open(app, pilot)
        assert _rows(screen) == []
        assert "No profiles saved yet" in str(screen.query_one("#profiles-message", Static).content)
        await pilot.press("d", "r", "x", "l")  # nothing to act on: nothing happens
        assert app.screen is screen
