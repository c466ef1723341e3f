"""WebEngage's body rules, as the sandbox applies them: each rejection is one plain message.

Pure functions, so the rules can be tested without a server. Where WebEngage's docs and the
integration spec disagree the sandbox follows the spec (the stricter one), noted below.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from tui.webengage.api import (
    ATTRIBUTES_PER_TYPE_MAX,
    BULK_ITEMS_MAX,
    ID_MAX,
    MISSING_IDENTITY_MESSAGE,
    NAME_MAX,
    RESERVED_PREFIX,
    STRING_MAX,
    Endpoint,
)
from tui.webengage.types import attribute_type, is_webengage_date, json_type
from tui.webengage.user_rules import rejection


class Rejected(Exception):
    """A 400: `message` is what goes in `{"response":{"status":"error","message":...}}`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def parse_body(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or Rejected. NaN and Infinity are not JSON (Python would allow them)."""
    if not raw.strip():
        raise Rejected("Invalid request: the body is empty; send a JSON object.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(f"Invalid request: the body is not UTF-8 ({exc.reason}).") from None
    try:
        body = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise Rejected(f"Invalid JSON: {exc}.") from None
    if not isinstance(body, dict):
        raise Rejected(f"Invalid request: the body must be a JSON object, not {json_type(body)}.")
    if _SURROGATE_ESCAPE.search(text):  # the only way a surrogate gets in: raw UTF-8 can't hold one
        _reject_lone_surrogates(body)
    return body


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _reject_lone_surrogates(body: dict[str, Any]) -> None:
    """A `\\ud800` escape with no partner parses to a str no UTF-8 can encode. WebEngage stores
    text as UTF-8, so at best such a string is silently mangled: the sandbox rejects it (400).
    Walked with a stack, not recursion: json.loads accepts nesting deeper than a handler can recurse."""
    stack: list[tuple[Any, str]] = [(body, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if found := _SURROGATE.search(value):
                _lone_surrogate(f"the string at {_short(where)}", found.group())
        elif isinstance(value, dict):
            for key in value:
                if found := _SURROGATE.search(key):
                    _lone_surrogate(f"a key in {_short(where) or 'the body'}", found.group())
            stack.extend((v, f"{where}.{k}" if where else k) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(value))))


def _short(where: str) -> str:
    return where if len(where) <= 120 else f"{where[:60]}...{where[-57:]}"


def _lone_surrogate(what: str, char: str) -> None:
    raise Rejected(
        f"Invalid request: {what} holds a lone surrogate (\\u{ord(char):04x}): it is not valid "
        "Unicode and cannot be encoded as UTF-8; send the character itself, or a surrogate pair."
    )


def check(endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
    """The body as stored (users: over-long attribute strings truncated), or Rejected."""
    if endpoint is Endpoint.EVENTS:
        check_event(body)
        return body
    if endpoint is Endpoint.USERS:
        return check_user(body)
    key = "events" if endpoint is Endpoint.BULK_EVENTS else "users"
    items = body.get(key)
    if not isinstance(items, list) or not items:
        raise Rejected(
            f'Invalid request: the body must be {{"{key}": [ ... ]}} with at least one item.'
        )
    if len(items) > BULK_ITEMS_MAX:
        raise Rejected(
            f"Invalid request: {len(items)} {key} in one call; at most {BULK_ITEMS_MAX} are allowed."
        )
    stored: list[Any] = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise Rejected(f"each item must be a JSON object, not {json_type(item)}.")
            if endpoint is Endpoint.BULK_EVENTS:
                check_event(item)
                stored.append(item)
            else:
                stored.append(check_user(item))
        except Rejected as exc:
            # The whole call is rejected: the sandbox never half-accepts a bulk request.
            raise Rejected(f"{key}[{index}]: {exc.message}") from None
    return {**body, key: stored}


def check_event(body: dict[str, Any]) -> None:
    _check_identity(body)
    name = body.get("eventName")
    if not isinstance(name, str) or not name.strip():
        raise Rejected("Invalid request: eventName is required and must be a non-empty string.")
    _check_name(name, "eventName")
    if "eventTime" in body and body["eventTime"] is not None:
        _check_date(body["eventTime"], "eventTime")
    data = body.get("eventData")
    if data is None:
        return
    if not isinstance(data, dict):
        raise Rejected(f"Invalid request: eventData must be a JSON object, not {json_type(data)}.")
    _check_attributes(data, "eventData")
    for attr, value in data.items():
        if isinstance(value, str) and len(value) > STRING_MAX:
            # WebEngage documents the limit, not the consequence; the spec calls it an error.
            raise Rejected(
                f"Invalid request: eventData.{attr} is {len(value)} characters long; string values "
                f"must be at most {STRING_MAX}."
            )


def check_user(body: dict[str, Any]) -> dict[str, Any]:
    """The /users body's own fields by the one table of rules the preview applies too
    (`tui.webengage.user_rules`): its errors are the 400s, its warnings are accepted."""
    _check_identity(body)
    refused = rejection(body)
    if refused is not None:
        raise Rejected(refused)
    attributes = body.get("attributes")
    if not isinstance(attributes, dict):  # (None: no attributes; anything else is refused above)
        return body
    _check_attributes(attributes, "attributes")
    # WebEngage's docs: over-long strings in user attributes are truncated, not rejected.
    truncated = {k: v[:STRING_MAX] if isinstance(v, str) else v for k, v in attributes.items()}
    return {**body, "attributes": truncated}


def _check_identity(body: dict[str, Any]) -> None:
    present = False
    for field in ("userId", "anonymousId"):
        value = body.get(field)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise Rejected(f"Invalid request: {field} must be a string, not {json_type(value)}.")
        if not value.strip():
            continue
        if len(value) > ID_MAX:
            raise Rejected(
                f"Invalid request: {field} is {len(value)} characters long; at most {ID_MAX} are allowed."
            )
        present = True
    if not present:
        raise Rejected(MISSING_IDENTITY_MESSAGE)


def _check_name(name: str, where: str) -> None:
    # The integration spec answers a `we_` name with a 400; WebEngage's own docs say such data is
    # silently ignored. The sandbox follows the spec so that the "reserved name" hint is reachable.
    if name.startswith(RESERVED_PREFIX):
        raise Rejected(
            f"Invalid request: {where} '{name}' uses the reserved prefix '{RESERVED_PREFIX}' "
            "(reserved for WebEngage's system names); rename it."
        )
    if len(name) > NAME_MAX:
        raise Rejected(
            f"Invalid request: {where} '{name[:NAME_MAX]}...' is {len(name)} characters long; "
            f"names must be at most {NAME_MAX}."
        )


def _check_attributes(attributes: dict[str, Any], where: str) -> None:
    for attr in attributes:
        if not attr.strip():
            raise Rejected(f"Invalid request: {where} has an attribute with an empty name.")
        _check_name(attr, f"attribute name in {where}")
    counts = Counter(attribute_type(v) for v in attributes.values() if v is not None)
    for data_type, count in counts.items():
        if count > ATTRIBUTES_PER_TYPE_MAX:
            raise Rejected(
                f"Invalid request: {where} has {count} attributes of type {data_type}; at most "
                f"{ATTRIBUTES_PER_TYPE_MAX} of each data type are allowed."
            )


def _check_date(value: Any, field: str) -> None:
    if not isinstance(value, str) or not is_webengage_date(value):
        raise Rejected(
            f"Invalid request: {field} must be a date like 2026-06-06T18:29:00+0000 "
            f"(yyyy-MM-ddTHH:mm:ss±hhmm), not {_describe(value)}."
        )


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value[:40] + ("..." if len(value) > 40 else ""))
    return json_type(value)
