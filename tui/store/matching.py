"""How the delivery log names an entry and whether a filter matches it, in one place for the
SQLite history (which stores the haystack and the labels) and for a delivery that arrives while
the log is filtered."""

from __future__ import annotations

from tui.webengage.entry import LogEntry
from tui.webengage.outcomes import Hint

INTERRUPTED = "interrupted"
"""The label (and `outcome=` filter) for an entry whose send never finished."""

IN_FLIGHT = "in flight"

INTERRUPTED_HINT = Hint(
    title="Interrupted: the send never finished; it may have arrived.",
    detail=(
        "The process stopped (crash, kill or closed terminal) after the request was started and "
        "before an answer was recorded. If an attempt was under way, WebEngage may well have "
        "received and ingested it; the attempts listed are the ones that had started."
    ),
    fix=(
        "Retry it with the same x-request-id (R in the log): WebEngage drops the repeat if the "
        "first one arrived, within 4 hours. r sends it as a new delivery, which may duplicate it."
    ),
)

HAYSTACK_BODY_MAX = 2000
"""How much of the request body and response the free-text search looks at (keeps the scan fast)."""


def outcome_label(entry: LogEntry) -> str:
    """What the log shows in the outcome column: the outcome, "interrupted", or "in flight"."""
    if entry.outcome is not None:
        return entry.outcome.value
    return INTERRUPTED if entry.hint == INTERRUPTED_HINT else IN_FLIGHT


def is_interrupted(entry: LogEntry) -> bool:
    return entry.outcome is None and entry.hint == INTERRUPTED_HINT


def haystack(entry: LogEntry) -> str:
    """The text the search box matches, lower-cased: names, ids, URL, body and response (trimmed)."""
    parts = [
        entry.event_name,
        entry.id,
        entry.request_id,
        entry.request.url,
        entry.host,
        entry.data_centre,
        entry.license_code,
        entry.source,
        f"target:{entry.target.value}" if entry.target else "",
        outcome_label(entry),
        str(entry.status or ""),
        entry.request.body_text()[:HAYSTACK_BODY_MAX],
        (entry.response_body or "")[:HAYSTACK_BODY_MAX],
    ]
    return "\n".join(parts).lower()


def status_range(status: int | str | None) -> tuple[int, int] | None:
    """The HTTP statuses a filter means: 401 or "401" is one, "4xx" is 400-499 (None: any).
    Raises ValueError for anything else, with the forms that are understood."""
    if status is None or (isinstance(status, str) and not status.strip()):
        return None
    if isinstance(status, int):
        return status, status
    text = status.strip().lower()
    if text.isdigit():
        return int(text), int(text)
    if len(text) == 3 and text[0].isdigit() and text[1:] == "xx":
        low = int(text[0]) * 100
        return low, low + 99
    raise ValueError(f"status {status!r}: give a code (401) or a class (4xx)")


def matches(
    entry: LogEntry,
    text: str | None = None,
    outcome: str | None = None,
    status: int | str | None = None,
    event: str | None = None,
    target: str | None = None,
) -> bool:
    """Whether `History.query` with these filters would list `entry` (for a delivery that arrives
    while the log is filtered)."""
    if target and (entry.target.value if entry.target else "") != target:
        return False
    if text and not all(word in haystack(entry) for word in text.lower().split()):
        return False
    if outcome and outcome.replace("_", " ") != outcome_label(entry).replace("_", " "):
        return False
    low_high = status_range(status)
    if low_high is not None and not (
        entry.status is not None and low_high[0] <= entry.status <= low_high[1]
    ):
        return False
    return not event or entry.event_name == event


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
