"""Validation of a mapped body against WebEngage's limits (PRODUCT.md §4), before anything is sent.

Findings point at the Signal field a problem came from (through the mapping's trace), because that
is what the user can change. Limits at exactly the maximum are warnings: WebEngage's docs say
"less than", the integration spec says "max".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from math import isfinite
from typing import Any

from tui.mapping.json_values import PLAIN, plain_json, value_findings
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


class Sources:
    """The Signal path each body path came from (`$.eventData.amount` → `$.properties.revenue`),
    from the trace, worked out when first asked: only a finding asks, and most events have none."""

    __slots__ = ("_paths", "_trace")

    def __init__(self, trace: Sequence[FieldTrace]) -> None:
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
    return validate_body(mapped.endpoint, mapped.body, mapped.trace, known_types)


def validate_body(
    endpoint: Endpoint,
    body: dict[str, Any],
    trace: Sequence[FieldTrace],
    known_types: AnyKnownTypes | None = None,
) -> list[Finding]:
    """`validate` of a body mapped with `trace`, which is read only to locate a finding in the
    event as given (with none kept, `()`, a finding is located in the body)."""
    findings: list[Finding] = []
    sources = Sources(trace)
    _id_findings(body, sources, findings)
    known = known_types if known_types is None else _as_known(known_types)
    owner: str | None = None  # whose attributes these are: an event's name, None for a user's
    if endpoint is _EVENTS:
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
            if field != "attributes" and type(value) not in PLAIN:
                value_findings(value, sources.get(f"$.{field}", f"$.{field}"), findings)
        _user_field_findings(body, sources, findings)
        fixed = known.users if known is not None else None
    if isinstance(attributes, dict):
        _attribute_findings(attributes, root, sources, fixed, findings)
        if known is not None and owner != "":
            _across_deliveries(attributes, owner, known.counted(owner), findings)
    return findings


def plainly_valid(
    endpoint: Endpoint, body: dict[str, Any], known_types: AnyKnownTypes | None
) -> bool:
    """True when `validate_body` finds nothing in `body`, whatever the trace: an /events body
    with short ids, a plain event name and plain attributes (`_plainly_fine`), no type memory.
    Quick; False says only "look closer"."""
    if known_types is not None or endpoint is not _EVENTS:
        return False
    get = body.get
    user, anonymous, name, data = (
        get("userId"),
        get("anonymousId"),
        get("eventName"),
        get("eventData"),
    )
    return (
        (user is None or (type(user) is str and len(user) <= ID_MAX))
        and (anonymous is None or (type(anonymous) is str and len(anonymous) <= ID_MAX))
        and type(name) is str
        and len(name) < NAME_MAX
        and not name.startswith(RESERVED_PREFIX)
        and (
            data is None
            or (type(data) is dict and len(data) <= ATTRIBUTES_PER_TYPE_MAX and _plainly_fine(data))
        )
    )


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
    many = len(attributes) > ATTRIBUTES_PER_TYPE_MAX  # (else no type can have too many)
    if not (many or known_types) and _plainly_fine(attributes):
        return
    counts: dict[AttributeType, int] = {}
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
            or (type(value) not in PLAIN and not plain_json(value))
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


def _plainly_fine(attributes: dict[str, Any]) -> bool:
    """True when no attribute gives `_attribute_findings` anything to say, whatever its type (no
    type memory, at most 25 of them): names short and not reserved, strings short, numbers
    finite, booleans, nulls. False says only "look closer" (an array: the careful way looks)."""
    for name, value in attributes.items():
        if len(name) >= NAME_MAX or name.startswith(RESERVED_PREFIX):
            return False
        kind = type(value)
        if kind is str:
            if len(value) >= STRING_MAX:
                return False
        elif kind is float:
            if not isfinite(value):
                return False
        elif not (kind is int or kind is bool or value is None):
            return False
    return True


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
    value_findings(value, path, findings)
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
