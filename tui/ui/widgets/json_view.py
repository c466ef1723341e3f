"""A read-only view of JSON text that redraws only the lines that changed.

The preview's body changes by one line a keystroke. A TextArea repaints all its visible lines on any
change (each through tree-sitter's highlights and its own line renderer); this view is a Line-API
widget (`ScrollView.render_line`): each line's Strip is kept, keyed by the line's text, and
`update()` asks Textual to repaint only the rows whose text changed (`refresh_lines`), so the
compositor redraws one row where the TextArea had it redraw the pane.

The text is JSON as this app writes it (`json_text`, one value or key per line, strings never
spanning lines), so each line is highlighted on its own by a small tokenizer, in the colours of
TextArea's default ("css") theme: the body looks as it did in a TextArea. Any other text is shown
plainly where it does not tokenize. Text is selected with the mouse (or `ctrl+a` for all of it) and
copied with ctrl+c, as Textual's screens do for any selectable widget.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.widgets.text_area import TextAreaTheme

TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*")(?P<key>(?=\s*:))?'
    r"|(?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"
    r"|(?P<boolean>true|false)"
    r"|(?P<null>null)"
    r"|(?P<bracket>[][{}])"
    r"|(?P<delimiter>[,:])"
)
"""One JSON token; a string followed by `:` is a key."""

HIGHLIGHT_OF = {
    "key": "json.label",
    "string": "string",
    "number": "number",
    "boolean": "boolean",
    "null": "json.null",
    "bracket": "punctuation.bracket",
    "delimiter": "punctuation.delimiter",
}
"""Token kind to the name tree-sitter's JSON query gives it (what a TextArea's theme styles)."""

THEME = "css"
"""TextArea's default theme, whose syntax colours the body had when it was a TextArea."""

LINE_CACHE_SIZE = 2048
"""Rendered lines kept, by text: more than a 200-attribute event's body, twice."""


def tokens(line: str) -> list[tuple[str, str]]:
    """`line` cut into (text, kind) pieces, kind "" for what is not a token (spaces, anything
    that is not JSON)."""
    pieces: list[tuple[str, str]] = []
    end = 0
    for match in TOKEN.finditer(line):
        start = match.start()
        if start > end:
            pieces.append((line[end:start], ""))
        kind = match.lastgroup or ""
        if kind == "string" and match["key"] is not None:
            kind = "key"
        pieces.append((match.group(), kind))
        end = match.end()
    if end < len(line):
        pieces.append((line[end:], ""))
    return pieces


class JsonView(ScrollView, can_focus=True):
    """Read-only, highlighted JSON text; `update(text)` repaints only the changed lines."""

    ALLOW_SELECT = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+a", "select_all", "Select all", show=False),
    ]
    DEFAULT_CSS = """
    JsonView {
        background: $surface;
        color: $foreground;
    }
    """

    def __init__(
        self,
        text: str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._lines: list[str] = []
        self._widths: list[int] = []
        """Cell width of each line, for the virtual width."""
        self._strips: LRUCache[str, Strip] = LRUCache(LINE_CACHE_SIZE)
        self._styles: dict[str, Style] | None = None
        self.update(text)

    @property
    def text(self) -> str:
        """All the text shown."""
        return "\n".join(self._lines)

    @property
    def lines(self) -> Sequence[str]:
        """The lines shown (read only)."""
        return self._lines

    def update(self, text: str) -> None:
        """Show `text`, repainting only the rows whose line changed (or moved)."""
        new = text.split("\n")
        old = self._lines
        if new == old:
            return
        limit = min(len(old), len(new))
        first = 0
        while first < limit and old[first] == new[first]:
            first += 1
        same_end = 0
        while same_end < limit - first and old[-1 - same_end] == new[-1 - same_end]:
            same_end += 1
        changed = [cell_len(line) for line in new[first : len(new) - same_end]]
        widths = self._widths
        widths[first : len(old) - same_end] = changed
        self._lines = new
        self.virtual_size = Size(max(widths), len(new))
        # With as many lines, only the changed ones; otherwise all below the first moved.
        last = len(new) - same_end if len(old) == len(new) else max(len(old), len(new))
        scroll_y = self.scroll_offset.y
        top, bottom = max(first, scroll_y), min(last, scroll_y + self.size.height)
        if bottom > top:
            self.refresh_lines(top, bottom - top)

    def notify_style_update(self) -> None:
        """Colours may have changed (theme, CSS class): render every line again."""
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    def _token_styles(self) -> dict[str, Style]:
        """The style of each token kind: this widget's colours, with the theme's on top."""
        if self._styles is None:
            base = self.rich_style
            theme = TextAreaTheme.get_builtin_theme(THEME)
            syntax = theme.syntax_styles if theme is not None else {}
            self._styles = {"": base} | {
                kind: base + syntax[name] if name in syntax else base
                for kind, name in HIGHLIGHT_OF.items()
            }
        return self._styles

    def _line_strip(self, line: str) -> Strip:
        """The whole of `line`, highlighted (cached by its text)."""
        strip = self._strips.get(line)
        if strip is None:
            styles = self._token_styles()
            segments = [Segment(text, styles[kind]) for text, kind in tokens(line)]
            strip = Strip(segments, cell_len(line))
            self._strips[line] = strip
        return strip

    def _selected_strip(self, y: int, selection: Selection) -> Strip | None:
        """Line `y` with its selected part styled as a selection; None if none of it is."""
        span = selection.get_span(y)
        if span is None:
            return None
        start, end = span
        line = self._lines[y]
        styles = self._token_styles()
        text = Text(end="", no_wrap=True)
        for piece, kind in tokens(line):
            text.append(piece, styles[kind])
        text.stylize(self._selection_style(), start, len(line) if end == -1 else end)
        return Strip(text.render(self.app.console), cell_len(line))

    def _selection_style(self) -> Style:
        """The screen's selection colours; a transparent foreground (the default) keeps the
        text's own colour rather than painting it in the background's."""
        blended = self.screen.get_component_rich_style("screen--selection")
        foreground = self.screen.get_component_styles("screen--selection").color
        return Style(bgcolor=blended.bgcolor, color=blended.color if foreground.a else None)

    def render_line(self, y: int) -> Strip:
        """Row `y` of the view: its line scrolled, cropped to the width, with the offsets that
        let Textual map a mouse selection back to the text."""
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self._token_styles()[""]
        if index >= len(self._lines):
            return Strip.blank(width, base)
        selection = self.text_selection
        strip = None if selection is None else self._selected_strip(index, selection)
        if strip is None:
            strip = self._line_strip(self._lines[index])
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_offsets(scroll_x, index)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text, for Textual's copy (ctrl+c)."""
        return selection.extract(self.text), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        """The screen's selection changed: draw it (or its end)."""
        self.refresh()

    def action_select_all(self) -> None:
        """Select the whole text (ctrl+c then copies it)."""
        self.screen.selections = {self: Selection(None, None)}
