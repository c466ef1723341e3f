"""A trait normalised to one of the /users body's own fields (gender's spellings, birthDate's format).

Whether the value then suits WebEngage is not decided here: `tui.webengage.user_rules` holds the one
table of rules, which validation applies to the body (so the preview warns, or refuses, exactly
where the sandbox accepts, or answers 400).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from tui.mapping.dates import parse_date_time
from tui.webengage.api import format_event_time

__all__ = ["Normalised", "normalise_user_field", "user_field_value"]


class Normalised(NamedTuple):
    value: Any
    note: str = ""


_GENDERS = {
    "male": "male",
    "m": "male",
    "female": "female",
    "f": "female",
    "other": "other",
    "others": "other",
    "o": "other",
}
"""RudderStack's WebEngage destination (src/v0/destinations/webengage/data/
WEBENGAGEIdentifyConfig.json): f/F/Female/female/FEMALE → female, m/M/Male/male/MALE → male,
o/O/Other/other/OTHER/Others/OTHERS → other; here without regard to case."""


def _gender(value: Any) -> Normalised:
    if isinstance(value, str):
        normal = _GENDERS.get(value.strip().lower())
        if normal is not None and normal != value:
            return Normalised(normal, f"normalised {value!r} → {normal!r}")
    return Normalised(value)


def _birth_date(value: Any) -> Normalised:
    if isinstance(value, str):
        moment = parse_date_time(value.strip())
        if moment is not None:
            return Normalised(format_event_time(moment), "reformatted as Date")
    return Normalised(value)


_CHANGES = {"gender": _gender, "birthDate": _birth_date}
"""The fields whose values are normalised (any other is sent as it is)."""


def normalise_user_field(field: str, value: Any) -> Normalised:
    """The value to send in the /users field `field`, and a note when it was changed."""
    change = _CHANGES.get(field)
    return Normalised(value) if change is None else change(value)


def user_field_value(field: str, value: Any) -> Any:
    """The value to send in the /users field `field` (without the note)."""
    return normalise_user_field(field, value).value
