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

from tui.mapping.blueprint import Blueprint
from tui.mapping.formats import har
from tui.mapping.formats.segment import SegmentReader, is_segment
from tui.mapping.formats.tagged import Tagged
from tui.mapping.mapped import finding
from tui.mapping.unmap import signal_event_from_body
from tui.webengage.api import Endpoint
from tui.webengage.findings import Finding, Severity

__all__ = [
    "Format",
    "NoEvents",
    "Reading",
    "Tagged",
    "as_given",
    "expand",
    "normalise",
    "plainly_one_event",
]


class Format(StrEnum):
    SIGNAL = "Signal event"
    SEGMENT = "Segment / RudderStack event"
    DATAFLY_JS = "Datafly.js call"
    WEBENGAGE_EVENT = har.WEBENGAGE_EVENT
    WEBENGAGE_USER = har.WEBENGAGE_USER


class NoEvents(ValueError):
    """A value that holds no events at all (a HAR file without a tracking call)."""


@dataclass(slots=True)
class Reading:
    """One event as read: `event` in the Signal dialect, with where each field came from.

    Read-only by convention (not `frozen`: a frozen dataclass costs ~3x to build, and one is built
    for every event previewed)."""

    event: Any
    format: Format = Format.SIGNAL
    took: tuple[
        tuple[str, str], ...
    ] = ()  # (Signal field, where it was read): ("user_id", "$.userId")
    notes: tuple[Finding, ...] = ()  # info findings about the reading (fallbacks, what is not sent)
    request_id: str | None = None  # the x-request-id derived from a messageId
    not_delivered: Finding | None = None  # a call WebEngage has no counterpart for (alias, group)
    origin: str | None = None  # where in a larger file it was found (a HAR entry)

    def summary(self) -> Finding | None:
        """One info finding saying what was read and from where; None for the tool's own dialect."""
        if self.origin is None and self.format is _SIGNAL:
            return None
        took = ", ".join(f"{field} ← {source}" for field, source in self.took)
        where = f" ({self.origin})" if self.origin else ""
        message = f"read as a {self.format.value}{where}" + (f": {took}" if took else "")
        return finding(Severity.INFO, "$", message, "nothing to do", "format-read")


_WEBENGAGE_BULK = {"events": Format.WEBENGAGE_EVENT, "users": Format.WEBENGAGE_USER}
_USER_FIELDS = frozenset(
    {"firstName", "lastName", "email", "phone", "gender", "birthDate", "company", "attributes"}
    | {"emailOptIn", "smsOptIn", "whatsappOptIn", "rcsOptIn", "hashedEmail", "hashedPhone"}
)


def expand(value: Any, source: str = "input") -> list[Any]:
    """The events in one parsed top-level value: an array's items, a `{"batch": [...]}`
    envelope's items, a WebEngage bulk body's items, the tracking calls in a HAR file; anything
    else is one event. NoEvents for a HAR file without a tracking call."""
    if isinstance(value, list):
        return list(value)
    if not isinstance(value, dict):
        return [value]
    if isinstance(value.get("batch"), list):
        return _batch(value)
    if har.is_har(value):
        found, entries = har.tracking_calls(value)
        if not found:
            raise NoEvents(
                f"a HAR file of {entries} request(s), none of them a tracking call (a POST of "
                "Segment, RudderStack or Datafly events, or a WebEngage REST call)"
            )
        return list(found)
    for key, shape in _WEBENGAGE_BULK.items():
        items = value.get(key)
        if len(value) == 1 and isinstance(items, list) and all(isinstance(i, dict) for i in items):
            return [Tagged(item, shape) for item in items]
    return [value]


def plainly_one_event(value: dict[str, Any]) -> bool:
    """True when `expand` certainly gives `value` back as the one event it is: no batch envelope,
    no HAR file, no bulk body (each has a key of its own, and a bulk body nothing else). Quick and
    cautious: False for a few values that are one event too."""
    return len(value) != 1 and "batch" not in value and "log" not in value


def _batch(envelope: dict[str, Any]) -> list[Any]:
    """A batch envelope's items, each given the envelope's `sentAt` and `context` when it has
    none of its own (Segment's batch API: "the context and sentAt of the batch apply to all")."""
    shared = {key: envelope[key] for key in ("sentAt", "context") if key in envelope}
    items = envelope["batch"]
    if not shared:
        return list(items)
    return [{**shared, **item} if isinstance(item, dict) else item for item in items]


def _shape(raw: dict[str, Any]) -> Format:
    shape = raw.shape if isinstance(raw, Tagged) else ""
    if shape:
        return Format(shape)
    signal_keys = "event" in raw or "type" in raw
    if "eventName" in raw and not signal_keys:
        return Format.WEBENGAGE_EVENT
    if (
        not (signal_keys or "traits" in raw or "properties" in raw)
        and ("userId" in raw or "anonymousId" in raw)
        and not _USER_FIELDS.isdisjoint(raw.keys())
    ):
        return Format.WEBENGAGE_USER
    return _SEGMENT if is_segment(raw) else _SIGNAL


_SIGNAL, _SEGMENT = Format.SIGNAL, Format.SEGMENT  # (a module's name: quicker than an Enum's)


def as_given(raw: Any) -> bool:
    """True when `normalise` reads `raw` as it is, `Reading(raw)`: an exact dict in the tool's
    own dialect (the usual event), about which the reading has nothing to say."""
    return type(raw) is dict and _shape(raw) is _SIGNAL


def normalise(raw: Any, blueprint: Blueprint) -> Reading:
    """`raw` read in whichever shape it is; a value in no known shape is passed on as it is."""
    if not isinstance(raw, dict):
        return Reading(raw)
    shape = _shape(raw)
    if shape is _SIGNAL and type(raw) is dict:  # (the tool's own dialect, as given: the usual)
        return Reading(raw)
    origin = raw.origin if isinstance(raw, Tagged) else None
    if shape is Format.SEGMENT:
        reader = SegmentReader(raw)
        event = reader.read()
        return Reading(
            event,
            shape,
            tuple(reader.took),
            tuple(reader.notes),
            reader.request_id,
            reader.not_delivered,
            origin,
        )
    if shape in (Format.WEBENGAGE_EVENT, Format.WEBENGAGE_USER):
        endpoint = Endpoint.EVENTS if shape is Format.WEBENGAGE_EVENT else Endpoint.USERS
        event = signal_event_from_body(endpoint, raw, blueprint)
        took = (("event", "un-mapped through the blueprint"),)
        return Reading(event, shape, took, origin=origin)
    if shape is Format.DATAFLY_JS:
        return Reading(dict(raw), shape, _call_took(raw), origin=origin)
    return Reading(dict(raw) if isinstance(raw, Tagged) else raw, shape, origin=origin)


def _call_took(call: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    kind = call.get("type")
    if kind == "identify":
        took = [("user_id", "its first argument")] if "user_id" in call else []
        return (*took, ("traits", "its object argument"))
    if kind == "page":
        return (("properties", "its object argument, with its name and category strings"),)
    return (("event", "its first argument"), ("properties", "its object argument"))
