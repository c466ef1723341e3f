"""Layouts at 80×24, 120×36 and 200×50, the keys, help and the command palette."""

from __future__ import annotations

from textual.binding import Binding
from textual.command import CommandPalette
from textual.widgets import Input

from tests.ui.conftest import MakeApp
from tests.ui.helpers import entries, wait_until
from tui.ui.palette import COMMANDS
from tui.ui.widgets.help import HelpScreen
from tui.webengage.outcomes import Outcome

PANELS = ("#credentials-panel", "#composer-panel", "#preview-panel", "#log-panel")
RESERVED = {f"ctrl+{c}" for c in "bgoptnhsq"}
"""tmux's prefix (ctrl+b) and zellij's mode keys: the app must not need any of them (ctrl+p, the
convention, has the F9 alias)."""


def visible(app: object, selector: str) -> bool:
    from tui.ui.app import WebEngageDebuggerApp

    assert isinstance(app, WebEngageDebuggerApp)
    widget = app.query_one(selector)
    return widget.display and widget.parent is not None and bool(widget.parent.display)


async def test_wide_shows_everything_side_by_side(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        assert app.mode == "wide"
        assert not app.query_one("#nav").display
        assert all(visible(app, p) for p in PANELS)
        composer = app.query_one("#composer-panel").region
        preview = app.query_one("#preview-panel").region
        log = app.query_one("#log-panel").region
        assert composer.right <= preview.x
        assert log.y >= max(composer.bottom, preview.bottom) - 1


async def test_medium_puts_composer_and_preview_side_by_side_with_tabs(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.mode == "medium"
        assert visible(app, "#composer-panel") and visible(app, "#preview-panel")
        assert not visible(app, "#credentials-panel")
        await pilot.press("f2")
        await pilot.pause()
        assert visible(app, "#credentials-panel")
        assert app.focused is app.query_one("#license-code", Input)
        await pilot.press("f4")
        await pilot.pause()
        assert visible(app, "#log-panel") and not app.query_one("#workspace").display


async def test_narrow_shows_one_panel_per_tab(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.mode == "narrow"
        assert visible(app, "#composer-panel") and not visible(app, "#preview-panel")
        app.query_one("#nav").focus()
        await pilot.press("right")
        await pilot.pause()
        assert visible(app, "#preview-panel") and not visible(app, "#composer-panel")
        await pilot.press("f4")
        await pilot.pause()
        assert visible(app, "#log-panel")
        await pilot.resize_terminal(200, 50)
        await wait_until(pilot, lambda: app.mode == "wide")
        assert all(visible(app, p) for p in PANELS)


async def test_no_binding_needs_a_tmux_or_zellij_key(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)):
        keys = {
            key.strip()
            for binding in app.BINDINGS
            for key in (binding.key if isinstance(binding, Binding) else binding[0]).split(",")
        }
        keys |= set(app.COMMAND_PALETTE_BINDING.split(","))
        # ctrl+p opens the palette, as in every Textual app; it is the one reserved key bound,
        # and F9 does the same, so nothing needs a key that tmux or zellij takes.
        assert keys & RESERVED == {"ctrl+p"}
        assert {"ctrl+p", "f9"} <= {
            key.strip()
            for binding in app.BINDINGS
            if isinstance(binding, Binding) and binding.action == "command_palette"
            for key in binding.key.split(",")
        }
        command_keys = {k for c in COMMANDS for k in c.key.split("/")}
        assert not command_keys & RESERVED - {"ctrl+q"}


async def test_f1_opens_help(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))


async def test_every_action_is_in_the_palette_and_runs_from_it(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        for command in COMMANDS:
            name = command.action.split("(")[0]
            assert hasattr(app, f"action_{name}"), name
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"send event")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(entries(app)) == 1 and entries(app)[0].finished)
        assert entries(app)[0].outcome is Outcome.ACCEPTED
