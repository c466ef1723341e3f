"""An interrupted delivery may have arrived: retrying it keeps its x-request-id (so WebEngage drops
the repeat), sending it as new does not, and the history shows the attempts it had under way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Fault, FaultKind, Sandbox
from tui.store.history import History, is_interrupted
from tui.store.settings import AppSettings
from tui.ui.app import WebEngageDebuggerApp
from tui.ui.widgets.delivery_log import DeliveryLog

from .conftest import MakeApp
from .helpers import entries, wait_until

ROOT = Path(__file__).resolve().parents[2]
WORKED_EXAMPLE = ROOT / "fixtures" / "worked-example.json"


def kill_a_send_mid_attempt(sandbox: Sandbox) -> str:
    """`webengage-debugger send` killed with SIGKILL while its attempt waits for an answer."""
    sandbox.inject(Fault(kind=FaultKind.LATENCY, delay_s=30))
    env = {
        **os.environ,
        "WEBENGAGE_API_KEY": DEMO_API_KEY,
        "WEBENGAGE_LICENSE_CODE": DEMO_LICENSE_CODE,
        "WEBENGAGE_ROUTE_TO": sandbox.url,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "send", str(WORKED_EXAMPLE), "--attempts", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    path = AppSettings().history_path
    deadline = time.monotonic() + 30
    try:
        while True:  # until the history shows the attempt under way
            assert time.monotonic() < deadline, "the send never got going"
            if path.exists():
                with History(path) as history:
                    found = history.latest(1)
                if found and found[0].attempts:
                    break
            time.sleep(0.05)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    sandbox.clear_faults()
    return found[0].id


async def test_retry_keeps_the_request_id_and_resend_does_not(
    make_app: MakeApp, sandbox: Sandbox
) -> None:
    entry_id = kill_a_send_mid_attempt(sandbox)
    with History(AppSettings().history_path) as history:
        interrupted = history.get(entry_id)
    assert interrupted is not None and is_interrupted(interrupted)
    assert len(interrupted.attempts) == 1  # the attempt that was under way is on record
    assert interrupted.hint is not None and "may have arrived" in interrupted.hint.title
    assert "same x-request-id" in interrupted.hint.fix

    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        app.action_goto("log")
        log = app.main.query_one(DeliveryLog)
        await wait_until(pilot, lambda: entry_id in log.entries)
        await pilot.pause()
        assert log.current_id == entry_id
        await pilot.press("R")  # retry: the same x-request-id
        await wait_until(pilot, lambda: len(entries(app)) == 2 and all_done(app))
        await pilot.press("R")  # again: WebEngage (the sandbox) drops the repeat
        await wait_until(pilot, lambda: len(entries(app)) == 3 and all_done(app))
        retries = [e for e in entries(app) if e.source.startswith("retry of")]
        assert len(retries) == 2
        assert {e.request_id for e in retries} == {interrupted.request_id}
        assert len(sandbox.accepted()) == 1  # ingested once, however often it was retried
        log.table.move_cursor(row=log.table.get_row_index(entry_id))
        await pilot.pause()
        await pilot.press("r")  # as new: a new x-request-id, a second copy in WebEngage
        await wait_until(pilot, lambda: len(entries(app)) == 4 and all_done(app))
        resent = [e for e in entries(app) if e.source.startswith("resend of")]
        assert len(resent) == 1 and resent[0].request_id != interrupted.request_id
        assert len(sandbox.accepted()) == 2


def all_done(app: WebEngageDebuggerApp) -> bool:
    return all(e.finished for e in entries(app) if not is_interrupted(e))
