"""Pilot tests for the extra screens, each pushed by a tiny host app (tests/ui_extras/conftest.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from pydantic import SecretStr
from rich.console import Console
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Input,
    OptionList,
    ProgressBar,
    Select,
    Static,
    TextArea,
)

import tui
from tests.conftest import MakeSandbox, demo_connection
from tui.delivery.diagnose import Verdict
from tui.delivery.service import DeliveryService
from tui.mapping.blueprint import default_blueprint, load_blueprint
from tui.sandbox import Fault, FaultKind, Sandbox
from tui.store.settings import AppSettings
from tui.ui.screens.blueprint_picker import BlueprintPickerScreen, bundled_blueprints_dir
from tui.ui.screens.diagnose import DiagnoseResult, DiagnoseScreen
from tui.ui.screens.journeys import JourneysScreen
from tui.ui.screens.replay import ReplayScreen
from tui.ui.screens.user_profile import UserProfileScreen
from tui.ui.themes import set_presentation
from tui.webengage.api import DataCentre
from tui.webengage.outcomes import Outcome
from tui.webengage.pacing import PaceLimits
from tui.webengage.request import Connection

from .conftest import Host, keep_screenshot, wait_until

ROOT = Path(__file__).resolve().parents[2]
SIZE = (100, 30)
ClientFactory = DeliveryService


def text_of(app: Host, selector: str) -> str:
    """What a Static shows, as plain text (Rich tables and groups rendered at 100 columns)."""
    content = app.screen.query_one(selector, Static).content
    if isinstance(content, str):
        return content
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


async def test_malformed_blueprint_keeps_the_previous_one(tmp_path: Path) -> None:
    current = load_blueprint(ROOT / "fixtures" / "blueprints" / "custom.toml")
    app = Host(
        lambda: BlueprintPickerScreen(current, directories=[ROOT / "fixtures" / "blueprints"])
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, BlueprintPickerScreen)
        screen.query_one("#picker-path", Input).value = str(
            ROOT / "fixtures/blueprints/malformed.toml"
        )
        await pilot.click("#picker-load")
        await pilot.pause()
        assert app.screen is screen, "a malformed blueprint must not close the picker"
        error = text_of(app, "#picker-error")
        assert "malformed.toml" in error and "not valid TOML" in error
        assert "still Shop (custom)" in error
        keep_screenshot(app, "blueprint-picker-error")
        path_input = screen.query_one("#picker-path", Input)
        path_input.value = str(tmp_path / "nope.toml")
        path_input.focus()
        await pilot.press("enter")
        assert "no such file" in text_of(app, "#picker-error")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_picking_a_good_blueprint_returns_it() -> None:
    app = Host(
        lambda: BlueprintPickerScreen(
            default_blueprint(), directories=[ROOT / "fixtures" / "blueprints"]
        )
    )
    async with app.run_test(size=SIZE) as pilot:
        path_input = app.screen.query_one("#picker-path", Input)
        path_input.value = str(ROOT / "fixtures/blueprints/custom.toml")
        path_input.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(app.results))
    assert app.results[0].name == "Shop (custom)"


async def test_the_picker_lists_the_shipped_and_the_users_blueprints_only() -> None:
    """Not the repository's deliberately broken test blueprints; the Default listed once."""
    settings = AppSettings()
    settings.blueprints_dir.mkdir(parents=True)
    mine = settings.blueprints_dir / "mine.toml"
    mine.write_text((ROOT / "fixtures/blueprints/custom.toml").read_text())
    directories = [settings.blueprints_dir, bundled_blueprints_dir()]
    app = Host(lambda: BlueprintPickerScreen(default_blueprint(), directories=directories))
    async with app.run_test(size=SIZE) as pilot:
        options = app.screen.query_one("#picker-list", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        shipped = bundled_blueprints_dir() / "shop-custom.toml"
        assert ids == ["default", str(mine.resolve()), str(shipped)]
        assert Path(tui.__file__).resolve().parent in shipped.parents
        await pilot.press("down", "down", "enter")
        await wait_until(pilot, lambda: bool(app.results))
    assert app.results[0].name == "Shop (custom)"


async def test_the_picker_by_default_offers_the_shipped_blueprints() -> None:
    app = Host(lambda: BlueprintPickerScreen(default_blueprint()))
    async with app.run_test(size=SIZE):
        options = app.screen.query_one("#picker-list", OptionList)
        ids = [options.get_option_at_index(i).id or "" for i in range(options.option_count)]
        assert ids[0] == "default" and len(ids) >= 2
        assert not any("fixtures" in i or "malformed" in i for i in ids)


async def test_the_journeys_screen_lists_the_users_journeys_too(
    sandbox_connection: Connection, make_client: ClientFactory
) -> None:
    settings = AppSettings()  # the environment's (a private home per test): the host has none
    settings.journeys_dir.mkdir(parents=True)
    (settings.journeys_dir / "mine.toml").write_text(
        'title = "Mine"\n[[steps]]\ntype = "track"\nevent = "Logged In"\n'
    )
    (settings.journeys_dir / "broken.toml").write_text("[[steps]\n")
    app = Host(lambda: JourneysScreen(sandbox_connection, default_blueprint(), make_client))
    async with app.run_test(size=SIZE):
        screen = app.screen
        assert isinstance(screen, JourneysScreen)
        names = [j.name for j in screen.journeys]
        assert {"first-purchase", "returning-login", "mine"} <= set(names)
        assert "broken.toml" in text_of(app, "#journeys-errors")


async def test_diagnose_shows_the_wrong_data_centre_verdict(sandbox: Sandbox) -> None:
    connection = demo_connection(sandbox, data_centre=DataCentre.INDIA)
    app = Host(lambda: DiagnoseScreen(connection))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, DiagnoseScreen)
        await wait_until(pilot, lambda: screen.diagnosis is not None)
        await pilot.pause()
        assert screen.diagnosis is not None
        assert screen.diagnosis.verdict is Verdict.WRONG_DATA_CENTRE
        verdict = text_of(app, "#diagnose-verdict")
        assert "Wrong data centre" in verdict and "Fix:" in verdict
        probes = text_of(app, "#diagnose-probes")
        assert "api.webengage.com" in probes and "api.in.webengage.com" in probes
        assert DataCentre.GLOBAL.dashboard_host in verdict
        keep_screenshot(app, "diagnose")
        use = screen.query_one("#diagnose-use", Button)
        assert use.display and "Global" in str(use.label)
        await pilot.click("#diagnose-use")
        await wait_until(pilot, lambda: bool(app.results))
    result = app.results[0]
    assert isinstance(result, DiagnoseResult)
    assert result.use_data_centre is DataCentre.GLOBAL


