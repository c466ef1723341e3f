"""The /users body's own fields: what WebEngage accepts in each, and how a trait is normalised to it.

Each check returns the value to send and, when the trait will not work as meant, the problem and
its fix (a warning: WebEngage accepts the request but ignores or mis-reads the field).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from tui.mapping.signal import parse_date_time
from tui.webengage.api import format_event_time
from tui.webengage.types import json_type


class Checked(NamedTuple):
    value: Any
    problem: str = ""
    fix: str = ""
    note: str = ""


_GENDERS = {
    "male": "male",
    "m": "male",
    "man": "male",
    "female": "female",
    "f": "female",
    "woman": "female",
    "other": "other",
    "o": "other",
    "non-binary": "other",
    "nonbinary": "other",
}
_E164 = re.compile(r"\+[1-9][0-9]{1,14}\Z")
BOOLEAN_FIELDS = frozenset({"emailOptIn", "smsOptIn", "whatsappOptIn", "rcsOptIn"})


def check_gender(value: Any) -> Checked:
    if isinstance(value, str):
        normal = _GENDERS.get(value.strip().lower())
        if normal is not None:
            note = "" if normal == value else f"normalised {value!r} → {normal!r}"
            return Checked(normal, note=note)
    shown = repr(value[:40]) if isinstance(value, str) else json_type(value)
    return Checked(
        value,
        f"gender {shown} is not male, female or other; WebEngage will ignore it",
        'send "male", "female" or "other" (M/F are normalised)',
    )


def check_phone(value: Any) -> Checked:
    if isinstance(value, str) and _E164.match(value):
        return Checked(value)
    shown = repr(value[:40]) if isinstance(value, str) else json_type(value)
    return Checked(
        value,
        f"phone {shown} is not in E.164 form; WebEngage may not use it for SMS or WhatsApp",
        'send the number with + and country code, no spaces, e.g. "+551155256325"',
    )


def check_birth_date(value: Any) -> Checked:
    if isinstance(value, str):
        moment = parse_date_time(value.strip())
        if moment is not None:
            return Checked(format_event_time(moment), note="reformatted as Date")
    shown = repr(value[:40]) if isinstance(value, str) else json_type(value)
    return Checked(
        value,
        f"birthDate {shown} is not an ISO 8601 date; WebEngage will not read it as a date",
        'send e.g. "1990-05-17"',
    )


def check_boolean(field: str, value: Any) -> Checked:
    if isinstance(value, bool):
        return Checked(value)
    return Checked(
        value,
        f"{field} should be true or false, got {json_type(value)}",
        f"send {field} as a JSON boolean",
    )


def check_string(field: str, value: Any) -> Checked:
    if isinstance(value, str):
        return Checked(value)
    return Checked(
        value,
        f"{field} should be a string, got {json_type(value)}",
        f"send {field} as a string",
    )


def check_user_field(field: str, value: Any) -> Checked:
    """The value to send in the /users field `field`, and any problem with it."""
    if field == "gender":
        return check_gender(value)
    if field == "phone":
        return check_phone(value)
    if field == "birthDate":
        return check_birth_date(value)
    if field in BOOLEAN_FIELDS:
        return check_boolean(field, value)
    return check_string(field, value)
