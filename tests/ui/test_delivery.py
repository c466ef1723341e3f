"""Sending from the app to a real sandbox: the log, the hints, refusal, send anyway, history."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, TextArea

from tests.ui.conftest import MakeApp
from tests.ui.helpers import entries, send_and_wait, set_input, wait_until
from tui.sandbox import DEMO_API_KEY, Fault, FaultKind, Sandbox
from tui.store.history import History
from tui.store.settings import AppSettings
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.ui.widgets.entry_detail import EntryDetailScreen
from tui.ui.widgets.hint_view import HintView
from tui.webengage.outcomes import Outcome


async def test_a_delivery_to_the_sandbox_is_accepted_and_logged(
    make_app: MakeApp, sandbox: Sandbox
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        entry = await send_and_wait(app, pilot)
        assert entry.outcome is Outcome.ACCEPTED
        assert entry.status == 200
        hint = str(app.query_one("#log-hint", HintView).content)
        assert "queued" in hint
        table = app.query_one(DeliveryLog).table
        assert table.row_count == 1
        assert str(table.get_cell(entry.id, "outcome")) == "accepted"
    accepted = sandbox.accepted()
    assert len(accepted) == 1
    assert accepted[0]["body"]["eventName"] == "Order Completed"


async def test_an_entry_shows_while_in_flight_and_as_attempts_happen(
    make_app: MakeApp, sandbox: Sandbox
) -> None:
    sandbox.inject(Fault(kind=FaultKind.SERVER_ERROR, status=503))
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        entry = await send_and_wait(app, pilot)
        assert entry.outcome is Outcome.ACCEPTED
        assert [a.status for a in entry.attempts] == [503, 200]
        assert str(app.query_one(DeliveryLog).table.get_cell(entry.id, "attempts")) == "2"


async def test_wrong_data_centre_gives_the_data_centre_hint(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one("#data-centre", Select).value = "in"
        entry = await send_and_wait(app, pilot)
        assert entry.outcome is Outcome.AUTH
        assert entry.host == "api.in.webengage.com"
        hint = str(app.query_one("#log-hint", HintView).content)
        assert "not your account's data centre" in hint
        assert "api.in.webengage.com" in hint


async def test_wrong_license_code_gives_the_not_found_hint(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        set_input(app, "#license-code", "wrong~code")
        entry = await send_and_wait(app, pilot)
        assert entry.outcome is Outcome.NOT_FOUND
        hint = str(app.query_one("#log-hint", HintView).content)
        assert "no account 'wrong~code'" in hint
        assert "Re-copy the License Code" in hint


async def test_wrong_key_gives_the_auth_hint(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        set_input(app, "#api-key", "not-the-right-key-at-all")
        entry = await send_and_wait(app, pilot)
        assert entry.outcome is Outcome.AUTH
        hint = str(app.query_one("#log-hint", HintView).content)
        assert "Account Management and Update Data" in hint


async def test_send_is_refused_with_errors_and_send_anyway_sends(
    make_app: MakeApp, sandbox: Sandbox
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        set_input(app, "#user-id", "")
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        status = str(app.query_one("#send-status").render())
        assert "not sent" in status and "$.user_id" in status and "F6" in status
        assert entries(app) == []
        entry = await send_and_wait(app, pilot, "f6")
        assert entry.forced
        assert entry.outcome is Outcome.MISSING_IDENTITY
        assert "neither userId nor anonymousId" in str(app.query_one("#log-hint", HintView).content)
    assert sandbox.accepted() == []


async def test_history_is_written_and_reloaded(make_app: MakeApp) -> None:
    settings = AppSettings()
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        entry = await send_and_wait(app, pilot)
    with History.open(settings.history_path) as history:
        stored = history.get(entry.id)
        assert stored is not None and stored.outcome is Outcome.ACCEPTED
    again = make_app()
    async with again.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert [e.id for e in entries(again)] == [entry.id]


async def test_an_unfinished_entry_in_history_shows_as_interrupted(make_app: MakeApp) -> None:
    settings = AppSettings()
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        entry = await send_and_wait(app, pilot)
    unfinished = entry.model_copy(update={"id": "cut-off", "outcome": None, "hint": None})
    with History.open(settings.history_path) as history:
        history.start(unfinished)
    again = make_app()
    async with again.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        log = again.query_one(DeliveryLog)
        assert "cut-off" in log.interrupted
        assert str(log.table.get_cell("cut-off", "outcome")) == "interrupted"


async def test_detail_shows_everything_and_resend_sends_again(
    make_app: MakeApp, sandbox: Sandbox
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        first = await send_and_wait(app, pilot)
        await pilot.press("f4", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, EntryDetailScreen))
        text = "\n".join(str(s.render()) for s in app.screen.query("Static"))
        assert first.request_id in text
        assert "curl -sS -X POST" in text and "$WEBENGAGE_API_KEY" in text
        assert DEMO_API_KEY not in text
        await pilot.press("c")
        await wait_until(pilot, lambda: "$WEBENGAGE_API_KEY" in app.clipboard)
        assert DEMO_API_KEY not in app.clipboard
        await pilot.press("r")
        await wait_until(
            pilot, lambda: len(entries(app)) == 2 and all(e.finished for e in entries(app))
        )
        second = next(e for e in entries(app) if e.id != first.id)
        assert second.outcome is Outcome.ACCEPTED
        assert second.request.body == first.request.body
    assert len(sandbox.accepted()) == 2


async def test_typing_a_type_change_after_an_accepted_delivery_warns(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await send_and_wait(app, pilot)
        area = app.query_one("#properties", TextArea)
        area.load_text('{"order_id": 1337}')
        await wait_until(pilot, lambda: app.preview is not None and bool(app.preview.findings))
        assert app.preview is not None
        assert any("orderId" in f.path or "order_id" in f.path for f in app.preview.findings)


async def test_test_connection_gives_a_verdict(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("f7")
        verdict = app.query_one("#verdict")
        await wait_until(
            pilot, lambda: "✓" in str(verdict.render()) or "✗" in str(verdict.render())
        )
        assert "✓" in str(verdict.render())
        app.query_one("#data-centre", Select).value = "ksa"
        await pilot.press("f7")
        await wait_until(pilot, lambda: "✗" in str(verdict.render()))
        assert "Global" in str(verdict.render())


async def test_key_field_is_an_input(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)):
        assert app.query_one("#api-key", Input).password


async def test_the_entry_is_logged_and_recorded_while_in_flight(
    make_app: MakeApp, sandbox: Sandbox
) -> None:
    sandbox.inject(Fault(kind=FaultKind.LATENCY, delay_s=1.0))
    settings = AppSettings()
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f5")
        await wait_until(pilot, lambda: len(entries(app)) == 1)
        (entry,) = entries(app)
        table = app.query_one(DeliveryLog).table
        assert "in flight" in str(table.get_cell(entry.id, "outcome"))
        with History.open(settings.history_path) as history:
            stored = history.get(entry.id)
        assert stored is not None and stored.outcome is None
        await wait_until(pilot, lambda: entries(app)[0].finished)
        assert str(table.get_cell(entry.id, "outcome")) == "accepted"


async def test_an_unexpected_worker_error_is_reported_once_without_the_key(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.delivery.service import DeliveryService

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"something broke near {DEMO_API_KEY}")

    monkeypatch.setattr(DeliveryService, "deliver", broken)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f5")
        await wait_until(
            pilot, lambda: any("something broke" in n.message for n in app._notifications)
        )
        messages = [n.message for n in app._notifications]
        assert not any(DEMO_API_KEY in m for m in messages)
        assert app.is_running


async def test_exports_evidence_and_har_without_the_key(make_app: MakeApp) -> None:
    settings = AppSettings()
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one("#data-centre", Select).value = "in"
        entry = await send_and_wait(app, pilot)
        await app.run_action("export('evidence')")
        await app.run_action("export('har')")
        await pilot.pause()
    exported = sorted((settings.data_dir / "exports").iterdir())
    assert [p.suffix for p in exported] == [".har", ".md"]
    evidence = exported[1].read_text()
    assert entry.hint is not None and entry.hint.title.split(":")[0] in evidence
    for path in exported:
        assert DEMO_API_KEY not in path.read_text()
        assert path.stat().st_mode & 0o777 == 0o600  # as private as the history it comes from
        assert any(str(path) in n.message for n in app._notifications)  # the path is shown
    assert (settings.data_dir / "exports").stat().st_mode & 0o777 == 0o700
