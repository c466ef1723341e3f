"""A TextArea that highlights only what is on screen (plus a margin), not the whole document.

Textual 8.2.8's TextArea rebuilds the highlight map of the entire document on every edit: for a
200-attribute event that is most of a keystroke's budget, twice (the editor and the preview). Here
an edit only drops the map; it is rebuilt for the visible rows when they are next drawn, and again
when scrolling leaves the highlighted window. Tied to TextArea internals of the pinned Textual.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.geometry import Offset, Region
from textual.strip import Strip
from textual.widgets import TextArea

WINDOW_MARGIN = 80
"""Rows highlighted above and below the visible ones, so scrolling rarely needs a rebuild."""
EDIT_MARGIN = 2
"""The same, for the rebuild that follows an edit: it is on the keystroke's path, where highlighting
WINDOW_MARGIN rows costs ~4 ms and the visible ones ~0.3 ms; the next scroll widens it again."""


class JsonArea(TextArea):
    """TextArea(language="json") with on-demand, windowed syntax highlighting.

    Tab leaves the editor (and shift+tab comes back), as in every other field; ctrl+] indents
    by two spaces instead."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+right_square_bracket", "indent", "Indent", show=False),
    ]

    def action_indent(self) -> None:
        self.insert("  ")

    _window: tuple[int, int] = (0, -1)
    _margin = WINDOW_MARGIN

    def _build_highlight_map(self) -> None:
        """Called by TextArea after each edit: forget the map; render_lines rebuilds what it needs."""
        self._window = (0, -1)
        self._margin = EDIT_MARGIN
        self._line_cache.clear()
        self._highlights.clear()

    def _visible_rows(self, crop: Region) -> tuple[int, int]:
        top = self.scroll_offset.y + crop.y
        bottom = top + max(crop.height, 1) - 1
        wrapped = self.wrapped_document
        try:
            first = wrapped.offset_to_location(Offset(0, top))[0]
        except ValueError:
            first = 0
        try:
            last = wrapped.offset_to_location(Offset(0, bottom))[0]
        except ValueError:
            last = self.document.line_count - 1
        return first, last

    def _highlight_rows(self, first: int, last: int) -> None:
        low, high = self._window
        if low <= first and last <= high:
            return
        margin, self._margin = self._margin, WINDOW_MARGIN
        low = max(0, first - margin)
        high = last + margin
        self._line_cache.clear()
        highlights = self._highlights
        highlights.clear()
        self._window = (low, high)
        if not self._highlight_query:
            return
        captures = self.document.query_syntax_tree(
            self._highlight_query, start_point=(low, 0), end_point=(high + 1, 0)
        )
        for name, nodes in captures.items():
            for node in nodes:
                start_row, start_column = node.start_point
                end_row, end_column = node.end_point
                if start_row == end_row:
                    highlights[start_row].append((start_column, end_column, name))
                    continue
                highlights[start_row].append((start_column, None, name))
                for row in range(start_row + 1, end_row):
                    highlights[row].append((0, None, name))
                highlights[end_row].append((0, end_column, name))

    def render_lines(self, crop: Region) -> list[Strip]:
        self._highlight_rows(*self._visible_rows(crop))
        return super().render_lines(crop)
