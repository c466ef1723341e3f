"""The TUI never shows or stores the REST API key: screens, clipboard, exports, history.

A distinctive canary key drives the app through its flows (compose, send accepted, send to the
wrong data centre, the delivery in full, copy as curl, exports, diagnose's harmless probe); after
each step the screen is exported as SVG and searched, and at the end every file the app wrote
(history database, exports) is searched too, for the key in full and base64-encoded.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import SecretStr
from textual.widgets import Select

from tests.conftest import MakeSandbox, account
from tests.test_secret_leaks import CANARY, LICENSE, assert_clean, scan_tree
from tests.ui.conftest import FAST_RETRY, NOW
from tests.ui.helpers import screen_text, send_and_wait, wait_until
from tui.store.settings import AppSettings
from tui.ui.app import create_app
from tui.webengage.api import DataCentre
from tui.webengage.outcomes import Outcome
from tui.webengage.request import Connection


async def test_the_key_is_nowhere_in_the_tuis_screens_clipboard_exports_or_history(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = make_sandbox(accounts=[account(LICENSE, CANARY, DataCentre.GLOBAL)])
    connection = Connection(
        data_centre=DataCentre.GLOBAL,
        license_code=LICENSE,
        api_key=SecretStr(CANARY),
        route_to=sandbox.url,
    )
    settings = AppSettings()
    app = create_app(settings, connection=connection, sandbox=sandbox)
    app.service.retry = FAST_RETRY
    app.clock = lambda: NOW
    screens: list[str] = []

    def look(step: str) -> None:
        text = screen_text(app)
        assert_clean(f"the screen after {step}", app.export_screenshot())
        screens.append(text)

    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        look("start")

        accepted = await send_and_wait(app, pilot)
        assert accepted.outcome is Outcome.ACCEPTED
        look("an accepted send")
        assert_clean("the log entry", accepted.model_dump_json())

        app.query_one("#data-centre", Select).value = "in"
        await pilot.pause()
        wrong = await send_and_wait(app, pilot)
        assert wrong.outcome is Outcome.AUTH
        look("a send to the wrong data centre")
        assert_clean("the failed log entry", wrong.model_dump_json())

        app.action_copy_curl()
        await wait_until(pilot, lambda: "$WEBENGAGE_API_KEY" in app.clipboard)
        assert_clean("the clipboard", app.clipboard)

        app.action_export("har")
        app.action_export("evidence")
        await pilot.pause()

        app.action_open_entry()
        await pilot.pause()
        look("the delivery in full")
        await pilot.press("escape")

        app.action_test_connection()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        look("test connection")

    exports = settings.data_dir / "exports"
    written = sorted(p.name for p in exports.glob("*")) if exports.exists() else []
    assert any(name.endswith(".har") for name in written), written
    assert any(name.endswith(".md") for name in written), written
    home = Path(os.environ["WEBENGAGE_DEBUGGER_HOME"])
    assert scan_tree(home) >= 3  # history database (+ WAL) and the two exports at least
    assert len(screens) == 5
