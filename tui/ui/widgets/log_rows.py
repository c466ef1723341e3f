"""The delivery log's rows: one line per entry, in the columns the log shows."""

from __future__ import annotations

from rich.text import Text

from tui.safe_text import visible
from tui.ui.widgets.verdicts import outcome_text, target_text
from tui.webengage.entry import LogEntry

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
