"""WebEngage's attribute data types, decided in one place for the preview and the sandbox alike.

The first value WebEngage sees for an attribute fixes its type. A string is a Date only when it is
a real moment in WebEngage's format (`yyyy-MM-ddTHH:mm:ss±hhmm`): `2026-13-40T99:00:00+0000` has the
shape but is a String, on the client and in the sandbox.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
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

_EXACT_TYPES = {
    bool: AttributeType.BOOLEAN,
    int: AttributeType.NUMBER,
    float: AttributeType.NUMBER,
    list: AttributeType.ARRAY,
    dict: AttributeType.OBJECT,
}


def is_webengage_date(value: str) -> bool:
    """True for a real moment written as WebEngage's dates are: `2026-06-06T18:29:00+0000`."""
    if not _DATE_SHAPE.match(value):  # the cheap test first: most strings are not dates
        return False
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return False
    return True


def attribute_type(value: Any) -> AttributeType:
    """The type WebEngage gives `value`."""
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
