"""The Live tab: what the listener receives and what the relay passes on, newest first.

The listener and the relay report from their own threads into `feed` (a deque: appending is
thread-safe and never waits); a timer drains it every FLUSH_S, so a thousand events a second
cost the app a handful of updates a second, not a thousand. The latest ROWS_MAX rows are kept
in memory and drawn line by line (only the visible lines are ever rendered); the rest are on
disk, in the history. Enter opens the highlighted event in the mapping view, `e` loads it into
the composer, `f` turns forwarding on or off. Presentation mode conceals the credentials.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from tui.live.exchange import Exchange
from tui.live.received import Received
from tui.safe_text import visible
from tui.ui.themes import conceal_text, entry_secrets, is_presentation, secrets_of
from tui.ui.widgets.live_rows import (
    Counters,
    LiveRow,
    detail_text,
    from_exchange,
    from_received,
    header_text,
    row_segments,
    target_words,
)
from tui.webengage.entry import LogEntry, Target, target_of
from tui.webengage.request import Connection

if TYPE_CHECKING:
    from tui.live.listen import Listener
    from tui.live.relay import Relay

FLUSH_S = 0.1
ROWS_MAX = 1000
"""Rows kept in memory (and scrollable); every event is in the history on disk."""


class LiveTable(ScrollView, can_focus=True):
    """The rows, newest first, drawn by the line (a ScrollView: 1,000 rows cost what is seen)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"live-table--cursor"}
    DEFAULT_CSS = """
    LiveTable { height: 1fr; overflow-x: hidden; }
    LiveTable > .live-table--cursor { background: $block-cursor-background;
        color: $block-cursor-foreground; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "move(-20)", show=False),
        Binding("pagedown", "move(20)", show=False),
        Binding("home", "move(-1000000)", show=False),
        Binding("end", "move(1000000)", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: dict[str, LiveRow] = {}
        self.order: list[str] = []  # oldest first; line 0 is the newest
        self.cursor = 0
        self.on_paint: Callable[[LiveRow], None] | None = None
        """Told of each row the first time a frame draws it (receipt-to-screen latency)."""
        self.on_cursor: Callable[[LiveRow | None], None] | None = None
        self._painted: set[str] = set()
        self._cache: LRUCache[tuple[str, int, bool], Strip] = LRUCache(512)
        self._style_pair: tuple[Style, Style] | None = None

    def row_at(self, index: int) -> LiveRow | None:
        if 0 <= index < len(self.order):
            return self.rows.get(self.order[-1 - index])
        return None

    @property
    def current(self) -> LiveRow | None:
        return self.row_at(self.cursor)

    def apply(self, rows: list[LiveRow]) -> None:
        """New rows on top, updated rows in place, the oldest beyond ROWS_MAX dropped; a cursor
        away from the top stays on its row."""
        added = 0
        for row in rows:
            if row.id in self.rows:
                self.rows[row.id] = row
                self._painted.add(row.id)  # (its first paint was measured already)
                self._forget(row.id)
            elif not row.update:
                self.rows[row.id] = row
                self.order.append(row.id)
                added += 1
        excess = len(self.order) - ROWS_MAX
        if excess > 0:
            for gone in self.order[:excess]:
                self.rows.pop(gone, None)
                self._painted.discard(gone)
            del self.order[:excess]
        following = self.cursor == 0 and self.scroll_y == 0
        if added and not following:
            self.cursor = min(self.cursor + added, len(self.order) - 1)
            self.set_scroll(None, self.scroll_y + added)
        self.virtual_size = Size(0, len(self.order))  # (lines fit the width: no x scrolling)
        self.refresh()
        if added or rows:
            self._tell_cursor()

    def repaint(self) -> None:
        """Draw every line again (the theme changed)."""
        self._cache.clear()
        self._style_pair = None
        self.refresh()

    def _forget(self, row_id: str) -> None:
        """Drop a row's drawn lines (it changed); the others stay cached, keyed by row, not by y."""
        width = self.size.width
        self._cache.discard((row_id, width, False))
        self._cache.discard((row_id, width, True))

    def _styles(self) -> tuple[Style, Style]:
        """The base and the cursor styles, worked out once per theme (a widget's `rich_style`
        walks its ancestors: per line, it was most of a frame's time)."""
        if self._style_pair is None:
            cursor = self.get_component_rich_style("live-table--cursor")
            self._style_pair = (self.rich_style, cursor)
        return self._style_pair

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        base, cursor = self._styles()
        row = self.row_at(index)
        if row is None:
            return Strip.blank(width, base)
        selected = index == self.cursor
        key = (row.id, width, selected)
        strip = self._cache.get(key)
        if strip is None:
            segments = row_segments(row, width, cursor if selected else base, uniform=selected)
            strip = Strip(segments)
            if strip.cell_length != width:  # (narrower than the columns: cut)
                strip = strip.crop_extend(0, width, base)
            self._cache[key] = strip
        if row.id not in self._painted:
            self._painted.add(row.id)
            if self.on_paint is not None:
                self.on_paint(row)
        return strip

    def action_move(self, delta: int) -> None:
        if not self.order:
            return
        self.cursor = max(0, min(self.cursor + delta, len(self.order) - 1))
        height = self.scrollable_content_region.height
        if self.cursor < self.scroll_y:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= self.scroll_y + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)
        self.refresh()
        self._tell_cursor()

    def _tell_cursor(self) -> None:
        if self.on_cursor is not None:
            self.on_cursor(self.current)


