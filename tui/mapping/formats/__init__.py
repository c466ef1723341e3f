"""The shapes events arrive in, read into the tool's own Signal dialect (PRODUCT.md §2).

`expand` turns one parsed top-level value into the events it holds (an array's items, a batch
envelope's items, the tracking calls in a HAR file); `normalise` reads one event in whichever
shape it is (Signal, Segment / RudderStack, a WebEngage REST body) and says which shape it read and
what it took from where. `preview_event` normalises every event it is given, so the CLI, the TUI,
the listener and the tests read the same shapes the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tui.webengage.findings import Finding


class Format(StrEnum):
    SIGNAL = "Signal"
    SEGMENT = "Segment / RudderStack"
    DATAFLY_JS = "Datafly.js call"
    WEBENGAGE = "WebEngage REST body"


@dataclass(frozen=True, slots=True)
class Reading:
    """One event as read: `event` in the Signal dialect, with where each field came from."""

    event: Any
    format: Format = Format.SIGNAL
    took: tuple[tuple[str, str], ...] = ()  # (Signal field, where it was read), e.g. ("user_id", "$.userId")
    notes: tuple[Finding, ...] = ()  # info findings about the reading (fallbacks, what is not sent)
    request_id: str | None = None  # the x-request-id derived from a messageId
    not_delivered: Finding | None = None  # a call WebEngage has no counterpart for (alias, group)


def expand(value: Any, source: str = "input") -> list[Any]:
    """The events in one parsed top-level value: an array's items, a `{"batch": [...]}`
    envelope's items, the tracking calls in a HAR file; anything else is one event."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict) and isinstance(value.get("batch"), list):
        return list(value["batch"])
    return [value]


def normalise(raw: Any) -> Reading:
    """`raw` read in whichever shape it is; a value in no known shape is passed on as it is."""
    return Reading(raw)
