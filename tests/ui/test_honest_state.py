"""State that tells the truth: the "not sent" banner clears once fixed, the connection says
"changed since tested" and "reconnect needed", the log says a filter hides rows (new ones too),
the rate-limit gauge belongs to one target, and latency shows retry waits apart."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from tui.sandbox import Fault, FaultKind, Sandbox
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.ui.widgets.log_filter import LogFilter
from tui.ui.widgets.log_rows import latency_text

from .conftest import MakeApp
from .helpers import entries, send_and_wait, wait_until


def topbar(app: object) -> str:
    return str(app.main.query_one("#topbar", Static).render())  # type: ignore[attr-defined]


async def test_the_not_sent_banner_clears_once_the_error_is_fixed(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        user = app.main.query_one("#user-id", Input)
        user.value = ""
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        banner = app.main.query_one("#send-status", Static)
        assert banner.display and "not sent" in str(banner.render())
        user.value = "johndoe"
        await wait_until(pilot, lambda: not banner.display)


async def test_changed_since_tested_and_reconnect_needed(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await send_and_wait(app, pilot)  # accepted: these credentials work
        await wait_until(pilot, lambda: "connected" in topbar(app))
        app.main.query_one("#license-code", Input).value = "sbx~other"
        await wait_until(pilot, lambda: "changed since tested" in topbar(app))
        verdict = app.main.query_one("#verdict", Static)
        assert "changed since tested" in str(verdict.render())
        app.main.query_one("#license-code", Input).value = "sbx~demo"
        await wait_until(pilot, lambda: "connected" in topbar(app))
        app.main.query_one("#data-centre", Select).value = "in"  # the key is unknown there: 401
        await pilot.pause()
        await send_and_wait(app, pilot)
        await wait_until(pilot, lambda: "reconnect needed" in topbar(app))
        assert "F7" in topbar(app)
        app.main.query_one("#data-centre", Select).value = "global"
        await pilot.pause()
        app.action_test_connection()
        await wait_until(pilot, lambda: "connected" in topbar(app), timeout=20)


async def test_a_filter_says_it_is_on_and_counts_what_it_hides(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await send_and_wait(app, pilot)
        log = app.main.query_one(DeliveryLog)
        log.query_one("#log-outcome", Select).value = "auth"
        await wait_until(pilot, lambda: not entries(app))
        count = log.query_one(LogFilter).query_one("#log-count", Static)
        await wait_until(pilot, lambda: "0 of 1" in str(count.render()))
        assert "1 hidden" in str(log.border_subtitle)
        await pilot.press("f5")  # accepted: hidden by the filter, but counted
        await wait_until(pilot, lambda: "1 new" in str(log.border_subtitle))
        assert "2 hidden" in str(log.border_subtitle)


async def test_the_gauge_belongs_to_one_target(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await send_and_wait(app, pilot)
        gauge = app.main.query_one("#rate-gauge", Static)
        assert "of 5,000 left" in str(gauge.render())
        app.main.query_one("#license-code", Input).value = "sbx~other"
        await wait_until(pilot, lambda: "no X-RateLimit headers" in str(gauge.render()))
        app.main.query_one("#license-code", Input).value = "sbx~demo"
        await wait_until(pilot, lambda: "of 5,000 left" in str(gauge.render()))


async def test_latency_shows_retry_waits_apart(make_app: MakeApp, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind=FaultKind.SERVER_ERROR, status=503, times=1))
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        entry = await send_and_wait(app, pilot)
    assert len(entry.attempts) == 2 and entry.waited_s > 0
    assert latency_text(entry).endswith(f"+{entry.waited_s:g} s wait")
    assert entry.summary()["waited_s"] == entry.waited_s
