"""Every sender goes through the one delivery service: the main screen, the user-profile screen,
replay, journeys, the connection test, and the CLI's `send`.

A spy on `Session.run` (the service's one way to send) records each delivery, and a guard on
`WebEngageClient.run` fails any delivery that reaches the HTTP client without passing through it.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Input

from tui.cli import main as cli_main
from tui.delivery.service import Session
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Sandbox
from tui.store.history import History
from tui.store.settings import AppSettings
from tui.ui.screens.journeys import JourneysScreen
from tui.ui.screens.replay import ReplayScreen
from tui.ui.screens.user_profile import UserProfileScreen
from tui.webengage.client import WebEngageClient
from tui.webengage.entry import LogEntry

from .conftest import MakeApp
from .helpers import entries, wait_until

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
_inside_service: contextvars.ContextVar[bool] = contextvars.ContextVar("inside", default=False)


@dataclass
class Spy:
    sources: list[str] = field(default_factory=list)
    bypassed: list[str] = field(default_factory=list)
    recorded: list[bool] = field(default_factory=list)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    seen = Spy()
    session_run = Session.run
    client_run = WebEngageClient.run

    async def run_in_session(self: Session, entry: LogEntry, **kwargs: Any) -> LogEntry:
        seen.sources.append(entry.source)
        seen.recorded.append(self.record)
        token = _inside_service.set(True)
        try:
            return await session_run(self, entry, **kwargs)
        finally:
            _inside_service.reset(token)

    async def guarded(self: WebEngageClient, entry: LogEntry, **kwargs: Any) -> LogEntry:
        if not _inside_service.get():
            seen.bypassed.append(entry.source)
        return await client_run(self, entry, **kwargs)

    monkeypatch.setattr(Session, "run", run_in_session)
    monkeypatch.setattr(WebEngageClient, "run", guarded)
    yield seen


def _events_file(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "events.ndjson"
    lines = [
        json.dumps({"type": "track", "event": "Product Viewed", "user_id": f"u{i}"})
        for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


async def test_every_screen_of_the_app_sends_through_the_service(
    make_app: MakeApp, spy: Spy, sandbox: Sandbox, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        # The main screen.
        await pilot.press("f5")
        await wait_until(pilot, lambda: len(entries(app)) == 1 and entries(app)[0].finished)
        # The connection test: probes through the service too, not recorded.
        app.action_test_connection()
        await wait_until(pilot, lambda: "diagnose" in spy.sources)
        await wait_until(pilot, lambda: not app.workers._workers)
        # The user-profile screen.
        app.action_open_screen("user_profile")
        await wait_until(pilot, lambda: bool(app.screen.query("#profile-user_id")))
        assert isinstance(app.screen, UserProfileScreen)
        app.screen.query_one("#profile-user_id", Input).value = "wedbg-test-one-path"
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "user profile" in spy.sources)
        await wait_until(pilot, lambda: all(e.finished for e in entries(app)))
        await pilot.press("escape")
        # Journeys.
        app.action_open_screen("journeys")
        await wait_until(pilot, lambda: isinstance(app.screen, JourneysScreen))
        journeys = app.screen
        assert isinstance(journeys, JourneysScreen)
        await pilot.press("f5")
        await wait_until(pilot, lambda: journeys.finished is not None)
        await pilot.press("escape")
        # Replay, one call per event.
        app.main.query_one("#file-path", Input).value = str(_events_file(tmp_path, 3))
        app.action_open_screen("replay")
        await wait_until(pilot, lambda: isinstance(app.screen, ReplayScreen))
        replay = app.screen
        assert isinstance(replay, ReplayScreen)
        await wait_until(pilot, lambda: replay.loaded is not None)
        replay.query_one("#replay-bulk", Checkbox).value = False
        await pilot.press("f5")
        await wait_until(pilot, lambda: replay.report is not None)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.workers._workers)
        logged = {e.source for e in entries(app)}

    assert spy.bypassed == []
    kinds = {source.split(" ")[0] for source in spy.sources}
    assert {"composer", "diagnose", "user", "journey", "replay"} <= kinds, spy.sources
    probes = [rec for src, rec in zip(spy.sources, spy.recorded, strict=True) if src == "diagnose"]
    assert probes and not any(probes)  # probes create nothing and are not history
    sent = {s for s, rec in zip(spy.sources, spy.recorded, strict=True) if rec}
    assert sent <= logged  # every recorded delivery reached the log through the app
    history = app.history
    assert history is not None
    stored = {e.source for e in history.latest(100)}
    assert sent <= stored


def test_the_cli_send_goes_through_the_service(
    spy: Spy, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBENGAGE_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("WEBENGAGE_LICENSE_CODE", DEMO_LICENSE_CODE)
    monkeypatch.setenv("WEBENGAGE_ROUTE_TO", sandbox.url)
    event = FIXTURES / "events" / "order-completed.json"
    assert cli_main(["send", str(event)]) == 0
    assert cli_main(["send", str(FIXTURES / "several.ndjson"), "--bulk"]) == 0
    assert spy.bypassed == []
    assert spy.sources[0] == str(event)
    assert len(spy.sources) >= 2
    with History.open(AppSettings().history_path) as history:
        assert {e.source for e in history.latest(50)} == set(spy.sources)


def test_the_listener_and_the_relay_forward_through_the_service(spy: Spy, sandbox: Sandbox) -> None:
    """The listener's forwarding (the CLI's `listen --forward` and the TUI's Live tab run the same
    `Listener`) and the relay send through `Session.run` like every other sender."""
    import time

    import httpx
    from segment.analytics.client import Client as SegmentClient

    from tests.conftest import demo_connection
    from tui.live.listen import ListenConfig, Listener
    from tui.live.relay import Relay, RelayConfig
    from tui.sandbox import DEMO_API_KEY

    with Listener(ListenConfig(forward_to=demo_connection(sandbox))) as listener:
        client = SegmentClient("wk-one-path-0123456789abcdef", host=listener.url)
        client.track(user_id="u1", event="Order Completed", properties={"revenue": 1})
        client.page(anonymous_id="a1", name="Home")
        client.flush()
        client.join()
        deadline = time.monotonic() + 10
        while len(sandbox.accepted()) < 2:
            assert time.monotonic() < deadline, "the listener did not forward"
            time.sleep(0.01)
    with Relay(RelayConfig(upstream=sandbox.url)) as relay:
        body = {"userId": "u1", "eventName": "Signed Up"}
        auth = {"Authorization": f"Bearer {DEMO_API_KEY}"}
        url = f"{relay.url}/v1/accounts/{DEMO_LICENSE_CODE}/events"
        assert httpx.post(url, json=body, headers=auth).status_code == 200
    assert spy.bypassed == []
    assert sorted(spy.sources) == ["listen /v1/batch", "listen /v1/batch", "relay"]
    assert all(spy.recorded)
    with History.open(AppSettings().history_path) as history:
        assert {e.source for e in history.latest(50)} == set(spy.sources)
