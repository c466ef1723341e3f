"""THE preview: any JSON value in, the exact WebEngage request and every finding out. Never raises.

The CLI's `preview`, the TUI's live preview, `send` and the tests all go through `preview_event`, so
what is shown is what is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from tui.mapping.blueprint import Blueprint, default_blueprint
from tui.mapping.fast import construct
from tui.mapping.mapper import Mapped, map_event
from tui.mapping.signal import coerce_event
from tui.mapping.validation import validate
from tui.webengage.api import Endpoint
from tui.webengage.findings import Finding, Severity
from tui.webengage.request import Connection, WebEngageRequest, build_request
from tui.webengage.types import AttributeType


class Preview(BaseModel):
    """One Signal event as WebEngage would receive it. `mapped` is None when it was not an object."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    request: WebEngageRequest
    mapped: Mapped | None
    findings: list[Finding]
    event_name: str
    raw: Any = None  # the Signal event as given, for the side-by-side view

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def endpoint(self) -> Endpoint:
        return self.request.endpoint


def preview_event(
    raw: Any,
    connection: Connection,
    blueprint: Blueprint | None = None,
    *,
    now: datetime | None = None,
    known_types: Mapping[str, AttributeType] | None = None,
) -> Preview:
    """The request `raw` becomes, with findings from reading, mapping and validating it."""
    blueprint = blueprint or default_blueprint()
    now = now or datetime.now(UTC)
    event, findings = coerce_event(raw)
    if event is None:
        request = build_request(connection, Endpoint.EVENTS, {})
        empty: dict[str, Any] = {"request": request, "mapped": None, "event_name": ""}
        return construct(Preview, {**empty, "findings": findings, "raw": raw})
    mapped = map_event(event, blueprint, now)
    findings.extend(mapped.findings)
    findings.extend(validate(mapped, known_types=known_types))
    request = build_request(connection, mapped.endpoint, mapped.body)
    values: dict[str, Any] = {
        "request": request,
        "mapped": mapped,
        "findings": findings,
        "raw": raw,
    }
    return construct(Preview, {**values, "event_name": mapped.event_name})
