"""show_text: a Static's new text is shown, and the screen is laid out again only when the text
can change the Static's size (with the log's table on screen, each pass costs ~30 ms)."""

from __future__ import annotations

from typing import Self

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.widgets import Static

from tui.ui.widgets.static_text import show_text


class CountingStatic(Static):
    layouts = 0

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Self:
        self.layouts += layout
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


class TextApp(App[None]):
    CSS = "Vertical { width: 30; } #auto { width: auto; }"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield CountingStatic(Text("one line"), id="fill")
            yield CountingStatic("", id="auto")


async def test_a_text_as_tall_as_the_last_needs_no_layout_pass() -> None:
    async with TextApp().run_test() as pilot:
        fill = pilot.app.query_one("#fill", CountingStatic)
        fill.layouts = 0
        show_text(fill, Text("another line"))
        await pilot.pause()
        assert fill.layouts == 0
        assert "another line" in fill.render_line(0).text
        show_text(fill, Text("a text too long for one line of thirty cells"))
        await pilot.pause()
        assert fill.layouts and fill.size.height == 2  # taller: laid out again
        fill.layouts = 0
        show_text(fill, Text("a text too long for one line of thirty cells"))  # the same: nothing
        show_text(fill, Text("another text, too long for one line"))  # as tall: no pass
        await pilot.pause()
        assert fill.layouts == 0
        assert "another text" in fill.render_line(0).text


async def test_a_static_as_wide_as_its_text_is_laid_out_when_it_changes() -> None:
    async with TextApp().run_test() as pilot:
        auto = pilot.app.query_one("#auto", CountingStatic)
        show_text(auto, "12 of 400")
        await pilot.pause()
        assert auto.size.width == len("12 of 400")
        show_text(auto, "1,200 of 40,000")
        await pilot.pause()
        assert auto.size.width == len("1,200 of 40,000")
