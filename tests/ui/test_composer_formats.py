"""The composer reads the shapes people paste (issue 12): a Datafly.js call pasted verbatim into
the properties editor, and a Segment / RudderStack event or a HAR file loaded from disk.

Source: the integration spec's worked example ("A Datafly.js call on your site:
datafly.track('Order Completed', {...})", /work/shared/seeds/webengage-integration.txt).
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select, TextArea

from tests.ui.conftest import MakeApp
from tests.ui.helpers import set_input, wait_until
from tui.ui.widgets.pickers import EventPickerScreen

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "formats"


async def test_a_pasted_datafly_call_fills_the_composer_and_keeps_the_identity(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.pause()
        set_input(app, "#user-id", "visitor-42")
        app.query_one("#event-name", Select).value = "Signed Up"
        await pilot.pause()
        area = app.query_one("#properties", TextArea)
        area.focus()
        area.load_text("")
        area.insert((FORMATS / "datafly-order.js").read_text())  # as a paste does
        await wait_until(
            pilot,
            lambda: app.preview is not None and app.preview.event_name == "Order Completed",
        )
        assert app.query_one("#event-name", Select).value == "Order Completed"
        assert app.query_one("#user-id", Input).value == "visitor-42"
        assert app.preview is not None
        body = app.preview.request.body
        assert body["userId"] == "visitor-42"
        assert body["eventData"]["orderId"] == "ORD-1337" and body["eventData"]["amount"] == 39.8
        assert '"order_id": "ORD-1337"' in area.text  # now JSON, editable as any other
        assert any("Datafly.js call" in n.message for n in app._notifications)


async def test_loading_a_segment_event_fills_user_id_from_user_id_camel_case(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        set_input(app, "#file-path", str(FORMATS / "segment-track.json"))
        await pilot.click("#load-file")
        await wait_until(pilot, lambda: app.query_one("#user-id", Input).value == "johndoe")
        assert app.query_one("#anonymous-id", Input).value == "507f191e810c19729de860ea"
        assert app.query_one("#timestamp", Input).value == "2026-06-06T18:29:00.120Z"
        await wait_until(pilot, lambda: app.preview is not None and not app.preview.has_errors)


async def test_a_har_file_offers_its_tracking_calls(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        set_input(app, "#file-path", str(FORMATS / "devtools.har"))
        await pilot.click("#load-file")
        await wait_until(pilot, lambda: isinstance(app.screen, EventPickerScreen))
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.query_one("#user-id", Input).value == "johndoe")
        assert app.preview is not None and app.preview.event_name == "Order Completed"
