"""Presentation mode on the extra screens: no license code, no key (not even redacted) on screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen

from tests.conftest import demo_connection
from tui.delivery.service import DeliveryService
from tui.mapping.blueprint import default_blueprint
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Sandbox
from tui.ui.screens.blueprint_picker import BlueprintPickerScreen
from tui.ui.screens.diagnose import DiagnoseScreen
from tui.ui.screens.journeys import JourneysScreen
from tui.ui.screens.replay import ReplayScreen
from tui.ui.screens.user_profile import UserProfileScreen
from tui.ui.themes import set_presentation
from tui.webengage.request import Connection

from .conftest import Host, keep_screenshot, wait_until

ROOT = Path(__file__).resolve().parents[2]
ClientFactory = DeliveryService
SECRETS = (DEMO_LICENSE_CODE, DEMO_API_KEY[-4:], "••••", DEMO_API_KEY[:12])


def assert_no_credentials(shown: str) -> None:
    for secret in SECRETS:
        assert secret not in shown, f"{secret!r} is on screen in presentation mode"


ScreenMaker = Callable[[Connection, ClientFactory], Screen[Any]]
MAKERS: dict[str, ScreenMaker] = {
    "user_profile": lambda c, f: UserProfileScreen(c, default_blueprint(), f),
    "journeys": lambda c, f: JourneysScreen(c, default_blueprint(), f),
    "replay": lambda c, f: ReplayScreen(
        c, default_blueprint(), f, path=ROOT / "fixtures" / "several.ndjson"
    ),
    "blueprint_picker": lambda c, f: BlueprintPickerScreen(default_blueprint()),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
async def test_presentation_hides_credentials(
    name: str, sandbox_connection: Connection, make_client: ClientFactory
) -> None:
    app = Host(lambda: MAKERS[name](sandbox_connection, make_client))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        if name == "user_profile":  # its request line names the license code, normally
            assert DEMO_LICENSE_CODE in app.export_screenshot()
        set_presentation(app, True)
        await pilot.pause()
        assert_no_credentials(app.export_screenshot())
        keep_screenshot(app, f"presentation-{name}")


async def test_presentation_hides_credentials_in_the_diagnosis(
    sandbox: Sandbox, sandbox_connection: Connection
) -> None:
    app = Host(lambda: DiagnoseScreen(sandbox_connection))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, DiagnoseScreen)
        await wait_until(pilot, lambda: screen.diagnosis is not None)
        await pilot.pause()
        assert DEMO_LICENSE_CODE in app.export_screenshot()  # shown normally...
        set_presentation(app, True)
        await pilot.pause()
        assert_no_credentials(app.export_screenshot())  # ...and hidden once presenting
        keep_screenshot(app, "presentation-diagnose")
        set_presentation(app, False)
        await pilot.pause()
        assert DEMO_LICENSE_CODE in app.export_screenshot()


async def test_presentation_hides_the_license_code_in_journey_hints(
    sandbox: Sandbox, make_client: ClientFactory
) -> None:
    wrong = demo_connection(sandbox, license_code="not~mine")
    app = Host(lambda: JourneysScreen(wrong, default_blueprint(), make_client))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, JourneysScreen)
        await pilot.press("f5")
        await wait_until(pilot, lambda: bool(screen.results))
        await pilot.pause()
        assert "not~mine" in app.export_screenshot()
        set_presentation(app, True)
        await pilot.pause()
        assert "not~mine" not in app.export_screenshot()
