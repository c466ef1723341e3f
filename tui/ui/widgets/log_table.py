"""The delivery log's table: one line per delivery, drawn by the line.

A DataTable measures every cell of every row it is given and renders them again: refilling one
with a page of 200 history entries took ~150 ms of the 50 ms a page may take (PRODUCT.md §8).
This table keeps each row's cells and draws only the lines on screen (a ScrollView), so a page of
the history costs what is seen. It offers the part of DataTable's interface the log uses (rows by
key, a row cursor, RowHighlighted / RowSelected), with the header fixed above the rows.
Moving past its first or last row, or ctrl+home / ctrl+end, asks for another page of the history
(`EdgeReached`) instead of stopping at the loaded rows: see log_pages.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Edge = Literal["older", "newer", "oldest", "newest"]
Cells = list[Text] | Callable[[], list[Text]]
"""A row's cells, or what makes them when it is first drawn (a page costs what is on screen)."""
PAD = 1
"""Cells of space either side of a cell, as in a DataTable."""


class LogTable(ScrollView, can_focus=True):
    """Rows of Text cells by key, top to bottom; see the module docstring."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-table--header",
        "log-table--cursor",
        "log-table--even-row",
    }
    DEFAULT_CSS = """
    LogTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        & > .log-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .log-table--even-row { background: $surface-lighten-1 50%; }
        & > .log-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .log-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        &:dark > .log-table--even-row { background: $surface-darken-1 40%; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home", "scroll_top", "Top", show=False),
        Binding("ctrl+end", "scroll_bottom", "Bottom", show=False),
        Binding("home", "first_row", "First row", show=False),
        Binding("end", "last_row", "Last row", show=False),
    ]

    @dataclass
    class _RowMessage(Message):
        table: LogTable
        cursor_row: int
        row_key: str

        @property
        def control(self) -> LogTable:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor is on another row."""

    class RowSelected(_RowMessage):
        """Enter, or a click on the highlighted row."""

    @dataclass
    class EdgeReached(Message):
        edge: Edge

    def __init__(self, *, id: str | None = None, zebra_stripes: bool = True) -> None:
        super().__init__(id=id)
        self.zebra_stripes = zebra_stripes
        self.columns: list[tuple[str, str]] = []
        """(label, key) of each column, left to right."""
        self.rows: dict[str, Cells] = {}
        self._order: list[str] = []
        self._index: dict[str, int] | None = {}
        self._widths: list[int] = []
        self._least: list[int] = []
        self.cursor_row = 0
        self._told: str | None = None
        self._lines: LRUCache[tuple[str, int], tuple[tuple[int, int], Strip]] = LRUCache(128)
        """Drawn lines: a few screens' (each Strip has caches a full garbage collection walks)."""
        self._header: Strip | None = None
        self._styles: dict[str, Style] | None = None

    # ---- rows ----

    def add_column(self, label: str, *, key: str, width: int = 0) -> None:
        """`width`: the least it takes (one that fits every value keeps it still on scrolling)."""
        self.columns.append((label, key))
        self._least.append(max(len(label), width))
        self._widths.append(self._least[-1])

    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def ordered_keys(self) -> list[str]:
        """The rows' keys, top to bottom."""
        return list(self._order)

    @property
    def cursor_key(self) -> str | None:
        return self._order[self.cursor_row] if self._order else None

    def get_row_index(self, key: str) -> int:
        if self._index is None:
            self._index = {row_key: at for at, row_key in enumerate(self._order)}
        return self._index[key]

    def get_cell(self, key: str, column: str) -> Text:
        return self._cells(key)[self._column(column)]

    def _cells(self, key: str) -> list[Text]:
        cells = self.rows[key]
        if callable(cells):
            cells = self.rows[key] = cells()
            self._fit(cells)
        return cells

    def add_row(self, *cells: Text, key: str) -> None:
        self.add_rows([(key, list(cells))])

    def add_rows(self, rows: Iterable[tuple[str, Cells]]) -> None:
        """Rows below the last one (a key already here: its cells replaced, in its place)."""
        self._append(rows)
        self._changed()

    def _append(self, rows: Iterable[tuple[str, Cells]]) -> None:
        for key, cells in rows:
            if key in self.rows:
                self.rows[key] = cells
                self._forget(key)
            else:
                self.rows[key] = cells
                self._order.append(key)
                if self._index is not None:
                    self._index[key] = len(self._order) - 1
            if not callable(cells):
                self._fit(cells)

    def update_cell(self, key: str, column: str, value: Text, *, update_width: bool = True) -> None:
        cells = self._cells(key)
        cells[self._column(column)] = value
        self._forget(key)
        if update_width:
            self._fit(cells)
        self._changed()

    def remove_row(self, key: str) -> None:
        at = self.get_row_index(key)
        del self.rows[key]
        del self._order[at]
        self._index = None
        if at < self.cursor_row:
            self.cursor_row -= 1
        self.cursor_row = max(0, min(self.cursor_row, len(self._order) - 1))
        self._changed()

    def clear(self) -> None:
        self._empty()
        self.scroll_to(0, 0, animate=False)
        self._changed()

    def replace_rows(self, rows: Iterable[tuple[str, Cells]], *, cursor: str | int) -> None:
        """`clear`, `add_rows` and `move_cursor` in one change: a page as long and as wide as the
        last costs no layout pass, only its lines on screen, and one RowHighlighted. `cursor`: a
        row's key, or an index (-1: the last row); a key not among the rows counts as -1."""
        self._empty()
        self._append(rows)
        if isinstance(cursor, str):
            cursor = self.get_row_index(cursor) if cursor in self.rows else -1
        self.cursor_row = max(0, cursor if cursor >= 0 else len(self._order) + cursor)
        self._changed()
        self.move_cursor(row=self.cursor_row)

    def _empty(self) -> None:
        self.rows.clear()
        self._order.clear()
        self._index = {}
        self._widths = list(self._least)
        self._header = None
        self._lines.clear()
        self.cursor_row = 0

    def _forget(self, key: str) -> None:
        """Drop the row's drawn lines (an even row's, an odd one's, the cursor's)."""
        for drawn in range(3):
            self._lines.discard((key, drawn))

    def _column(self, key: str) -> int:
        return next(at for at, (_, column) in enumerate(self.columns) if column == key)

    def _fit(self, cells: list[Text]) -> None:
        widths = self._widths
        wider = False
        for at, cell in enumerate(cells):
            if cell.cell_len > widths[at]:
                widths[at] = cell.cell_len
                wider = True
        if wider:  # every line is drawn to the columns' widths
            self._header = None
            self._lines.clear()

    def _fit_virtual_size(self) -> None:
        width = sum(self._widths) + 2 * PAD * len(self._widths)
        self.virtual_size = Size(width, len(self._order) + 1)  # (+ the header)

    def _changed(self) -> None:
        self._fit_virtual_size()
        self.refresh()
        self._tell()

    def _tell(self) -> None:
        """RowHighlighted when the row under the cursor is another one."""
        key = self.cursor_key
        if key != self._told:
            self._told = key
            if key is not None:
                self.post_message(self.RowHighlighted(self, self.cursor_row, key))

    # ---- the cursor ----

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        if not self._order:
            return
        row = max(0, min(row, len(self._order) - 1))
        seen = self.scrollable_content_region.height - 1  # (the header)
        top = self.scroll_offset.y
        if row < top:
            self.scroll_to(y=row, animate=animate)
        elif seen > 0 and row >= top + seen:
            self.scroll_to(y=row - seen + 1, animate=animate)
        elif row == self.cursor_row:
            return  # (e.g. page up on the first row: nothing to draw again)
        self.cursor_row = row
        self.refresh()
        self._tell()

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def action_cursor_up(self) -> None:
        if self.cursor_row == 0:
            self.post_message(self.EdgeReached("older"))
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        if self.cursor_row >= self.row_count - 1:
            self.post_message(self.EdgeReached("newer"))
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        if self.cursor_row == 0:
            self.post_message(self.EdgeReached("older"))
        self.move_cursor(row=self.cursor_row - self._page())

    def action_page_down(self) -> None:
        if self.cursor_row >= self.row_count - 1:
            self.post_message(self.EdgeReached("newer"))
        self.move_cursor(row=self.cursor_row + self._page())

    def action_scroll_top(self) -> None:
        """ctrl+home: the log loads the oldest page, or moves to row 0 if everything is shown
        (not here first: that would show the hint of a row about to go)."""
        self.post_message(self.EdgeReached("oldest"))

    def action_scroll_bottom(self) -> None:
        self.post_message(self.EdgeReached("newest"))

    def action_first_row(self) -> None:
        self.move_cursor(row=0)

    def action_last_row(self) -> None:
        self.move_cursor(row=self.row_count - 1)

    def action_select_cursor(self) -> None:
        if (key := self.cursor_key) is not None:
            self.post_message(self.RowSelected(self, self.cursor_row, key))

    def on_click(self, event: events.Click) -> None:
        """A click highlights a row; a click on the highlighted row selects it (as DataTable)."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = self.scroll_offset.y + offset.y - 1
        if row >= self.row_count:
            return
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row=row)

    @on(events.Focus)
    @on(events.Blur)
    def _focus_changed(self) -> None:
        self._lines.clear()  # the cursor's line is drawn another way
        self.refresh()

    # ---- drawing ----

    def notify_style_update(self) -> None:
        self._styles = None
        self._header = None
        self._lines.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        """The widget's style ("") or a component's, worked out once per style update (each
        walks the widget's ancestors)."""
        if self._styles is None:
            self._styles = {"": self.rich_style}
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.rich_style + self.get_component_rich_style(name)
        return style

    def _strip(self, cells: list[Text], style: Style, *, plain: bool = False) -> Strip:
        """A line of `cells` at the columns' widths over `style`; `plain`: the cells' own styles
        left out (the cursor's line, which must read on any theme)."""
        line = Text(end="", no_wrap=True)
        for cell, width in zip(cells, self._widths, strict=False):
            piece = Text(cell.plain) if plain else cell.copy()
            if piece.cell_len > width:
                piece.truncate(width, overflow="ellipsis")
            line.append(" " * PAD)
            line.append_text(piece)  # (its style on its text only, not on the padding)
            line.append(" " * (width - piece.cell_len + PAD))
        # (Text.render leaves a Text's own style to its caller: it goes under every segment)
        return Strip(list(Segment.apply_style(line.render(self.app.console), style)))

    def render_lines(self, crop: Region) -> list[Strip]:
        """The rows on screen get their cells first: a column they widen is wide on every line."""
        top = self.scroll_offset.y
        widths = list(self._widths)
        for key in self._order[top : top + self.size.height]:
            self._cells(key)
        if self._widths != widths:
            self._fit_virtual_size()
            self.refresh()  # (lines outside `crop` were drawn narrower)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self._style("")
        if y == 0:
            header = self._style("log-table--header")
            if self._header is None:
                self._header = self._strip([Text(label) for label, _ in self.columns], header)
            return self._header.crop_extend(scroll_x, scroll_x + width, header)
        row = scroll_y + y - 1
        if row >= len(self._order):
            return Strip.blank(width, base)
        key = self._order[row]
        selected = row == self.cursor_row
        if selected:
            style = self._style("log-table--cursor")
        elif self.zebra_stripes and row % 2:
            style = self._style("log-table--even-row")
        else:
            style = base
        cached = (key, 2 if selected else row % 2)
        drawn = self._lines.get(cached)
        if drawn is None or drawn[0] != (scroll_x, width):
            line = self._strip(self._cells(key), style, plain=selected)
            strip = line.crop_extend(scroll_x, scroll_x + width, style)
            drawn = self._lines[cached] = ((scroll_x, width), strip)
        return drawn[1]
