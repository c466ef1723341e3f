"""HintView: the log's hint pane. A hint of any height is one screen layout pass (its own size
is fixed; only its scrollable height follows the text), it wraps to the pane, scrolls when long,
keeps the Text's styles, and its text can be selected and copied."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Offset
from textual.screen import Screen
from textual.selection import Selection

from tui.ui.widgets.hint_view import HintView

SHORT = Text("Accepted (201).", style="bold green")
LONG = Text("\n".join(f"line {n}: " + "word " * 12 for n in range(30)))


class HintApp(App[None]):
    CSS = "HintView { width: 40; height: 8; }"

    def compose(self) -> ComposeResult:
        yield HintView(Text("Nothing sent yet.", style="dim"), id="hint")


def count_layouts(screen: Screen[Any]) -> list[int]:
    passes = [0]
    original = screen._refresh_layout

    def counted(*args: Any, **kwargs: Any) -> None:
        passes[0] += 1
        original(*args, **kwargs)

    screen._refresh_layout = counted  # type: ignore[method-assign]
    return passes


async def test_a_hint_of_another_height_is_one_layout_pass_and_keeps_the_pane_size() -> None:
    async with HintApp().run_test() as pilot:
        hint = pilot.app.query_one(HintView)
        await pilot.pause()
        size = hint.size
        passes = count_layouts(pilot.app.screen)
        for content in (LONG, SHORT, LONG):
            passes[0] = 0
            hint.show(content)
            await pilot.pause()
            await pilot.pause()
            assert passes[0] <= 1  # (a Static in a VerticalScroll took three)
            assert hint.size == size
        assert hint.virtual_size.height > hint.size.height  # the long one scrolls
        hint.scroll_to(y=5, animate=False)
        await pilot.pause()
        passes[0] = 0
        hint.show(LONG)  # already shown: nothing to do, not even a scroll back
        await pilot.pause()
        assert passes[0] == 0 and hint.scroll_y == 5
        hint.show(SHORT)
        await pilot.pause()
        assert hint.scroll_y == 0 and hint.virtual_size.height == 1


async def test_it_wraps_to_the_pane_keeps_styles_and_rewraps_on_resize() -> None:
    async with HintApp().run_test() as pilot:
        hint = pilot.app.query_one(HintView)
        await pilot.pause()
        assert "Nothing sent yet." in hint.render_line(0).text
        style = next(iter(hint.render_line(0))).style
        assert style is not None and style.dim  # the Text's own style
        hint.show(Text("Nothing sent yet.", style="bold"))  # the same text in another style
        await pilot.pause()
        style = next(iter(hint.render_line(0))).style
        assert style is not None and style.bold and not style.dim
        words = Text("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu")
        hint.show(words)
        await pilot.pause()
        width = hint.scrollable_content_region.width
        lines = [hint.render_line(y).text.rstrip() for y in range(hint.virtual_size.height)]
        assert all(len(line) <= width for line in lines) and len(lines) >= 2
        assert " ".join(lines).split() == words.plain.split()  # nothing lost in the wrap
        hint.styles.width = 80
        await pilot.pause()
        await pilot.pause()
        assert hint.virtual_size.height == 1  # wrapped again, at the new width


async def test_its_text_can_be_selected_with_the_mouse() -> None:
    async with HintApp().run_test() as pilot:
        hint = pilot.app.query_one(HintView)
        hint.show(Text("Fix: confirm the data centre\nthen copy the key"))
        await pilot.pause()
        selected = hint.get_selection(Selection.from_offsets(Offset(5, 0), Offset(12, 0)))
        assert selected is not None and selected[0] == "confirm"
        await pilot.mouse_down(HintView, offset=(5, 0))  # a drag across two lines
        await pilot.hover(HintView, offset=(12, 1))
        await pilot.mouse_up(HintView, offset=(12, 1))
        await pilot.pause()
        assert pilot.app.screen.get_selected_text() == "confirm the data centre\nthen copy the"
