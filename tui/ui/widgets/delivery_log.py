"""The delivery log: one row per send from the moment it starts, the hint of the highlighted one,
and a rate-limit gauge fed by the X-RateLimit headers of the responses.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical

from tui.delivery.exports import entry_to_curl, write_export
from tui.store.history import History, is_interrupted, matches
from tui.store.settings import AppSettings
from tui.ui.clipboard import copy_or_save
from tui.ui.messages import EditRequested, ResendRequested
from tui.ui.startup import after_first_paint
from tui.ui.themes import conceal_text, entry_secrets, is_presentation
from tui.ui.widgets.hint_view import HintView
from tui.ui.widgets.log_filter import LogFilter, LogQuery
from tui.ui.widgets.log_pages import PAGE, STEP, Window, fetch_page, filter_summary
from tui.ui.widgets.log_rows import COLUMNS, WIDTHS, Shown, page_rows, row_cells
from tui.ui.widgets.log_table import LogTable
from tui.ui.widgets.rate_gauge import RateGauge
from tui.ui.widgets.verdicts import hint_text
from tui.webengage.entry import LogEntry


class DeliveryLog(Vertical):
    """Keeps a row per entry id; `upsert(entry)` adds or updates one without touching the others."""

    BORDER_TITLE = "Delivery log"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_curl", "Copy curl"),
        Binding("r", "resend", "Resend"),
        Binding("R", "retry", "Retry same id", show=False),
        Binding("e", "edit", "Edit"),
        Binding("slash", "app.filter_log", "Filter"),
    ]

    def __init__(self, *, id: str | None = None, defer_filter: bool = False) -> None:
        super().__init__(id=id)
        self._defer_filter = defer_filter
        """Mount the filter row just after the first paint (tui/ui/startup.py): hidden until then."""
        self.entries: dict[str, LogEntry] = {}
        self.interrupted: set[str] = set()
        self.history: History | None = None
        """Where the filter searches (set by the app); None: only what this session saw."""
        self.filter = LogQuery()
        self._seen: dict[str, LogEntry] = {}
        self._hidden: set[str] = set()  # arrived since the filter was set, hidden by it: counted
        self._counts: tuple[int, int, int] = (0, 0, 0)  # matching, everything, shown
        self.window = Window()  # which page of the history is shown (log_pages.py)
        self._newer: set[str] = set()  # arrived while scrolled back: counted, shown on ctrl+end
        self._paging = False

    def compose(self) -> ComposeResult:
        yield RateGauge(id="rate-gauge")
        yield after_first_paint(LogFilter(id="log-filter"), self._defer_filter)
        with Horizontal(id="log-body"):
            yield LogTable(id="log-table", zebra_stripes=True)
            yield HintView(
                Text("Nothing sent yet: F5 sends the event.", style="dim"), id="log-hint"
            )

    def on_mount(self) -> None:
        table = self.table
        for label, key in COLUMNS:
            table.add_column(label, key=key, width=WIDTHS.get(key, 0))

    @property
    def table(self) -> LogTable:
        return self.query_one("#log-table", LogTable)

    def upsert(self, entry: LogEntry, *, interrupted: bool = False, select: bool = False) -> None:
        table = self.table
        if self.history is None:  # (with a history, the filter searches that instead)
            self._seen[entry.id] = entry
        if entry.id not in self.entries and not self.window.at_newest:
            self._newer.add(entry.id)  # scrolled back: it waits below, counted
            self.window.newer = len(self._newer)
            self._show_window()
            self._note_rate(entry)
            return
        if entry.id not in self.entries and self.filter.active and not self._matches(entry):
            self._note_rate(entry)
            if entry.id not in self._hidden:  # counted, not invisible
                self._hidden.add(entry.id)
                self._show_filter_count()
            return  # filtered out; it appears once it matches (an outcome filter: when it ends)
        self._hidden.discard(entry.id)
        self.entries[entry.id] = entry
        if interrupted:
            self.interrupted.add(entry.id)
        cells = row_cells(entry, interrupted=interrupted)
        if entry.id in table.rows:
            for (_, key), value in zip(COLUMNS, cells, strict=True):
                table.update_cell(entry.id, key, value, update_width=True)
        else:
            table.add_row(*cells, key=entry.id)
            self.window.size += 1
            self.window.total += 1
            if self.history is not None and table.row_count > PAGE + STEP:
                self._trim_oldest()
        if select:
            table.move_cursor(row=table.get_row_index(entry.id))
        if self.current_id == entry.id:
            self._show_hint(entry)
        self._note_rate(entry)

    def _trim_oldest(self) -> None:
        """Keep the newest PAGE rows: a replay or the listener adds thousands in a session, and
        the older ones are a page load away in the history (as when scrolling back). Rows at or
        below the cursor stay, and so does a delivery still in flight (its end updates its row)."""
        table = self.table
        cursor = table.cursor_row
        gone = 0
        for entry_id in table.ordered_keys[: min(table.row_count - PAGE, cursor)]:
            entry = self.entries.get(entry_id)
            if entry is not None and not entry.finished and entry_id not in self.interrupted:
                break
            table.remove_row(entry_id)
            self.entries.pop(entry_id, None)
            self.interrupted.discard(entry_id)
            gone += 1
        if gone:
            self.window.size -= gone
            table.move_cursor(row=cursor - gone, animate=False)
            self._show_window()

    @property
    def current_id(self) -> str | None:
        return self.table.cursor_key

    @property
    def current(self) -> LogEntry | None:
        entry_id = self.current_id
        return self.entries.get(entry_id) if entry_id else None

    def _show_hint(self, entry: LogEntry) -> None:
        text = hint_text(entry, interrupted=entry.id in self.interrupted)
        if is_presentation(self.app):
            text = conceal_text(text, entry_secrets(entry))
        self.query_one("#log-hint", HintView).show(text)

    def refresh_presentation(self) -> None:
        """Presentation mode toggled: the hint pane names the license code, so show it again."""
        if (entry := self.current) is not None:
            self._show_hint(entry)

    @on(LogTable.RowHighlighted, "#log-table")
    def _on_highlight(self, event: LogTable.RowHighlighted) -> None:
        entry = self.entries.get(event.row_key)
        if entry is not None:
            self._show_hint(entry)

    @on(LogTable.EdgeReached)
    def _on_edge(self, message: LogTable.EdgeReached) -> None:
        """The cursor went past the loaded rows: move the window over the history."""
        message.stop()
        if message.edge == "oldest":
            self.action_oldest()
        elif message.edge == "newest":
            self.action_newest()
        elif self.history is not None and not self._paging and (entry := self.current):
            older = message.edge == "older"
            offset = self.window.older() if older else self.window.newer_offset()
            if offset is not None:  # the cursor stays on `entry`, with the next rows beside it
                self._page_to(offset, focus=entry.id)

    def action_oldest(self) -> None:
        """ctrl+home: the oldest entry in the history (one page load)."""
        if self.history is not None and self.window.total > self.window.size:
            self._page_to(self.window.oldest(), cursor="top")
        elif self.table.row_count:
            self.table.move_cursor(row=0)

    def action_newest(self) -> None:
        """ctrl+end: back to the newest entries."""
        if (self.history is not None and not self.window.at_newest) or self.window.newer:
            self._page_to(0, cursor="end")
        elif self.table.row_count:
            self.table.move_cursor(row=self.table.row_count - 1)

    def _page_to(self, offset: int, *, focus: str | None = None, cursor: str = "end") -> None:
        if self.history is None:
            return
        self._paging = True
        newest = next(reversed(self.entries), None)  # the window's newest row, at window.offset
        anchor = (newest, self.window.offset) if newest is not None else None
        self._run_query(self.filter, self.history, offset, focus, cursor, anchor)

    def _show_window(self) -> None:
        if not self.filter.active:
            self.border_subtitle = self.window.describe()

    def _matches(self, entry: LogEntry) -> bool:
        try:
            return matches(entry, **self.filter.kwargs())
        except ValueError:
            return False

    def show_page(
        self, entries: list[LogEntry], *, focus: str | None = None, top: bool = False
    ) -> None:
        """Replace the rows with `entries` (newest first, as History gives them)."""
        shown = (self.entries, self.interrupted, self.table.rows)
        self.entries, self.interrupted = {}, set()
        self.show_history(entries, focus=focus, top=top, replace=shown)
        if not entries and self.filter.active:
            nothing = Text("Nothing matches: change or clear the filters.", style="dim")
            self.query_one("#log-hint", HintView).show(nothing)

    # ---- filtering ----

    @on(LogFilter.Changed)
    def _on_filter(self, message: LogFilter.Changed) -> None:
        message.stop()
        if message.query == self.filter:
            return  # e.g. the outcome picker's own Changed as it mounts
        self.filter = message.query
        try:
            kwargs = self.filter.kwargs()
        except ValueError as error:
            self._show_count(str(error))
            return
        if self.history is None:  # only what this session saw
            found = [e for e in reversed(self._seen.values()) if matches(e, **kwargs)]
            page = Window(size=min(len(found), PAGE), total=len(found))
            self._show_matches(self.filter, found[:PAGE], len(self._seen), page)
        else:
            self._run_query(self.filter, self.history)

    @work(thread=True, exclusive=True, group="log-filter", exit_on_error=False)
    def _run_query(
        self,
        query: LogQuery,
        history: History,
        offset: int = 0,
        focus: str | None = None,
        cursor: str = "end",
        anchor: tuple[str, int] | None = None,
    ) -> None:
        """Off the UI thread, so typing never waits for it (a filter's first page scans the
        history: ~250 ms for a word in 100,000 entries)."""
        found, everything, page = fetch_page(history, query.kwargs(), query.active, offset, anchor)
        self.app.call_from_thread(self._show_matches, query, found, everything, page, focus, cursor)

    def _show_matches(
        self,
        query: LogQuery,
        found: list[LogEntry],
        everything: int,
        page: Window,
        focus: str | None = None,
        cursor: str = "end",
    ) -> None:
        self._paging = False
        if query != self.filter:
            return  # an older query answered late
        if page.at_newest:
            self._newer.clear()
        self.show_page(found, focus=focus, top=cursor == "top")
        self.window = page
        self._hidden.clear()
        self._counts = (page.total, everything, len(found))
        self._show_filter_count()
        self._show_window()

    def _show_filter_count(self) -> None:
        """While a filter is on, say so: how many match, how many it hides, new ones included."""
        if not self.filter.active:
            self._show_count("")
            self.border_subtitle = ""
            return
        count, self.border_subtitle = filter_summary(*self._counts, new=len(self._hidden))
        self._show_count(count)

    def _show_count(self, text: str) -> None:
        for row in self.query(LogFilter):  # (none for a moment at start: after_first_paint)
            row.show_count(text)

    def action_filter(self) -> None:
        for row in self.query(LogFilter):
            row.focus_search()

    def load_history(self, history: History, entries: list[LogEntry]) -> None:
        """The newest page of `history` at start; the rest is paged in as the cursor moves."""
        self.history = history
        self.show_history(entries)
        for entry in reversed(entries):  # (the gauge shows the latest rates seen)
            self._note_rate(entry)
        self.window = Window(size=len(entries), total=history.count())
        self._show_window()

    def show_history(
        self,
        entries: list[LogEntry],
        *,
        focus: str | None = None,
        top: bool = False,
        replace: Shown | None = None,
    ) -> None:
        """Earlier deliveries, newest first as History gives them, all at once (they match the
        filter and belong in the window); unfinished ones were cut off. The cursor goes to
        `focus`, else to the top (`top`) or to the newest. `replace`: the rows shown until now,
        replaced (log_rows.page_rows)."""
        for entry in reversed(entries):
            self.entries[entry.id] = entry
            if is_interrupted(entry) or entry.outcome is None:
                self.interrupted.add(entry.id)
        rows = page_rows(entries[::-1], self.interrupted, replace)
        table = self.table
        if replace is not None:
            table.replace_rows(rows, cursor=focus if focus is not None else 0 if top else -1)
            return
        table.add_rows(rows)
        if focus is not None and focus in table.rows:
            table.move_cursor(row=table.get_row_index(focus))
        else:
            table.move_cursor(row=0 if top else table.row_count - 1)

    # ---- the highlighted entry ----

    def open_current(self) -> None:
        entry = self.current
        if entry is not None:
            # loaded on first use: its JSON highlighting (pygments) is not needed to start
            from tui.ui.widgets.entry_detail import EntryDetailScreen

            self.app.push_screen(EntryDetailScreen(entry, interrupted=entry.id in self.interrupted))

    def copy_current(self) -> None:
        entry = self.current
        if entry is not None:
            copy_or_save(
                self.app,
                entry_to_curl(entry),
                what="curl (the key read from $WEBENGAGE_API_KEY)",
                folder=getattr(self.app, "settings", AppSettings()).exports_dir,
                suffix=".sh",
            )

    def resend_current(self, *, retry: bool = False) -> None:
        """Send the selected delivery again: as new, or (`retry`) with its x-request-id."""
        entry = self.current
        if entry is not None:
            self.post_message(ResendRequested(entry.id, retry=retry))

    def edit_current(self) -> None:
        entry = self.current
        if entry is not None:
            self.post_message(EditRequested(entry.id))

    def export(self, directory: Path, kind: str) -> Path | None:
        """Write the selected delivery's Markdown evidence pack (`kind="evidence"`), or the
        shown log as HAR 1.2 (`kind="har"`), into `directory`, 0600; the key is never in either."""
        entries = list(self.entries.values())
        entry = self.current
        if not entries or (kind == "evidence" and entry is None):
            self.app.notify("Nothing to export yet: send something first.", severity="warning")
            return None
        try:
            path = write_export(directory, kind, entries, entry)
        except OSError as error:
            self.app.notify(f"Not exported: {error}", severity="error")
            return None
        self.app.notify(f"Written: {path}", title="Exported", timeout=10, markup=False)
        return path

    def action_copy_curl(self) -> None:
        self.copy_current()

    def action_resend(self) -> None:
        self.resend_current()

    def action_retry(self) -> None:
        self.resend_current(retry=True)

    def action_edit(self) -> None:
        self.edit_current()

    @on(LogTable.RowSelected, "#log-table")
    def _on_row_selected(self, event: LogTable.RowSelected) -> None:
        event.stop()
        self.open_current()

    def use_rate_target(self, address: str, license_code: str) -> None:
        """The gauge follows the current connection: another target has a limit of its own."""
        self.query_one(RateGauge).use_target(address, license_code)

    def _note_rate(self, entry: LogEntry) -> None:
        self.query_one(RateGauge).note(entry)
