"""The delivery log's rows: one line per entry, in the columns the log shows."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from rich.text import Text

from tui.safe_text import visible
from tui.ui.widgets.log_table import Cells
from tui.ui.widgets.verdicts import TARGET_STYLE, outcome_text, target_text
from tui.webengage.entry import LogEntry
from tui.webengage.outcomes import Outcome

COLUMNS = (
    ("time", "time"),
    ("to", "target"),
    ("event", "event"),
    ("data centre", "dc"),
    ("status", "status"),
    ("outcome", "outcome"),
    ("latency", "latency"),
    ("attempts", "attempts"),
)

EVENT_WIDTH = 24
WIDTHS = {
    "time": len("00:00:00"),
    "target": max(len(label) for label, _ in TARGET_STYLE.values()),
    "outcome": max(len(text) for text in (*Outcome, "interrupted", "⋯ in flight")),
}
"""What these columns' cells can be at the widest: the table draws a page's rows as they come
on screen, and these columns never widen as it scrolls."""


def latency_text(entry: LogEntry) -> str:
    """Time on the wire, and apart from it the time spent waiting between retries."""
    latency = entry.latency_ms
    if latency is None:
        return ""
    waited = entry.waited_s
    return f"{latency:,.0f} ms" + (f" +{waited:g} s wait" if waited else "")


def row_cells(entry: LogEntry, *, interrupted: bool = False) -> list[Text]:
    """The row's cells, each a Text: a DataTable reads Rich markup in plain-string cells, and an
    event name is untrusted ("[link=...]" would become a terminal hyperlink)."""
    event = visible(entry.event_name, one_line=True) or "(unnamed)"
    if len(event) > EVENT_WIDTH:
        event = event[: EVENT_WIDTH - 1] + "…"
    if entry.forced:
        event = "⚠ " + event
    return [
        Text(entry.created_at.astimezone().strftime("%H:%M:%S")),
        target_text(entry),
        Text(event),
        Text(visible(entry.data_centre, one_line=True)),
        Text("" if entry.status is None else str(entry.status)),
        outcome_text(entry, interrupted=interrupted),
        Text(latency_text(entry)),
        Text(str(len(entry.attempts))),
    ]


Shown = tuple[dict[str, LogEntry], set[str], dict[str, Cells]]
"""A page of the log: its entries, those interrupted, and the table's cells, by entry id."""


def page_rows(
    entries: Iterable[LogEntry], interrupted: set[str], shown: Shown | None = None
) -> list[tuple[str, Cells]]:
    """The table's rows for `entries`, top to bottom, their cells made as each is first drawn;
    an entry also on the page `shown` until now, finished and unchanged, keeps the cells it had
    there (a page of the history moves by half a page: half its rows were on the last one)."""
    before, was_interrupted, cells = shown or ({}, set(), {})
    rows: list[tuple[str, Cells]] = []
    for entry in entries:
        stopped = entry.id in interrupted
        old = before.get(entry.id)
        if (
            old is not None
            and old.finished_at is not None
            and old.finished_at == entry.finished_at
            and stopped == (entry.id in was_interrupted)
        ):
            rows.append((entry.id, cells[entry.id]))
        else:
            rows.append((entry.id, partial(row_cells, entry, interrupted=stopped)))
    return rows