async def test_diagnose_all_good(sandbox_connection: Connection) -> None:
    app = Host(lambda: DiagnoseScreen(sandbox_connection))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, DiagnoseScreen)
        await wait_until(pilot, lambda: screen.diagnosis is not None)
        await pilot.pause()
        assert "All good" in text_of(app, "#diagnose-verdict")
        assert not screen.query_one("#diagnose-use", Button).display


async def test_user_profile_is_accepted_by_the_sandbox(
    sandbox: Sandbox, sandbox_connection: Connection, make_client: ClientFactory
) -> None:
    app = Host(lambda: UserProfileScreen(sandbox_connection, default_blueprint(), make_client))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, UserProfileScreen)
        values = {
            "user_id": "wedbg-test-profile1",
            "email": "wedbg-test-profile1@example.test",
            "phone": "+15551234567",
            "first_name": "Test",
            "birth_date": "1990-05-17T00:00:00Z",
        }
        for key, value in values.items():
            screen.query_one(f"#profile-{key}", Input).value = value
        screen.query_one("#profile-gender", Select).value = "female"
        screen.query_one("#profile-emailOptIn", Select).value = True
        screen.query_one("#profile-whatsappOptIn", Select).value = False
        screen.query_one("#profile-custom").load_text('{"plan": "gold"}')  # type: ignore[attr-defined]
        await pilot.pause()
        body = screen.preview.request.body
        assert body["userId"] == "wedbg-test-profile1"
        assert body["emailOptIn"] is True and body["whatsappOptIn"] is False
        assert "smsOptIn" not in body
        assert body["attributes"] == {"plan": "gold"}
        assert "/users" in text_of(app, "#profile-request")
        keep_screenshot(app, "user-profile")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: bool(app.finished))
        await pilot.pause()
        keep_screenshot(app, "user-profile-sent")
        assert "accepted" in text_of(app, "#profile-status")
        await pilot.press("escape")
        await pilot.pause()
    entry = app.finished[0]
    assert entry.outcome is Outcome.ACCEPTED and entry.endpoint.value == "users"
    assert app.started and app.started[0].id == entry.id
    assert app.results == [entry] or app.results[0].id == entry.id
    arrived = sandbox.accepted()
    assert [a["endpoint"] for a in arrived] == ["users"]
    assert arrived[0]["body"]["email"] == "wedbg-test-profile1@example.test"


async def test_user_profile_bad_json_blocks_sending(
    sandbox: Sandbox, sandbox_connection: Connection, make_client: ClientFactory
) -> None:
    app = Host(lambda: UserProfileScreen(sandbox_connection, default_blueprint(), make_client))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#profile-user_id", Input).value = "wedbg-test-x"
        screen.query_one("#profile-custom").load_text('{"plan": }')  # type: ignore[attr-defined]
        await pilot.pause()
        assert "custom attributes:1:" in text_of(app, "#profile-custom-error")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Not sent" in text_of(app, "#profile-status")
    assert sandbox.accepted() == [] and app.finished == []


