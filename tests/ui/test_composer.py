"""The composer and its live preview: typing, invalid JSON, loading files, the key never shown."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select, TextArea

from tests.ui.conftest import MakeApp
from tests.ui.helpers import screen_text, set_input, wait_until
from tui.sandbox import DEMO_API_KEY
from tui.ui.widgets.json_view import JsonView
from tui.ui.widgets.pickers import EventPickerScreen
from tui.ui.widgets.preview import PreviewPanel

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def body_text(app: object) -> str:
    from tui.ui.app import WebEngageDebuggerApp

    assert isinstance(app, WebEngageDebuggerApp)
    return app.query_one("#request-body", JsonView).text


async def test_typing_changes_the_preview(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert '"orderId": "ORD-1337"' in body_text(app)
        app.query_one("#user-id", Input).focus()
        await pilot.press("end", "x", "y")
        await wait_until(pilot, lambda: '"userId": "johndoexy"' in body_text(app))
        app.query_one("#event-name", Select).value = "Product Added"
        await wait_until(pilot, lambda: '"eventName": "Added to Cart"' in body_text(app))
        area = app.query_one("#properties", TextArea)
        area.focus()
        area.move_cursor((1, 0))
        await pilot.press(*'"coupon": "SUMMER",')
        await wait_until(pilot, lambda: '"coupon": "SUMMER"' in body_text(app))


async def test_data_centre_changes_the_url(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one("#data-centre", Select).value = "ksa"
        await wait_until(
            pilot,
            lambda: app.preview is not None and "api.ksa.webengage.com" in app.preview.request.url,
        )
        assert "api.ksa.webengage.com" in str(app.query_one("#request-line").render())


async def test_invalid_json_shows_line_and_column_and_keeps_the_last_preview(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        before = body_text(app)
        area = app.query_one("#properties", TextArea)
        area.focus()
        area.move_cursor((1, 0))
        await pilot.press("end", "backspace")  # drop the comma after "ORD-1337"
        panel = app.query_one(PreviewPanel)
        await wait_until(pilot, lambda: panel.has_class("-stale"))
        status = str(app.query_one("#json-status").render())
        assert "line 3, column 3" in status
        assert "line 3, column 3" in str(app.query_one("#stale-banner").render())
        assert body_text(app) == before
        await pilot.press("f5")
        await pilot.pause()
        assert "not valid JSON" in str(app.query_one("#send-status").render())
        await pilot.press(",")
        await wait_until(pilot, lambda: not panel.has_class("-stale"))


async def test_garbage_never_crashes_the_composer(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        area = app.query_one("#properties", TextArea)
        for text in ["[1, 2]", "null", '{"a": NaN}', '{"a": 1e999}', "{" * 2000, '"\\ud800"', ""]:
            area.load_text(text)
            await pilot.pause()
        set_input(app, "#timestamp", "yesterday-ish")
        set_input(app, "#user-id", "x" * 500)
        await pilot.pause()
        assert app.is_running


async def test_loading_a_file_with_several_events_lets_you_pick_one(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        set_input(app, "#file-path", str(FIXTURES / "several.ndjson"))
        app.main.composer.load_file()  # the Load button (ctrl+l: the picker)
        await wait_until(pilot, lambda: isinstance(app.screen, EventPickerScreen))
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, EventPickerScreen))
        await pilot.pause()
        assert app.query_one("#event-name", Select).value == "Product Viewed"
        assert app.query_one("#anonymous-id", Input).value == "anon-5f2c9e"
        assert app.query_one("#user-id", Input).value == ""
        assert '"eventName": "Product Viewed"' in body_text(app)
        assert app.composer.source.startswith("several.ndjson")


async def test_loading_a_single_event_file(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        set_input(app, "#file-path", str(FIXTURES / "bad" / "we-property.json"))
        app.main.composer.load_file()  # the Load button (ctrl+l: the picker)
        await wait_until(pilot, lambda: app.preview is not None and app.preview.has_errors)
        assert "we_" in str(app.query_one("#findings").render())


async def test_an_unreadable_file_is_reported_not_fatal(make_app: MakeApp, tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"event": "x",\n  oops}')
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        set_input(app, "#file-path", str(bad))
        app.main.composer.load_file()  # the Load button (ctrl+l: the picker)
        await pilot.pause()
        set_input(app, "#file-path", str(tmp_path / "missing.json"))
        app.main.composer.load_file()  # the Load button (ctrl+l: the picker)
        await pilot.pause()
        assert app.is_running
        messages = [n.message for n in app._notifications]
        assert any("broken.json:2" in m for m in messages)
        assert any("missing.json" in m for m in messages)


async def test_the_key_never_appears_unmasked_unless_revealed(make_app: MakeApp) -> None:
    app = make_app()
    for size in ((80, 24), (120, 36), (200, 50)):
        async with app.run_test(size=size) as pilot:
            for tab in ("f2", "f3", "f4"):
                await pilot.press(tab)
                await pilot.pause()
                assert DEMO_API_KEY not in screen_text(app)
            app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        assert DEMO_API_KEY in screen_text(app)  # revealing is explicit...
        await pilot.press("f8")
        await pilot.pause()
        assert DEMO_API_KEY not in screen_text(app)  # ...and undone as explicitly


async def test_no_credentials_offers_the_sandbox_and_it_works() -> None:
    from tests.ui.helpers import entries, send_and_wait
    from tui.store.settings import AppSettings
    from tui.ui.app import create_app
    from tui.ui.widgets.sandbox_offer import SandboxOfferScreen
    from tui.webengage.outcomes import Outcome

    app = create_app(AppSettings())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SandboxOfferScreen))
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.connection.route_to is not None)
        entry = await send_and_wait(app, pilot)
        assert entry.outcome is Outcome.ACCEPTED
        assert len(entries(app)) == 1
        sandbox = app.sandbox
    assert sandbox is not None and not sandbox.running


async def test_declining_the_sandbox_goes_to_the_credentials() -> None:
    from tui.store.settings import AppSettings
    from tui.ui.app import create_app
    from tui.ui.widgets.sandbox_offer import SandboxOfferScreen

    app = create_app(AppSettings())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SandboxOfferScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.focused is app.query_one("#license-code", Input))
        await pilot.press("f5")
        await pilot.pause()
        assert "license code" in str(app.query_one("#send-status").render())


async def test_the_send_button_sends(make_app: MakeApp) -> None:
    from tests.ui.helpers import entries
    from tui.webengage.outcomes import Outcome

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.click("#send")
        await wait_until(pilot, lambda: len(entries(app)) == 1 and entries(app)[0].finished)
        assert entries(app)[0].outcome is Outcome.ACCEPTED


async def test_the_file_picker_opens_when_no_path_is_typed(make_app: MakeApp) -> None:
    from tui.ui.widgets.pickers import FilePickerScreen

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: isinstance(app.screen, FilePickerScreen))
        app.screen.query_one("#picker-path", Input).value = str(FIXTURES / "identify.json")
        app.screen.query_one("#picker-path", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, FilePickerScreen))
        await wait_until(
            pilot, lambda: app.preview is not None and app.preview.request.url.endswith("/users")
        )
        assert app.query_one("#event-name", Select).value == "identify"


async def test_a_custom_host_goes_into_the_url(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        app.query_one("#data-centre", Select).value = "custom"
        await wait_until(pilot, lambda: app.query_one("#custom-host-row").display)
        set_input(app, "#custom-host", "https://api.eug.webengage.com")
        await wait_until(
            pilot,
            lambda: (
                app.preview is not None
                and app.preview.request.url.startswith("https://api.eug.webengage.com/v1/")
            ),
        )
        assert "api.eug.webengage.com" in str(app.query_one("#topbar").render())
