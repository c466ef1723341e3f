"""WebEngage's attribute data types, decided in one place for the preview and the sandbox alike.

The first value WebEngage sees for an attribute fixes its type. A string is a Date only when it is
a real moment in WebEngage's format (`yyyy-MM-ddTHH:mm:ss±hhmm`): `2026-13-40T99:00:00+0000` has the
shape but is a String, on the client and in the sandbox.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any


class AttributeType(StrEnum):
    """WebEngage's attribute data types; the first value sent fixes an attribute's type for good."""

    STRING = "String"
    NUMBER = "Number"
    BOOLEAN = "Boolean"
    DATE = "Date"
    ARRAY = "JSON Array"
    OBJECT = "JSON Object"


_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}\Z")

_DATE, _STRING = AttributeType.DATE, AttributeType.STRING
_EXACT_TYPES = {
    bool: AttributeType.BOOLEAN,
    int: AttributeType.NUMBER,
    float: AttributeType.NUMBER,
    list: AttributeType.ARRAY,
    dict: AttributeType.OBJECT,
}


@lru_cache(maxsize=4096)
def is_webengage_date(value: str) -> bool:
    """True for a real moment written as WebEngage's dates are: `2026-06-06T18:29:00+0000`.

    Remembered (a bounded cache): the preview asks again for every date of the event on each
    keystroke, and `strptime` is most of a 200-attribute event's validation."""
    if not _DATE_SHAPE.match(value):  # the cheap test first: most strings are not dates
        return False
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return False
    return True


def attribute_type(value: Any) -> AttributeType:
    """The type WebEngage gives `value`."""
    if type(value) is str:  # (most values; a date is 24 characters, as `_DATE_SHAPE` says)
        return _DATE if len(value) == 24 and is_webengage_date(value) else _STRING
    exact = _EXACT_TYPES.get(type(value))
    if exact is not None:
        return exact
    if isinstance(value, bool):
        return AttributeType.BOOLEAN
    if isinstance(value, int | float):
        return AttributeType.NUMBER
    if isinstance(value, str):
        return AttributeType.DATE if is_webengage_date(value) else AttributeType.STRING
    if isinstance(value, list | tuple):
        return AttributeType.ARRAY
    if isinstance(value, dict):
        return AttributeType.OBJECT
    return AttributeType.STRING


def json_type(value: Any) -> str:
    """A JSON value's type in plain words, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__} (not JSON)"


_NONE: Mapping[str, AttributeType] = MappingProxyType({})
_NO_EVENTS: Mapping[str, Mapping[str, AttributeType]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class KnownTypes:
    """What earlier accepted deliveries to one account fixed: the type of each attribute.

    WebEngage keeps event attributes per event (an `amount` of `Order Completed` is not the
    `amount` of `Added to Cart`) and user attributes per account, apart from both; each kind is
    capped at 25 attributes per data type. `any_event` holds event attributes whose event is not
    known (a type memory from before event names were kept): they still apply to every event's
    type check, as they did, but count toward no event's 25. Read-only: build one with `of`.
    """

    events: Mapping[str, Mapping[str, AttributeType]] = field(default_factory=lambda: _NO_EVENTS)
    users: Mapping[str, AttributeType] = field(default_factory=lambda: _NONE)
    any_event: Mapping[str, AttributeType] = field(default_factory=lambda: _NONE)

    @classmethod
    def of(
        cls,
        events: Mapping[str, Mapping[str, AttributeType | str]] | None = None,
        users: Mapping[str, AttributeType | str] | None = None,
        any_event: Mapping[str, AttributeType | str] | None = None,
    ) -> KnownTypes:
        """A read-only copy (stored types may arrive as plain strings: "Number")."""
        named = {name: _frozen(types) for name, types in (events or {}).items() if types}
        return cls(MappingProxyType(named), _frozen(users), _frozen(any_event))

    @property
    def empty(self) -> bool:
        return not (self.events or self.users or self.any_event)

    def for_event(self, event_name: str) -> Mapping[str, AttributeType]:
        """The types an event of this name has fixed (and those of no known event)."""
        own = self.events.get(event_name, _NONE)
        if not self.any_event:
            return own
        return {**self.any_event, **own} if own else self.any_event

    def counted(self, event_name: str | None) -> Mapping[str, AttributeType]:
        """The attributes that count toward the 25 per data type: the event's own (`event_name`),
        or the account's user attributes (None)."""
        return self.users if event_name is None else self.events.get(event_name, _NONE)


def _frozen(types: Mapping[str, AttributeType | str] | None) -> Mapping[str, AttributeType]:
    if not types:
        return _NONE
    return MappingProxyType({str(k): AttributeType(v) for k, v in types.items()})