class LiveView(Vertical):
    """The Live tab: where events come from, the counters, the rows, the highlighted one."""

    BORDER_TITLE = "Live"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Mapping"),
        Binding("e", "edit", "To composer"),
        Binding("f", "toggle_forward", "Forward on/off"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.feed: deque[Received | Exchange | str | Any] = deque()
        """Where the listener and the relay report, from their threads (append only)."""
        self.counters = Counters()
        self.listener: Listener | None = None
        self.relay: Relay | None = None
        self.forwarding = False
        self.last_refused = ""
        self._shown: dict[str, Text] = {}
        self.on_flush: Callable[[list[LiveRow]], None] | None = None
        self.on_deliveries: Callable[[list[LogEntry]], None] | None = None
        """Each flush's ended deliveries (forwarded events, relayed calls), oldest first: the app
        adds them to its delivery log."""
        self.opener: Callable[[LiveRow], None] | None = None
        """Enter: the row in the mapping view."""
        self.editor: Callable[[LiveRow], None] | None = None
        """`e`: the row's event in the composer."""
        self.toggler: Callable[[], None] | None = None
        """`f`: forwarding on or off."""

    def compose(self) -> ComposeResult:
        yield Static(Text("Not listening.", style="dim"), id="live-sources")
        yield Static(self.counters.text(), id="live-counters")
        yield Static(header_text(100), id="live-header")
        yield LiveTable(id="live-table")
        yield Static(Text(""), id="live-detail")

    @property
    def table(self) -> LiveTable:
        return self.query_one(LiveTable)

    def on_mount(self) -> None:
        self.set_interval(FLUSH_S, self.flush)
        self.table.on_cursor = self._show_detail
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self) -> None:
        self._shown.clear()
        self.table.repaint()
        self.refresh_texts()

    def on_resize(self) -> None:
        self.refresh_texts()

    # ---- the feed ----

    def flush(self) -> None:
        """Take everything reported since the last flush (from any thread) and show it. A burst
        of more than ROWS_MAX events is counted whole; only its newest ROWS_MAX become rows."""
        feed = self.feed
        if not feed:
            return
        items = [feed.popleft() for _ in range(len(feed))]
        rows: list[LiveRow] = []
        ended: list[LogEntry] = []
        fresh = 0
        refused = ""
        for item in reversed(items):  # newest first
            if isinstance(item, Received):
                self._count(item)
                if item.update and item.delivery is not None:
                    ended.append(item.delivery)
                if item.update or fresh < ROWS_MAX:
                    rows.append(from_received(item))
                    fresh += 0 if item.update else 1
            elif isinstance(item, Exchange):
                if item.entry is not None:
                    ended.append(item.entry)
                row = from_exchange(item)
                self._count_row(row)
                rows.append(row)
            elif isinstance(item, str):  # a warning from the listener or the relay
                self.app.notify(visible(item), severity="warning", markup=False)
            else:  # a refused request
                self.counters.refused += 1
                refused = refused or item.line()
        self.last_refused = refused or self.last_refused
        rows.reverse()
        if rows:
            self.table.apply(rows)
        self.refresh_texts()
        if self.on_flush is not None:
            self.on_flush(rows)
        if ended and self.on_deliveries is not None:
            ended.reverse()
            self.on_deliveries(ended)

    def _count(self, item: Received) -> None:
        counters = self.counters
        if not item.update:
            counters.received += 1
            counters.with_errors += 1 if item.errors else 0
        elif item.delivery is not None:
            counters.forwarded += 1
            counters.failed += 1 if item.failed else 0

    def _count_row(self, row: LiveRow) -> None:
        counters = self.counters
        counters.received += 1
        counters.with_errors += 1 if row.errors else 0
        counters.forwarded += 1 if row.forwarded else 0
        counters.failed += 1 if row.failed else 0

    # ---- the texts ----

    def _secrets(self, row: LiveRow | None = None) -> list[str]:
        if not is_presentation(self.app):
            return []
        found = secrets_of(self.app_connection())
        entry = None
        if row is not None:
            payload = row.payload
            entry = payload.delivery if isinstance(payload, Received) else payload.entry
        return found + (entry_secrets(entry) if entry is not None else [])

    def app_connection(self) -> Connection:
        connection = getattr(self.app, "connection", None)  # the app's (host.py), if it has one
        return connection if isinstance(connection, Connection) else Connection()

    def sources_text(self) -> Text:
        text = Text()
        if self.listener is not None and self.listener.running:
            text.append("● listening ", style="bold green")
            text.append(f"{self.listener.url} (SDKs)  ")
            if self.forwarding:
                text.append("forwarding to ", style="bold")
                text.append(target_words(self.app_connection()))
            else:
                text.append("preview only ", style="bold yellow")
                text.append("(f forwards to the account in use)", style="dim")
        if self.relay is not None and self.relay.running:
            text.append("\n" if text.plain else "")
            text.append("● relay ", style="bold magenta")
            text.append(f"{self.relay.url} (WebEngage calls)  ")
            text.append("forwarding to ", style="bold")
            upstream = self.relay.config.upstream
            sandbox = upstream is not None and target_of(upstream) is Target.SANDBOX
            where = self.relay.config.route.where
            text.append(f"the sandbox at {where}" if sandbox else where)
        return text if text.plain else Text("Not listening.", style="dim")

    def refresh_texts(self) -> None:
        secrets = self._secrets()
        sources = conceal_text(self.sources_text(), secrets)
        self._set("#live-sources", sources)
        counters = self.counters.text()
        table = self.table
        if len(table.order) >= ROWS_MAX:
            counters.append("  ")
            counters.append(f"(newest {ROWS_MAX:,} shown; all in the history)", style="dim")
        if self.last_refused:
            counters.append("\nlast refused: ", style="yellow")
            room = max(self.size.width - 20, 40)
            shown = self.last_refused
            counters.append(shown if len(shown) <= room else shown[: room - 1] + "…")
        self._set("#live-counters", counters)
        self._set("#live-header", header_text(table.size.width or 100))  # (a scrollbar narrows it)
        self._show_detail(table.current)

    def _set(self, selector: str, text: Text) -> None:
        """Update a text only when it changed, without a layout pass (its height is fixed in
        app.tcss): at 20 flushes a second, a layout each time is most of the app's work."""
        if self._shown.get(selector) == text:
            return
        self._shown[selector] = text
        self.query_one(selector, Static).update(text, layout=False)

    def _show_detail(self, row: LiveRow | None) -> None:
        if row is None:
            text = Text("Point an SDK at the listener: its events appear here.", style="dim")
        else:
            text = detail_text(row)
        self._set("#live-detail", conceal_text(text, self._secrets(row)))

    # ---- keys (what they do is handed in by tui/ui/live_control.py) ----

    def action_open(self) -> None:
        if (row := self.table.current) is not None and self.opener is not None:
            self.opener(row)

    def action_edit(self) -> None:
        if (row := self.table.current) is not None and self.editor is not None:
            self.editor(row)

    def action_toggle_forward(self) -> None:
        if self.toggler is not None:
            self.toggler()

    def on_unmount(self) -> None:
        """The app is closing (or the tab went): stop what serves into it."""
        for server in (self.listener, self.relay):
            if server is not None:
                server.stop()
        self.listener = self.relay = None
