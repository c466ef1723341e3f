"""Sandbox or real is never ambiguous: every delivery records where it went, and the log, the
detail, the evidence pack, the HAR, the curl and `send --json` say it."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Select

from tui.delivery.exports import entries_to_har, entry_to_curl, evidence_markdown
from tui.sandbox import Sandbox
from tui.store.history import History
from tui.store.settings import AppSettings
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.ui.widgets.entry_detail import EntryDetailScreen
from tui.webengage.entry import Target, target_of

from .conftest import MakeApp
from .helpers import entries, screen_text, send_and_wait, wait_until


def test_target_of_a_route() -> None:
    assert target_of(None) is Target.REAL
    assert target_of("http://127.0.0.1:8787") is Target.SANDBOX
    assert target_of("http://localhost:8787") is Target.SANDBOX
    assert target_of("http://[::1]:8787") is Target.SANDBOX
    assert target_of("https://relay.example.test") is Target.ROUTED


async def test_a_sandbox_delivery_says_so_everywhere(make_app: MakeApp, sandbox: Sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        entry = await send_and_wait(app, pilot)
        assert entry.target is Target.SANDBOX and entry.route == sandbox.url
        log = app.main.query_one(DeliveryLog)
        assert "sandbox" in str(log.table.get_cell(entry.id, "target"))
        app.action_open_entry()
        await wait_until(pilot, lambda: isinstance(app.screen, EntryDetailScreen))
        await pilot.pause()
        assert f"sent to the sandbox at {sandbox.url}, not WebEngage" in screen_text(app)
        await pilot.press("escape")
        # the filter selects by target, and says how many it hides
        log.query_one("#log-target", Select).value = "real"
        await wait_until(pilot, lambda: not entries(app))
        log.query_one("#log-target", Select).value = "sandbox"
        await wait_until(pilot, lambda: len(entries(app)) == 1)
    curl = entry_to_curl(entry)
    assert "not to WebEngage" in curl and f"{sandbox.url}/v1/accounts/" in curl
    assert "Host: api.webengage.com" in curl
    assert "the sandbox at" in evidence_markdown(entry)
    har = entries_to_har([entry])["log"]["entries"][0]
    assert har["comment"].startswith("[sandbox] ") and har["_target"] == "sandbox"
    with History(AppSettings().history_path) as history:
        assert [e.id for e in history.query(target="sandbox")] == [entry.id]
        assert history.query(target="real") == []
        assert [e.id for e in history.query(text="target:sandbox")] == [entry.id]


def test_send_json_names_the_target(sandbox: Sandbox, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "send",
            str(root / "fixtures" / "worked-example.json"),
            "--json",
        ],
        env={
            **os.environ,
            "WEBENGAGE_API_KEY": DEMO_API_KEY,
            "WEBENGAGE_LICENSE_CODE": DEMO_LICENSE_CODE,
            "WEBENGAGE_ROUTE_TO": sandbox.url,
        },
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["target"] == "sandbox" and summary["sent_to"] == sandbox.url
