"""What sends one request and says how it went: the WebEngage client, and the delivery service's
Session (which also records it). Journeys and diagnose's probes take one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from tui.webengage.entry import LogEntry
from tui.webengage.findings import Finding
from tui.webengage.request import WebEngageRequest


class Deliverer(Protocol):
    async def deliver(
        self,
        request: WebEngageRequest,
        *,
        event_name: str = "",
        findings: Sequence[Finding] = (),
        forced: bool = False,
        source: str = "",
        on_update: Callable[[LogEntry], None] | None = None,
    ) -> LogEntry: ...
