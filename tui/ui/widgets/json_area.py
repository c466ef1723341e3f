"""A TextArea that highlights only what is on screen (plus a margin), and repaints only what an edit
changed.

Textual 8.2.8's TextArea rebuilds the highlight map of the entire document on every edit: for a
200-attribute event that is most of a keystroke's budget. Here an edit rebuilds it for the visible
rows only, and again when scrolling leaves the highlighted window. Tied to TextArea internals of the
pinned Textual (the highlight map and its line cache).

A TextArea also repaints every visible row after any edit (its `selection` is a repainting
reactive), ~0.4 ms a row on a keystroke's path. An edit within one line that moves nothing (same
line count, same wrapped height, no scroll) repaints here only the rows that can look different:
the edited line, the rows of the cursor and of the matching bracket before and after, and any
visible row whose highlights the edit changed (an unclosed quote can re-colour the rest).

And a TextArea derives its six component styles (cursor, gutter, selection, ...) from CSS again on
every draw, walking its ancestors for each (~0.7 ms a keystroke): Widget.refresh forgets them. Here
they are kept until the styles can have changed: a CSS update of this widget, another app theme, a
change of focus, of `read_only` or of ANSI colour (what the TextArea's default CSS depends on).
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple, Self

from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Offset, Region, Size
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult

WINDOW_MARGIN = 80
"""Rows highlighted above and below the visible ones, so scrolling rarely needs a rebuild."""
EDIT_MARGIN = 2
"""The same, for the rebuild that follows an edit: it is on the keystroke's path, where highlighting
WINDOW_MARGIN rows costs ~4 ms and the visible ones ~0.3 ms; the next scroll widens it again."""


class Frame(NamedTuple):
    """What decides where the rows of a JsonArea are drawn, and what it drew there."""

    lines: int
    height: int
    scroll: Offset
    size: Size
    rows: set[int]
    """Document rows that show the cursor, the selection or the matching bracket."""
    highlights: dict[int, set[tuple[int, int | None, str]]]
    """The visible rows' highlights."""


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
    _editing = False
    _styles: dict[tuple[object, ...], Style] | None = None

    def get_component_rich_style(
        self, *names: str, partial: bool = False, default: Style | None = None
    ) -> Style:
        """As Widget's, remembered until the styles can have changed (see the module docstring)."""
        if default is not None:
            return super().get_component_rich_style(*names, partial=partial, default=default)
        key = (names, partial, self.app.theme, self.app.ansi_color, self.has_focus, self.read_only)
        styles = self._styles
        if styles is None:
            styles = self._styles = {}
        style = styles.get(key)
        if style is None:
            style = styles[key] = super().get_component_rich_style(*names, partial=partial)
        return style

    def notify_style_update(self) -> None:
        self._styles = None
        super().notify_style_update()

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

    def edit(self, edit: Edit) -> EditResult:
        """Perform `edit`, repainting only the rows it changed when it moved none (see the
        module docstring); otherwise the whole widget, as TextArea does. Not with a placeholder,
        which an edit can show or hide over several rows."""
        if not self.is_mounted or self.placeholder:
            return super().edit(edit)
        before = self._frame()
        self._editing = True
        try:
            result = super().edit(edit)
        finally:
            self._editing = False
        one_line = edit.top[0] == edit.bottom[0] == result.end_location[0]
        rows = self._changed_rows(before, edit.top[0]) if one_line else None
        if rows is None:
            super().refresh()
        else:
            for row in sorted(rows):
                self._refresh_row(row)
        return result

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Self:
        """As Widget.refresh, but a whole-widget repaint asked during `edit` is left to it."""
        if self._editing and repaint and not (regions or layout or recompose):
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _marked_rows(self) -> set[int]:
        """Rows drawn differently for the selection: the cursor's, the selected ones, and the
        matching bracket's."""
        start, end = sorted(self.selection)
        rows = set(range(start[0], end[0] + 1))
        row, column = self.selection.end
        line = self.document.get_line(row) if row < self.document.line_count else ""
        if column < len(line) and (
            match := self.find_matching_bracket(line[column], (row, column))
        ):
            rows.add(match[0])
        return rows

    def _frame(self) -> Frame:
        """This widget's Frame now."""
        first, last = self._visible_rows(self.size.region)
        highlights = {row: set(self._highlights.get(row, ())) for row in range(first, last + 1)}
        return Frame(
            self.document.line_count,
            self.wrapped_document.height,
            self.scroll_offset,
            self.size,
            self._marked_rows(),
            highlights,
        )

    def _changed_rows(self, before: Frame, row: int) -> set[int] | None:
        """The rows to repaint after an edit of `row` alone, or None when rows moved (the whole
        widget then)."""
        after = (self.document.line_count, self.wrapped_document.height, self.scroll_offset)
        if after != (before.lines, before.height, before.scroll) or self.size != before.size:
            return None
        first, last = self._visible_rows(self.size.region)
        self._highlight_rows(first, last)
        rows = {row} | before.rows | self._marked_rows()
        for visible in range(first, last + 1):
            if set(self._highlights.get(visible, ())) != before.highlights.get(visible):
                rows.add(visible)
        return rows

    def _refresh_row(self, row: int) -> None:
        """Repaint the wrapped rows of document row `row`."""
        wrapped = self.wrapped_document
        top = wrapped.location_to_offset((row, 0)).y
        self.refresh_lines(top, len(wrapped.get_offsets(row)) + 1)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._highlight_rows(*self._visible_rows(crop))
        return super().render_lines(crop)
