"""What a mapping produces: the `Mapped` body, the `FieldTrace` of every field, and their builders.

Kept apart from the mapper itself because validation reads them too (it points findings back at
the Signal field through the trace); `tui.mapping.mapper` re-exports every name here.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from tui.mapping.fast import construct
from tui.webengage.api import Endpoint
from tui.webengage.findings import Finding, Severity

Change = Literal[
    "unchanged", "renamed", "flattened", "date", "dropped", "identity", "event_name", "event_time"
]


class FieldTrace(BaseModel):
    """What became of one Signal field: where it went in the WebEngage body (None: dropped) and why."""

    source: str  # JSON path in the Signal event, e.g. $.properties.shipping.city
    target: str | None  # JSON path in the WebEngage body, e.g. $.eventData.shipping_city
    change: Change
    note: str = ""


class Mapped(BaseModel):
    """A Signal event as WebEngage will receive it, with the trace and the mapping's own findings."""

    endpoint: Endpoint
    event_name: str
    body: dict[str, Any]
    trace: list[FieldTrace] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def child_path(parent: str, key: str) -> str:
    """`$.a.b` for plain names, `$.a["Order Id"]` for any other, so every path reads back."""
    if _IDENTIFIER.match(key):
        return f"{parent}.{key}"
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


def finding(severity: Severity, path: str, message: str, fix: str, code: str) -> Finding:
    """A Finding without pydantic's validation: every caller passes the right types (hot path)."""
    return construct(
        Finding, {"severity": severity, "path": path, "message": message, "fix": fix, "code": code}
    )


def trace(source: str, target: str | None, change: Change, note: str = "") -> FieldTrace:
    return construct(
        FieldTrace, {"source": source, "target": target, "change": change, "note": note}
    )
