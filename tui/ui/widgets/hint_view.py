"""The delivery log's hint pane: a Text wrapped to the pane's width, drawn by the line.

The hint changes with every move of the log's cursor. As a Static inside a VerticalScroll, a hint
of another height cost Textual three whole-screen layout passes in a row (the Static's height,
then the container's scrollable size, then its scrollbar), ~10–16 ms each with the table on
screen. This pane's own size is fixed by its CSS: a new hint changes only its scrollable height,
which is one layout pass, in the same frame as the table's (PRODUCT.md §8: a page under 50 ms).
Text in it can be selected with the mouse and copied, as in a Static.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip


class HintView(ScrollView):
    """Shows one Text (`show`), wrapped, scrolling when it is taller than the pane."""

    DEFAULT_CSS: ClassVar[str] = """
    HintView {
        overflow-x: hidden;
        overflow-y: scroll;  /* always: a scrollbar that came and went would cost 2 more passes */
        /* its track unseen: a short hint shows no bar (a long one, its thumb) */
        scrollbar-background: $background;
        scrollbar-background-hover: $background;
        scrollbar-background-active: $background;
    }
    """

    def __init__(self, content: Text, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.content = content
        """The Text shown, unwrapped."""
        self._lines: list[Text] = []
        self._wrapped_at = 0
        self._strips: dict[int, Strip] = {}

    def show(self, content: Text) -> None:
        """Show `content` from its first line; nothing to do when it is already shown."""
        if content == self.content and content.style == self.content.style:
            return  # (Text's == looks at the text and its spans, not its own style)
        self.content = content
        self._wrap(self._wrapped_at, force=True)
        self.scroll_to(y=0, animate=False)

    def _wrap(self, width: int, *, force: bool = False) -> None:
        if width <= 0 or (width == self._wrapped_at and not force):
            return
        self._wrapped_at = width
        self._lines = list(self.content.wrap(self.app.console, width, overflow="fold"))
        self._strips.clear()
        self.virtual_size = Size(width, len(self._lines))
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        """Wrapped to the width it is drawn at (the first frame comes before any Resize event;
        a new width is drawn again)."""
        self._wrap(self.scrollable_content_region.width)
        return super().render_lines(crop)

    def notify_style_update(self) -> None:
        self._strips.clear()
        super().notify_style_update()

    # ---- selection (as Textual's Log: the wrapped lines, one per line) ----

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract("\n".join(line.plain for line in self._lines)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._strips.clear()
        self.refresh()

    # ---- drawing ----

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= len(self._lines):
            return Strip.blank(width, base)
        strip = self._strips.get(row)
        if strip is None:
            strip = self._strips[row] = self._strip(row, base)
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_offsets(scroll_x, row)

    def _strip(self, row: int, base: Style) -> Strip:
        line = self._lines[row]
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(row)) is not None:
            start, end = span
            line = line.copy()
            line.stylize(
                self.screen.get_component_rich_style("screen--selection"),
                start,
                len(line) if end == -1 else end,
            )
        console = self.app.console
        if line.style:  # (Text.render applies a Text's own style only when it has spans)
            base = base + console.get_style(line.style)
        return Strip(Segment.apply_style(line.render(console), base), line.cell_len)
