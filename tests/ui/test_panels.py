"""Profiles, the rate-limit gauge, the screens opened from the app, windowed highlighting."""

from __future__ import annotations

import json
import stat

from textual.widgets import Checkbox, Input, Select, TextArea

from tests.ui.conftest import MakeApp
from tests.ui.helpers import send_and_wait, set_input, wait_until
from tui.sandbox import DEMO_API_KEY, Fault, FaultKind, Sandbox
from tui.store.profiles import load_profiles
from tui.store.settings import AppSettings
from tui.ui.palette import available_extras
from tui.ui.widgets.credentials import CredentialsPanel
from tui.ui.widgets.json_area import JsonArea


async def test_save_a_profile_without_then_with_the_key(make_app: MakeApp) -> None:
    settings = AppSettings()
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        set_input(app, "#profile-name", "demo")
        app.query_one(CredentialsPanel).save_profile()
        await pilot.pause()
        saved = load_profiles(settings)["demo"]
        assert saved.license_code == "sbx~demo" and saved.api_key is None
        app.query_one("#store-key", Checkbox).value = True
        app.query_one(CredentialsPanel).save_profile()
        await pilot.pause()
        assert load_profiles(settings)["demo"].api_key is not None
        mode = stat.S_IMODE(settings.credentials_path.stat().st_mode)
        assert mode == 0o600
        assert DEMO_API_KEY not in settings.profiles_path.read_text()


async def test_switching_profile_loads_its_credentials_masked(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        set_input(app, "#license-code", "other~code")
        app.query_one("#data-centre", Select).value = "in"
        set_input(app, "#profile-name", "india")
        app.query_one(CredentialsPanel).save_profile()
        await pilot.pause()
        app.query_one("#data-centre", Select).value = "global"
        set_input(app, "#license-code", "sbx~demo")
        set_input(app, "#profile-name", "global")
        app.query_one(CredentialsPanel).save_profile()
        await pilot.pause()
        await pilot.press("f8")  # reveal...
        app.query_one("#profile", Select).value = "india"
        await wait_until(pilot, lambda: app.query_one("#license-code", Input).value == "other~code")
        assert app.query_one("#data-centre", Select).value == "in"
        assert app.query_one("#api-key", Input).password  # ...a loaded profile starts masked


async def test_rate_limit_gauge_and_backoff_countdown(make_app: MakeApp, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind=FaultKind.RATE_LIMIT, retry_after_s=0.6))
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f5")
        gauge = app.query_one("#rate-gauge")
        await wait_until(pilot, lambda: "backing off" in str(gauge.render()))
        await wait_until(pilot, lambda: "left this minute" in str(gauge.render()))
        await wait_until(pilot, lambda: "backing off" not in str(gauge.render()))


async def test_screens_from_tui_extras_open_from_the_app(make_app: MakeApp) -> None:
    app = make_app()
    extras = [c for c in available_extras() if "presentation" not in c.action]
    async with app.run_test(size=(160, 48)) as pilot:
        base = app.screen
        for command in extras:
            await app.run_action(command.action)
            await wait_until(pilot, lambda: app.screen is not base, timeout=5)
            assert app.is_running, command.title
            # Let a screen that probes on opening (diagnose) finish before closing it.
            await wait_until(pilot, lambda: getattr(app.screen, "diagnosis", True) is not None)
            await pilot.pause()
            await pilot.press("escape")
            if app.screen is not base:
                app.pop_screen()
            await wait_until(pilot, lambda: app.screen is base)
        await pilot.press("f12")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "MappingScreen")


async def test_presentation_mode_hides_the_credentials(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        if not any("presentation" in c.action for c in available_extras()):
            return
        await app.run_action("open_screen('presentation')")
        await pilot.pause()
        assert app.query_one(CredentialsPanel).styles.display == "none"
        await app.run_action("open_screen('presentation')")
        await pilot.pause()
        assert app.query_one(CredentialsPanel).styles.display == "block"


async def test_windowed_highlighting_follows_the_scroll(make_app: MakeApp) -> None:
    app = make_app()
    big = {f"attr_{i:03d}": f"value {i}" for i in range(400)}
    async with app.run_test(size=(120, 36)) as pilot:
        area = app.query_one("#properties", TextArea)
        assert isinstance(area, JsonArea)
        area.load_text(json.dumps(big, indent=2))
        await pilot.pause()
        assert area._highlights and max(area._highlights) < 200
        area.scroll_end(animate=False)
        await pilot.pause()
        await pilot.pause()
        assert max(area._highlights) >= 399


async def test_a_delivery_is_accepted_after_a_retry_with_tiny_backoff(
    make_app: MakeApp, sandbox: Sandbox
) -> None:
    sandbox.inject(Fault(kind=FaultKind.SERVER_ERROR))
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        entry = await send_and_wait(app, pilot)
        assert len(entry.attempts) == 2


async def test_a_backoff_noted_before_the_gauge_knows_its_target_still_counts_down() -> None:
    """A 429 in the app's first moment (F5 at once) can reach the gauge before the screen tells it
    which connection it follows: the countdown shows once it does, and ends."""
    from datetime import UTC, datetime

    from textual.app import App, ComposeResult

    from tests.test_history import make_entry
    from tui.ui.widgets.rate_gauge import RateGauge
    from tui.webengage.entry import Attempt

    class GaugeApp(App[None]):
        def compose(self) -> ComposeResult:
            yield RateGauge()

    entry = make_entry(0)
    entry = entry.model_copy(
        update={"attempts": [Attempt(number=1, started_at=datetime.now(UTC), backoff_s=0.5)]}
    )
    async with GaugeApp().run_test() as pilot:
        gauge = pilot.app.query_one(RateGauge)
        gauge.note(entry)  # before use_target
        assert "backing off" not in str(gauge.render())
        gauge.use_target(entry.host, entry.license_code)
        assert "backing off" in str(gauge.render())
        await wait_until(pilot, lambda: "backing off" not in str(gauge.render()), timeout=3)
