"""The ecosystem's conventions first: ctrl+p opens the command palette (F9 is an alias), even with
the cursor in the properties editor; the help lists every outcome."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from tui.ui.widgets.help import VERDICTS, HelpScreen, help_text
from tui.webengage.outcomes import Outcome

from .conftest import MakeApp
from .helpers import wait_until


@pytest.mark.parametrize("key", ["ctrl+p", "f9"])
async def test_the_palette_opens_with_ctrl_p_and_f9(make_app: MakeApp, key: str) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.action_goto("event")  # the cursor in the JSON editor
        await pilot.pause()
        await pilot.press(key)
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))


async def test_help_lists_all_ten_outcomes(make_app: MakeApp) -> None:
    assert set(VERDICTS) == set(Outcome) and len(VERDICTS) == 10
    text = help_text().plain
    for outcome in Outcome:
        assert outcome.value in text
    assert "ctrl+p" in text and "ctrl+q quits" in text
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
