"""A Connection that already routes to a sandbox keeps its route, with no `sandbox=` given."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.sandbox import Sandbox
from tui.store.settings import AppSettings
from tui.ui.app import create_app
from tui.ui.widgets.credentials import CredentialsPanel
from tui.webengage.outcomes import Outcome
from tui.webengage.request import Connection

from .conftest import FAST_RETRY, NOW
from .helpers import send_and_wait


async def test_route_to_is_kept_without_the_sandbox(
    sandbox: Sandbox, sandbox_connection: Connection
) -> None:
    assert sandbox_connection.route_to
    app = create_app(AppSettings(), connection=sandbox_connection)
    app.service.retry = FAST_RETRY
    app.clock = lambda: NOW
    async with app.run_test(size=(200, 50)) as pilot:
        entry = await send_and_wait(app, pilot)
        assert app.connection.route_to == sandbox_connection.route_to
    assert entry.outcome is Outcome.ACCEPTED
    assert len(sandbox.accepted()) == 1


async def test_the_credentials_panel_keeps_a_route_it_was_not_told_about(
    sandbox_connection: Connection,
) -> None:
    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield CredentialsPanel(sandbox_connection, AppSettings())

    app = Host()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        panel = app.query_one(CredentialsPanel)
        assert panel.connection.route_to == sandbox_connection.route_to
        assert panel.query_one("#sandbox-row").display  # and the switch to turn it off is shown
