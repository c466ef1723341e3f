"""The /users body's own fields and WebEngage's rule for each: ONE table, for the preview and the sandbox.

From WebEngage's users doc (webengage-api.md, "User body"): the names are strings, `birthDate` is
a date in the eventTime format, `gender` is `male`, `female` or `other`, `phone` is E.164, the opt-ins
are booleans, `attributes` is an object. A rule of severity error is one WebEngage answers 400 for:
the sandbox rejects exactly those (its message is `Invalid request: <message>.`), and the preview
reports the same message as an error. A warning is a value WebEngage accepts but ignores or may not
use (WebEngage documents the values, not a rejection): the sandbox accepts it, the preview warns.

A field's rules run in order and stop at the first that fails (a number is not "not E.164": it is
not a string). A null fixes nothing and breaks no rule: WebEngage drops it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tui.webengage.findings import Severity
from tui.webengage.types import is_webengage_date, json_type

GENDERS = ("male", "female", "other")
E164 = re.compile(r"\+[1-9][0-9]{1,14}\Z")
DATE_EXAMPLE = "2026-06-06T18:29:00+0000"


@dataclass(frozen=True, slots=True)
class UserRule:
    """One check on one /users field: what it expects, how bad a miss is, and what to do."""

    field: str
    expected: str
    """What WebEngage expects, in words that follow "must be" / "should be"."""
    accepts: Callable[[Any], bool]
    severity: Severity
    fix: str
    consequence: str = ""
    """For a warning: what WebEngage does with the value (it accepts the request)."""

    @property
    def code(self) -> str:
        return f"invalid-{self.field.lower()}"

    def message(self, value: Any) -> str:
        """The words the preview shows and the sandbox answers (after "Invalid request: ")."""
        verb = "must be" if self.severity is Severity.ERROR else "should be"
        return f"{self.field} {verb} {self.expected}, not {describe(value)}{self.consequence}"


def describe(value: Any) -> str:
    """A value as a message shows it: a string quoted (cut at 40 characters), else its JSON type."""
    if isinstance(value, str):
        return json.dumps(value[:40] + ("..." if len(value) > 40 else ""), ensure_ascii=False)
    return json_type(value)


_is_string: Callable[[Any], bool] = str.__instancecheck__
"""`isinstance(value, str)` (as a C function: a rule runs for every /users preview)."""
_is_boolean: Callable[[Any], bool] = bool.__instancecheck__


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and is_webengage_date(value)


def _is_gender(value: Any) -> bool:
    return value in GENDERS


def _is_e164(value: Any) -> bool:
    return isinstance(value, str) and E164.match(value) is not None


_is_object: Callable[[Any], bool] = dict.__instancecheck__


def _string(field: str, fix: str = "") -> UserRule:
    return UserRule(
        field, "a string", _is_string, Severity.ERROR, fix or f"send {field} as a string"
    )


def _boolean(field: str) -> UserRule:
    return UserRule(
        field, "true or false", _is_boolean, Severity.ERROR, f"send {field} as a JSON boolean"
    )


USER_RULES: Mapping[str, tuple[UserRule, ...]] = {
    "userId": (_string("userId"),),
    "anonymousId": (_string("anonymousId"),),
    "firstName": (_string("firstName"),),
    "lastName": (_string("lastName"),),
    "birthDate": (
        UserRule(
            "birthDate",
            f"a date like {DATE_EXAMPLE} (yyyy-MM-ddTHH:mm:ss±hhmm)",
            _is_date,
            Severity.ERROR,
            'send an ISO 8601 date, e.g. "1990-05-17" (the preview rewrites it as '
            "1990-05-17T00:00:00+0000)",
        ),
    ),
    "gender": (
        _string("gender"),
        UserRule(
            "gender",
            "male, female or other",
            _is_gender,
            Severity.WARNING,
            'send "male", "female" or "other" (m, F, Male, O, Others, ... are normalised)',
            "; WebEngage will ignore it",
        ),
    ),
    "email": (_string("email"),),
    "phone": (
        _string("phone"),
        UserRule(
            "phone",
            "in E.164 form",
            _is_e164,
            Severity.WARNING,
            'send the number with + and country code, no spaces, e.g. "+551155256325"',
            "; WebEngage may not use it for SMS or WhatsApp",
        ),
    ),
    "company": (
        _string("company", "send the company's name as a string (e.g. traits.company.name)"),
    ),
    "hashedEmail": (_string("hashedEmail"),),
    "hashedPhone": (_string("hashedPhone"),),
    "emailOptIn": (_boolean("emailOptIn"),),
    "smsOptIn": (_boolean("smsOptIn"),),
    "rcsOptIn": (_boolean("rcsOptIn"),),
    "whatsappOptIn": (_boolean("whatsappOptIn"),),
    "attributes": (
        UserRule(
            "attributes",
            "a JSON object",
            _is_object,
            Severity.ERROR,
            'send custom attributes as an object, e.g. {"plan": "gold"}',
        ),
    ),
}
"""Field name → its rules, in the order they are checked. Every field WebEngage's users doc names."""


def broken_rule(field: str, value: Any) -> UserRule | None:
    """The first rule the value of `field` breaks (None: it breaks none, or no rule covers it)."""
    if value is None:
        return None
    for rule in USER_RULES.get(field, ()):
        if not rule.accepts(value):
            return rule
    return None


_ORDER = {field: index for index, field in enumerate(USER_RULES)}
"""Each field's place in the table (a body names a few of its fields: those are looked at)."""


def broken_rules(body: Mapping[str, Any]) -> Iterator[tuple[UserRule, Any]]:
    """Each rule a /users body breaks, with the value that breaks it, in the table's order."""
    for field in sorted(_ORDER.keys() & body.keys(), key=_ORDER.__getitem__):
        if (value := body[field]) is not None:  # (`broken_rule`, inline: every /users preview)
            for rule in USER_RULES[field]:
                if not rule.accepts(value):
                    yield rule, value
                    break


def rejection(body: Mapping[str, Any]) -> str | None:
    """What WebEngage answers 400 with for this /users body's own fields, if anything."""
    for rule, value in broken_rules(body):
        if rule.severity is Severity.ERROR:
            return f"Invalid request: {rule.message(value)}."
    return None