async def test_journey_runs_to_the_end_with_every_step_accepted(
    sandbox: Sandbox, sandbox_connection: Connection, make_client: ClientFactory
) -> None:
    app = Host(lambda: JourneysScreen(sandbox_connection, default_blueprint(), make_client))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, JourneysScreen)
        assert screen.selected is not None and screen.selected.name == "first-purchase"
        await pilot.press("f5")
        await wait_until(pilot, lambda: len(screen.results) == 6)
        await pilot.pause()
        keep_screenshot(app, "journeys")
        table = screen.query_one(DataTable)
        statuses = [str(table.get_cell(str(i), "status")) for i in range(6)]
        assert statuses == ["accepted"] * 6
        assert screen.query_one(ProgressBar).progress == 6
        assert "6/6 steps accepted" in text_of(app, "#journeys-summary")
    assert len(app.finished) == 6 and all(e.outcome is Outcome.ACCEPTED for e in app.finished)
    assert screen.identity is not None
    arrived = sandbox.accepted()
    assert len(arrived) == 6
    assert all(
        a["body"].get("userId", a["body"].get("anonymousId", "")).startswith("wedbg-test-")
        for a in arrived
    )


async def test_journey_refuses_an_empty_prefix(
    sandbox: Sandbox, sandbox_connection: Connection, make_client: ClientFactory
) -> None:
    app = Host(lambda: JourneysScreen(sandbox_connection, default_blueprint(), make_client))
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#journeys-prefix", Input).value = "  "
        await pilot.press("f5")
        await pilot.pause()
        assert "prefix is empty" in text_of(app, "#journeys-summary")
    assert sandbox.accepted() == []


def _events_file(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "events.ndjson"
    lines = [
        json.dumps(
            {
                "event": "Product Viewed",
                "anonymous_id": f"wedbg-test-anon-{i}",
                "properties": {"product_id": f"SKU-{i}", "price": i},
            }
        )
        for i in range(count)
    ]
    lines.append(json.dumps({"event": "Product Viewed", "properties": {}}))  # no identity: error
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def test_replay_reaches_the_end_with_no_429s(
    tmp_path: Path, make_sandbox: MakeSandbox, make_client: ClientFactory
) -> None:
    sandbox = make_sandbox(rate_limit=20, window_s=2.0)
    connection = demo_connection(sandbox)
    path = _events_file(tmp_path, 40)
    # A UI's event loop on a busy 2-core machine delays some sends by a few hundred ms: a window
    # this short needs more than the default margin (WebEngage's real 60 s window gets 1.2 s).
    limits = PaceLimits(calls=20, window_s=2.0, margin_s=0.6)
    app = Host(
        lambda: ReplayScreen(connection, default_blueprint(), make_client, path=path, limits=limits)
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: screen.loaded is not None)
        summary = text_of(app, "#replay-summary")
        assert "41 events" in summary and "1 with errors" in summary
        screen.query_one("#replay-bulk", Checkbox).value = False
        await pilot.press("f5")
        await wait_until(pilot, lambda: screen.report is not None)
        await pilot.pause()
        keep_screenshot(app, "replay")
        report = screen.report
        assert report is not None
        assert report.sent_items == 40 and report.rate_limited_attempts == 0 and report.ok
        bar = screen.query_one(ProgressBar)
        assert bar.total == 40 and bar.progress == 40
        assert "Done: 40/40" in text_of(app, "#replay-status")
    assert len(app.finished) == 40
    assert len(sandbox.accepted()) == 40


async def test_replay_bulk_and_cancel(
    tmp_path: Path, make_sandbox: MakeSandbox, make_client: ClientFactory
) -> None:
    sandbox = make_sandbox(bulk_rate_limit=3, window_s=1.0)
    connection = demo_connection(sandbox)
    path = _events_file(tmp_path, 500)
    bulk_limits = PaceLimits(calls=3, window_s=1.0, margin_s=0.3)
    app = Host(
        lambda: ReplayScreen(
            connection, default_blueprint(), make_client, path=path, bulk_limits=bulk_limits
        )
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: screen.loaded is not None)
        assert screen.query_one("#replay-bulk", Checkbox).value is True
        await pilot.press("f5")
        await wait_until(pilot, lambda: len(app.finished) >= 1)
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.report is not None)
        await pilot.pause()
        report = screen.report
        assert report is not None and report.cancelled
        assert 0 < report.sent_items < 500 and report.rate_limited_attempts == 0
        assert all(e.outcome is Outcome.ACCEPTED for e in report.entries)
        assert "Cancelled" in text_of(app, "#replay-status")
        assert app.screen is screen
    assert all(a["endpoint"] == "bulk-events" for a in sandbox.accepted())


