"""Validation of a mapped body against WebEngage's limits (PRODUCT.md §4), before anything is sent.

Findings point at the Signal field a problem came from (through the mapping's trace), because that
is what the user can change. Limits at exactly the maximum are warnings: WebEngage's docs say
"less than", the integration spec says "max".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

from tui.mapping.mapper import FieldTrace, Mapped, child_path, finding
from tui.webengage.api import (
    ATTRIBUTES_PER_TYPE_MAX,
    ID_MAX,
    NAME_MAX,
    RESERVED_PREFIX,
    STRING_MAX,
    Endpoint,
)
from tui.webengage.findings import Finding, Severity
from tui.webengage.types import AttributeType, KnownTypes, attribute_type
from tui.webengage.user_rules import broken_rules

AnyKnownTypes = KnownTypes | Mapping[str, AttributeType]
"""What `validate` takes as the type memory: a KnownTypes, or (as before there was one) a plain
mapping of attribute name → type, which stands for event attributes of any event."""

_EVENTS, _STRING, _OBJECT = Endpoint.EVENTS, AttributeType.STRING, AttributeType.OBJECT
"""(Names of this module: looked up quicker than an Enum's members, on every event.)"""

MAX_VALUE_DEPTH = 64
"""Arrays/objects inside an attribute nested deeper than this are refused (JSON tools choke on them)."""


def _name_findings(name: str, path: str, what: str, findings: list[Finding]) -> None:
    size = len(name)
    if size > NAME_MAX:
        findings.append(
            finding(
                Severity.ERROR,
                path,
                f"{what} {name[:60]!r} is {size} characters; WebEngage allows at most {NAME_MAX}",
                f"shorten it to under {NAME_MAX} characters (in the event or the blueprint)",
                "name-too-long",
            )
        )
    elif size == NAME_MAX:
        findings.append(
            finding(
                Severity.WARNING,
                path,
                f"{what} {name!r} is exactly {NAME_MAX} characters; WebEngage's docs say less than {NAME_MAX}",
                f"shorten it to {NAME_MAX - 1} characters or fewer to be safe",
                "name-at-limit",
            )
        )
    if name.startswith(RESERVED_PREFIX):
        findings.append(
            finding(
                Severity.ERROR,
                path,
                f"{what} {name[:60]!r} starts with the reserved prefix {RESERVED_PREFIX}",
                f"rename the property in the blueprint mapping (drop the {RESERVED_PREFIX} prefix)",
                "reserved-name",
            )
        )


def _string_findings(value: str, path: str, findings: list[Finding]) -> None:
    size = len(value)
    if size > STRING_MAX:
        findings.append(
            finding(
                Severity.ERROR,
                path,
                f"string of {size:,} characters; WebEngage allows at most {STRING_MAX:,}",
                f"shorten it to under {STRING_MAX:,} characters, or split it",
                "string-too-long",
            )
        )
    elif size == STRING_MAX:
        findings.append(
            finding(
                Severity.WARNING,
                path,
                f"string of exactly {STRING_MAX:,} characters; WebEngage's docs say less than {STRING_MAX:,}",
                f"shorten it to {STRING_MAX - 1:,} characters or fewer to be safe",
                "string-at-limit",
            )
        )


def _value_findings(value: Any, path: str, findings: list[Finding]) -> None:
    """Values JSON cannot carry (NaN, Infinity, non-JSON objects), anywhere inside `value`."""
    if isinstance(value, str | bool | int) or value is None:
        return
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                findings.append(
                    finding(
                        Severity.ERROR,
                        where,
                        f"{_non_finite(item)} cannot be carried by JSON",
                        "send a number, or leave the property out",
                        "not-json",
                    )
                )
        elif isinstance(item, list | tuple):
            if depth >= MAX_VALUE_DEPTH:
                findings.append(_too_deep(where))
                continue
            stack.extend((child, f"{where}[{i}]", depth + 1) for i, child in enumerate(item))
        elif isinstance(item, dict):
            if depth >= MAX_VALUE_DEPTH:
                findings.append(_too_deep(where))
                continue
            for key, child in item.items():
                if not isinstance(key, str):
                    findings.append(
                        finding(
                            Severity.ERROR,
                            where,
                            f"object key {key!r} is not a string",
                            "use string keys",
                            "not-json",
                        )
                    )
                    continue
                stack.append((child, child_path(where, key), depth + 1))
        elif not (isinstance(item, str | bool | int) or item is None):
            findings.append(
                finding(
                    Severity.ERROR,
                    where,
                    f"a {type(item).__name__} is not a JSON value",
                    "send a string, number, boolean, array or object",
                    "not-json",
                )
            )


def _too_deep(path: str) -> Finding:
    return finding(
        Severity.ERROR,
        path,
        f"nested deeper than {MAX_VALUE_DEPTH} levels",
        "flatten the data before sending it",
        "too-deep",
    )


class Sources:
    """The Signal path each body path came from (`$.eventData.amount` → `$.properties.revenue`),
    from the trace, worked out when first asked: only a finding asks, and most events have none."""

    __slots__ = ("_paths", "_trace")

    def __init__(self, trace: list[FieldTrace]) -> None:
        self._trace = trace
        self._paths: dict[str, str] | None = None

    def get(self, target: str, default: str) -> str:
        if self._paths is None:
            self._paths = {t.target: t.source for t in self._trace if t.target is not None}
        return self._paths.get(target, default)


def _id_findings(body: dict[str, Any], sources: Sources, findings: list[Finding]) -> None:
    for field in ("userId", "anonymousId"):
        value = body.get(field)
        if isinstance(value, str) and len(value) > ID_MAX:
            findings.append(
                finding(
                    Severity.ERROR,
                    sources.get(f"$.{field}", f"$.{field}"),
                    f"{field} is {len(value)} characters; WebEngage allows at most {ID_MAX}",
                    f"use an id of at most {ID_MAX} characters (e.g. the customer number, not a token)",
                    "id-too-long",
                )
            )


def validate(mapped: Mapped, *, known_types: AnyKnownTypes | None = None) -> list[Finding]:
    """Everything WebEngage would reject, lose or mis-type in `mapped.body`.

    `known_types` is what earlier accepted deliveries to this license code fixed (from the
    history): the type of each attribute of each event, and of each user attribute. A different
    type now means the new value's data will not flow; new names past 25 of one data type, counted
    across deliveries, are not kept.
    """
    findings: list[Finding] = []
    body = mapped.body
    sources = Sources(mapped.trace)
    _id_findings(body, sources, findings)
    known = known_types if known_types is None else _as_known(known_types)
    owner: str | None = None  # whose attributes these are: an event's name, None for a user's
    if mapped.endpoint is _EVENTS:
        name = body.get("eventName")
        owner = name if isinstance(name, str) else ""
        if isinstance(name, str) and (len(name) >= NAME_MAX or name.startswith(RESERVED_PREFIX)):
            where = sources.get("$.eventName", "$.event")
            _name_findings(name, where, "eventName", findings)
        root, attributes = "$.eventData", body.get("eventData")
        fixed = known.for_event(owner) if known is not None else None
    else:
        root, attributes = "$.attributes", body.get("attributes")
        for field, value in body.items():
            if field != "attributes" and type(value) not in _PLAIN:
                _value_findings(value, sources.get(f"$.{field}", f"$.{field}"), findings)
        _user_field_findings(body, sources, findings)
        fixed = known.users if known is not None else None
    if isinstance(attributes, dict):
        _attribute_findings(attributes, root, sources, fixed, findings)
        if known is not None and owner != "":
            _across_deliveries(attributes, owner, known.counted(owner), findings)
    return findings


def _as_known(known_types: AnyKnownTypes | None) -> KnownTypes | None:
    if known_types is None or isinstance(known_types, KnownTypes):
        return known_types
    return KnownTypes.of(any_event=known_types)


def _user_field_findings(body: dict[str, Any], sources: Sources, findings: list[Finding]) -> None:
    """WebEngage's rules for the /users body's own fields: the one table the sandbox applies too,
    so an error here is exactly a 400 there, in the same words."""
    for rule, value in broken_rules(body):
        path = sources.get(f"$.{rule.field}", f"$.{rule.field}")
        findings.append(finding(rule.severity, path, rule.message(value), rule.fix, rule.code))


def _across_deliveries(
    attributes: dict[str, Any],
    owner: str | None,
    counted: Mapping[str, AttributeType],
    findings: list[Finding],
) -> None:
    """The 25 per data type count across deliveries: per event name, and per account for user
    attributes (WebEngage's docs). Only new names add to what the history already holds."""
    new: dict[AttributeType, int] = {}
    for name, value in attributes.items():
        if value is not None and name not in counted:
            kind = attribute_type(value)
            new[kind] = new.get(kind, 0) + 1
    if not new:
        return
    held = Counter(counted.values())
    whose = "this account's user profiles" if owner is None else owner
    for kind, added in new.items():
        total = held[kind] + added
        if total > ATTRIBUTES_PER_TYPE_MAX >= added:  # more in one body is an error of its own
            findings.append(
                finding(
                    Severity.WARNING,
                    "$.properties" if owner is not None else "$.traits",
                    f"{whose} would have {total} {kind.value} attributes across deliveries; "
                    f"WebEngage keeps at most {ATTRIBUTES_PER_TYPE_MAX} per data type",
                    f"reuse one of the {held[kind]} {kind.value} attribute names already sent for "
                    f"{whose} (the history shows them), or combine values into one JSON Array",
                    "too-many-attributes-across",
                )
            )


def _attribute_findings(
    attributes: dict[str, Any],
    root: str,
    sources: Sources,
    known_types: Mapping[str, AttributeType] | None,
    findings: list[Finding],
) -> None:
    """Names, values, types and counts. Paths are worked out only when there is something to say
    (the common case is a clean event, and this runs on every keystroke in the composer). A null
    counts for nothing and fixes no type: WebEngage drops it (and the mapping has already)."""
    counts: dict[AttributeType, int] = {}
    many = len(attributes) > ATTRIBUTES_PER_TYPE_MAX  # (else no type can have too many)
    for name, value in attributes.items():
        if value is None:  # (a body sent as is, or a blueprint that keeps nulls): only its name
            if len(name) >= NAME_MAX or name.startswith(RESERVED_PREFIX):
                target = child_path(root, name)
                _name_findings(name, sources.get(target, target), "attribute name", findings)
            continue
        kind = _STRING if type(value) is str and len(value) != 24 else attribute_type(value)
        if many:  # (a Date is 24 characters: other strings are Strings)
            counts[kind] = counts.get(kind, 0) + 1
        known = known_types.get(name) if known_types is not None else None
        suspect = (
            len(name) >= NAME_MAX
            or name.startswith(RESERVED_PREFIX)
            or (kind is _STRING and len(value) >= STRING_MAX)
            or kind is _OBJECT
            or (known is not None and known != kind)
            or (type(value) not in _PLAIN and not _plain_json(value))
        )
        if suspect:
            target = child_path(root, name)
            path = sources.get(target, target)
            _one_attribute(name, value, kind, known, path, findings)
    for kind, count in counts.items():
        if count > ATTRIBUTES_PER_TYPE_MAX:
            where = "$.properties" if root == "$.eventData" else "$.traits"
            findings.append(
                finding(
                    Severity.ERROR,
                    where,
                    f"{count} {kind.value} attributes; WebEngage keeps at most "
                    f"{ATTRIBUTES_PER_TYPE_MAX} of each type per event",
                    f"remove {count - ATTRIBUTES_PER_TYPE_MAX} or combine some into one JSON Array",
                    "too-many-attributes",
                )
            )


def _one_attribute(
    name: str,
    value: Any,
    kind: AttributeType,
    known: AttributeType | None,
    path: str,
    findings: list[Finding],
) -> None:
    _name_findings(name, path, "attribute name", findings)
    if kind is AttributeType.STRING:
        _string_findings(value, path, findings)
    elif kind is AttributeType.OBJECT:
        findings.append(
            finding(
                Severity.WARNING,
                path,
                f"{name!r} is a JSON Object attribute: WebEngage cannot use it in segments",
                "flatten it into separate attributes if you need to segment on it",
                "json-object",
            )
        )
    _value_findings(value, path, findings)
    if known is not None and known != kind:
        findings.append(
            finding(
                Severity.WARNING,
                path,
                f"{name!r} is a {kind.value} now, but was first sent as a {known}: "
                "WebEngage fixed its type then, so this value's data will not flow",
                f"send a {known} value, or use a new attribute name",
                "type-lock",
            )
        )


_PLAIN = frozenset({str, int, bool, type(None)})


def _plain_json(value: Any) -> bool:
    """True when `value` holds nothing `_value_findings` would report (quick, builds no paths)."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is float:
        return math.isfinite(value)
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind in _PLAIN:
            continue
        if kind is float:
            if not math.isfinite(item):
                return False
        elif kind is list:
            if depth >= MAX_VALUE_DEPTH:
                return False
            stack.extend((child, depth + 1) for child in item)
        elif kind is dict:
            if depth >= MAX_VALUE_DEPTH:
                return False
            for key, child in item.items():
                if type(key) is not str:
                    return False
                stack.append((child, depth + 1))
        else:
            return False
    return True


def _non_finite(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"
