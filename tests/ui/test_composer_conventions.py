"""The composer as a new user expects it: ctrl+l always opens the file picker, Tab leaves the
editor (ctrl+] indents), picking another event offers its sample properties with an undo, a
narrow screen shows the findings summary under the editor and reaches the request with F3 again,
and long event names are not cut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, Select, Static, TextArea

from tui.mapping.samples import sample_properties
from tui.ui.widgets.pickers import FilePickerScreen

from .conftest import MakeApp
from .helpers import screen_text, wait_until


async def test_ctrl_l_always_opens_the_picker(make_app: MakeApp, tmp_path: Path) -> None:
    event = tmp_path / "e.json"
    event.write_text('{"type": "track", "event": "Signed Up", "user_id": "u"}')
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        app.main.query_one("#file-path", Input).value = str(event)  # the last file loaded
        area = app.main.query_one("#properties", TextArea)
        area.load_text('{"mine": 1}')
        await pilot.pause()
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: isinstance(app.screen, FilePickerScreen))
        await pilot.press("escape")
        await pilot.pause()
        assert json.loads(area.text) == {"mine": 1}  # nothing reloaded over the edits


async def test_tab_leaves_the_editor_and_ctrl_bracket_indents(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        area = app.main.query_one("#properties", TextArea)
        area.focus()
        area.load_text("{}")
        await pilot.pause()
        await pilot.press("ctrl+right_square_bracket")
        assert area.text == "  {}"
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is not area
        await pilot.press("shift+tab")
        await pilot.pause()
        assert app.focused is area


async def test_another_event_offers_its_sample_with_an_undo(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        area = app.main.query_one("#properties", TextArea)
        area.load_text('{"my_edit": true}')
        await pilot.pause()
        app.main.query_one("#event-name", Select).value = "Products Searched"
        await wait_until(
            pilot, lambda: json.loads(area.text) == sample_properties()["Products Searched"]
        )
        assert any("ctrl+z" in n.message for n in app._notifications)
        area.focus()
        await pilot.press("ctrl+z")
        await wait_until(pilot, lambda: json.loads(area.text) == {"my_edit": True})


async def test_narrow_screens_show_the_verdict_and_reach_the_request(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.main.query_one("#user-id", Input).value = ""
        await pilot.pause()
        status = app.main.query_one("#json-status", Static)
        await wait_until(pilot, lambda: "1 error" in str(status.render()))
        app.action_goto("log")
        await pilot.pause()
        await pilot.press("f3")
        await wait_until(pilot, lambda: app.main.responsive.tab == "event")
        await pilot.press("f3")  # again: the request tab
        await wait_until(pilot, lambda: app.main.responsive.tab == "request")
        assert "Request preview" in screen_text(app)


async def test_long_event_names_are_shown_whole(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.main.query_one("#event-name", Select).value = "Products Searched"
        await pilot.pause()
        assert "Products Searched" in screen_text(app)


async def test_the_properties_open_in_the_editor_and_come_back(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "fake-editor"
    editor.write_text('#!/bin/sh\nprintf \'{"from_the_editor": 1}\' > "$1"\n')
    editor.chmod(0o755)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(editor))
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await app.run_action("external_editor")
        area = app.main.query_one("#properties", TextArea)
        await wait_until(pilot, lambda: json.loads(area.text) == {"from_the_editor": 1})
