"""ISO 8601 dates and date-times as the mapping reads them, and WebEngage's form of them.

`parse_date_time` takes an offset-less date-time as UTC (`lacks_time_zone` says when it did);
`as_date_time_string` is a property value rewritten as a Date; `event_time_text` is a timestamp as
eventTime.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tui.webengage.api import format_event_time


def parse_date_time(text: str) -> datetime | None:
    """An ISO 8601 date or date-time (no offset = UTC), in UTC; None when it is not one."""
    found = read_date_time(text)
    return None if found is None else found[0]


def read_date_time(text: str) -> tuple[datetime, bool] | None:
    """`parse_date_time(text)`, and whether `text` gave no offset (so UTC was assumed)."""
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC), True
        return moment.astimezone(UTC), False
    except (ValueError, OverflowError):
        return None


_LOOKS_LIKE_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def as_date_time_string(value: str) -> str | None:
    """`value` in the eventTime format, when it is a full ISO 8601 date-time (with a time part)."""
    found = date_time(value)
    return None if found is None else found[0]


def date_time(value: str) -> tuple[str, bool] | None:
    """`as_date_time_string(value)`, and `lacks_time_zone(value)` (from the one parse)."""
    if not 16 <= len(value) <= 64 or value[10] != "T" or not _LOOKS_LIKE_DATE_TIME.match(value):
        return None  # (the length and the T first: most strings are not dates, and cheaply so)
    found = read_date_time(value)
    if found is None:
        return None
    return event_time_text(value, found[0]), found[1]  # (16 characters or more: a time of day)


def _in_utc(text: str) -> bool:
    """`text` reads `yyyy-mm-ddThh:mm:ss` in UTC (`Z` or `+00:00`), as most timestamps do; once
    `fromisoformat` has read it, its own digits are its eventTime (`text[:19] + "+0000"`)."""
    return (text[19:] == "Z" or text[19:] == "+00:00") and text[4:17:3] == "--T::"


def event_time_text(text: str, moment: datetime) -> str:
    """`format_event_time(moment)`, `moment` read from `text`: `text`'s own digits when it is in
    UTC already (`_in_utc`)."""
    if _in_utc(text):
        return text[:19] + "+0000"
    return format_event_time(moment)


def event_time_of(text: str) -> str | None:
    """A timestamp (stripped) as eventTime, when the mapper takes it without a word: a date-time
    with a time zone, or a date alone. None when it is not ISO 8601, or has a time but no zone."""
    if _in_utc(text):
        try:  # (then only whether it is a date-time at all: its eventTime is its digits)
            datetime.fromisoformat(text)
        except (ValueError, OverflowError):
            return None
        return text[:19] + "+0000"
    found = read_date_time(text)
    if found is None or (found[1] and len(text) > 10):
        return None
    return format_event_time(found[0])  # (not `_in_utc`: its digits are not its eventTime)


def lacks_time_zone(text: str) -> bool:
    """True for a date-time with a time of day but no offset: `parse_date_time` takes it as UTC, a
    guess. (A date alone, at most 10 characters in any ISO 8601 form, has no zone to miss.)"""
    try:
        return len(text) > 10 and datetime.fromisoformat(text).tzinfo is None
    except (ValueError, OverflowError):
        return False
