"""Screens closed while their work is still running: late results land harmlessly."""

from __future__ import annotations

from tui.sandbox import Fault, FaultKind, Sandbox
from tui.ui.screens.diagnose import DiagnoseScreen
from tui.ui.screens.journeys import JourneysScreen

from .conftest import MakeApp
from .helpers import entries, wait_until


async def test_diagnose_closed_while_probing(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(3):
            app.action_open_screen("diagnose")
            await wait_until(pilot, lambda: isinstance(app.screen, DiagnoseScreen))
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, DiagnoseScreen))
        await wait_until(pilot, lambda: not app.workers._workers)  # the probes have come back
        await pilot.pause()
        assert app.is_running and app._exception is None
        assert app.check_action("send", ()) is True


async def test_journey_closed_while_running(make_app: MakeApp, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.action_open_screen("journeys")
        await wait_until(pilot, lambda: isinstance(app.screen, JourneysScreen))
        screen = app.screen
        assert isinstance(screen, JourneysScreen)
        sandbox.inject(Fault(kind=FaultKind.LATENCY, delay_s=0.5, times=1))  # the first: in flight
        await pilot.press("f5")
        await wait_until(pilot, lambda: bool(screen.latest))  # a step is under way
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, JourneysScreen))
        # the run (the app's worker) goes on to its end; the closed screen hears nothing more
        await wait_until(pilot, lambda: not app.workers._workers)
        await pilot.pause()
        assert app.is_running and app._exception is None
        journey = screen.selected
        assert journey is not None
        assert len(entries(app)) == len(journey.steps)  # every step still reached the log