async def test_replay_unreadable_file_says_why(
    tmp_path: Path, sandbox_connection: Connection, make_client: ClientFactory
) -> None:
    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"event": "A"}\n{"event": \n', encoding="utf-8")
    app = Host(lambda: ReplayScreen(sandbox_connection, default_blueprint(), make_client, path=bad))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: "bad.ndjson" in text_of(app, "#replay-error"))
        assert ":2:" in text_of(app, "#replay-error")
        assert screen.query_one("#replay-start", Button).disabled


def test_keys_are_never_in_a_connection_repr() -> None:
    connection = Connection(
        license_code="abc", api_key=SecretStr("sbx-demo-key-7c1e4a90b3d2f58e6a4c")
    )
    assert "7c1e4a90" not in repr(connection)


async def test_leaving_a_running_journey_still_logs_every_step(
    sandbox: Sandbox, sandbox_connection: Connection, make_client: ClientFactory
) -> None:
    sandbox.inject(Fault(kind=FaultKind.LATENCY, delay_s=0.1, times=6))
    app = Host(lambda: JourneysScreen(sandbox_connection, default_blueprint(), make_client))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await wait_until(pilot, lambda: bool(app.started))
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(app.finished) == 6)
        assert not isinstance(app.screen, JourneysScreen)
    assert all(e.outcome is Outcome.ACCEPTED for e in app.finished)
    assert len(sandbox.accepted()) == 6


async def test_leaving_during_a_profile_send_still_logs_it(
    sandbox: Sandbox, sandbox_connection: Connection, make_client: ClientFactory
) -> None:
    # long enough that escape lands while the send is in flight, even on a loaded machine
    sandbox.inject(Fault(kind=FaultKind.LATENCY, delay_s=1.5))
    app = Host(lambda: UserProfileScreen(sandbox_connection, default_blueprint(), make_client))
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#profile-user_id", Input).value = "wedbg-test-slow"
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: bool(app.started))
        await pilot.press("escape")
        await wait_until(pilot, lambda: bool(app.finished))
    assert app.finished[0].outcome is Outcome.ACCEPTED
    assert app.results == [None]


async def test_a_custom_attribute_named_like_a_profile_field_is_explained(
    sandbox_connection: Connection, make_client: ClientFactory
) -> None:
    app = Host(lambda: UserProfileScreen(sandbox_connection, default_blueprint(), make_client))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, UserProfileScreen)
        screen.query_one("#profile-user_id", Input).value = "wedbg-test-x"
        screen.query_one("#profile-email", Input).value = "box@example.test"
        screen.query_one("#profile-custom", TextArea).load_text('{"email": "json@example.test"}')
        await pilot.pause()
        assert screen.preview.request.body["email"] == "box@example.test"
        assert "'email' is the profile field" in text_of(app, "#profile-findings")


async def test_a_failed_journey_step_shows_its_hint_and_fix(
    sandbox: Sandbox, make_client: ClientFactory
) -> None:
    wrong = demo_connection(sandbox, license_code="not~mine")
    app = Host(lambda: JourneysScreen(wrong, default_blueprint(), make_client))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, JourneysScreen)
        assert "Signal event" in text_of(app, "#journeys-step-detail")
        await pilot.press("f5")
        await wait_until(pilot, lambda: len(screen.results) == 6)
        await pilot.pause()
        keep_screenshot(app, "journeys-failed")
        detail = text_of(app, "#journeys-step-detail")
        assert "Not found (404)" in detail and "Fix:" in detail
        table = screen.query_one(DataTable)
        assert str(table.get_cell("0", "status")) == "failed"
        assert str(table.get_cell("5", "status")) == "skipped"
        assert "0/6 steps accepted" in text_of(app, "#journeys-summary")
    assert sandbox.accepted() == []


async def test_replay_to_a_wrong_license_code_shows_the_first_failure(
    tmp_path: Path, sandbox: Sandbox, make_client: ClientFactory
) -> None:
    wrong = demo_connection(sandbox, license_code="not~mine")
    path = _events_file(tmp_path, 3)
    app = Host(lambda: ReplayScreen(wrong, default_blueprint(), make_client, path=path))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: screen.loaded is not None)
        await pilot.press("f5")
        await wait_until(pilot, lambda: screen.report is not None)
        await pilot.pause()
        status = text_of(app, "#replay-status")
        assert "Finished with failures" in status and "First failure: Not found (404)" in status
        assert "Fix:" in status
        set_presentation(app, True)
        await pilot.pause()
        assert "not~mine" not in app.export_screenshot()
    assert len(app.finished) == 3 and sandbox.accepted() == []
