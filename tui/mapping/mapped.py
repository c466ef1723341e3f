"""What a mapping produces: the `Mapped` body, the `FieldTrace` of every field, and their builders.

Kept apart from the mapper itself because validation reads them too (it points findings back at
the Signal field through the trace); `tui.mapping.mapper` re-exports every name here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from tui.webengage.api import Endpoint
from tui.webengage.findings import Finding, Severity

Change = Literal[
    "unchanged", "renamed", "flattened", "date", "dropped", "identity", "event_name", "event_time"
]


@dataclass(slots=True)
class FieldTrace:
    """What became of one Signal field: where it went in the WebEngage body (None: dropped) and why.

    A plain dataclass (as are `Mapped`, `SignalEvent` and `Preview`): made a dozen times per event,
    on every keystroke in the composer, and never read from outside the process."""

    source: str  # JSON path in the Signal event, e.g. $.properties.shipping.city
    target: str | None  # JSON path in the WebEngage body, e.g. $.eventData.shipping_city
    change: Change
    note: str = ""


@dataclass(slots=True)
class Mapped:
    """A Signal event as WebEngage will receive it, with the trace and the mapping's own findings."""

    endpoint: Endpoint
    event_name: str
    body: dict[str, Any]
    trace: list[FieldTrace] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def child_path(parent: str, key: str) -> str:
    """`$.a.b` for plain names (`[A-Za-z_][A-Za-z0-9_]*`: an ASCII identifier), `$.a["Order Id"]`
    for any other, so every path reads back."""
    if key.isascii() and key.isidentifier():
        return f"{parent}.{key}"
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


def finding(severity: Severity, path: str, message: str, fix: str, code: str) -> Finding:
    """A Finding (the one spelling the mapping, validation and the readers use)."""
    return Finding(severity, path, message, fix, code)


trace = FieldTrace
"""`trace(source, target, change, note="")`: a FieldTrace (the mapper's short name for one)."""
