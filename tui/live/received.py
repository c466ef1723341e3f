"""One event the listener received: as it came, its preview, and what became of it.

`Received` is immutable: the listener reports an event once as it arrives (`forwarding` when a
delivery is under way) and again, as a new value, when the delivery ends. `record()` is the
`listen --json` line; the texts (`identity`, `outcome_label`) are the human line's and the Live
tab's, made safe for a terminal where they come from the sender.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tui.mapping.preview import Preview
from tui.safe_text import visible
from tui.webengage.entry import LogEntry, utc_now
from tui.webengage.findings import Finding, Severity

IDENTITY_SHOWN = 40
"""An identity is cut to this many characters on a line."""


def finding_record(finding: Finding) -> dict[str, str]:
    """A finding as `listen --json` prints it: severity, path, message, fix."""
    return {
        "severity": finding.severity.value,
        "path": finding.path,
        "message": finding.message,
        "fix": finding.fix,
    }


def identity_of(body: Any) -> str:
    """`user <id>`, `anonymous <id>` or `no identity`, from a WebEngage body (safe to print)."""
    if isinstance(body, dict):
        for key, label in (("userId", "user"), ("anonymousId", "anonymous")):
            value = body.get(key)
            if value not in (None, ""):
                text = visible(str(value), one_line=True)
                if len(text) > IDENTITY_SHOWN:
                    text = text[: IDENTITY_SHOWN - 1] + "…"
                return f"{label} {text}"
    return "no identity"


def signal_name(event: Any) -> str:
    """What the sender called it: the track event's name, or the call's type (`page`, ...)."""
    if not isinstance(event, dict):
        return "(not an object)"
    kind = event.get("type")
    kind = kind.lower() if isinstance(kind, str) else "track"
    name = event.get("event")
    if kind == "track" and isinstance(name, str) and name:
        return name
    return kind or "track"


@dataclass(frozen=True, slots=True)
class Received:
    """An event as it arrived (`raw`, the write key masked) and as WebEngage would get it."""

    id: str
    path: str
    raw: Any
    preview: Preview
    findings: tuple[Finding, ...]
    forwarding: bool = False
    """A delivery is under way (this value is reported again when it ends)."""
    not_sent: str = ""
    """Why it was not forwarded, when forwarding is on ("" when it was, or when it is off)."""
    delivery: LogEntry | None = None
    update: bool = False
    """A second report of an event already reported (its delivery ended)."""
    forward_on: bool = False
    write_key_shown: str = ""
    at: datetime = field(default_factory=utc_now)
    mono: float = 0.0
    """time.monotonic() at receipt (receipt-to-screen latency)."""

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def signal_name(self) -> str:
        return visible(signal_name(self.raw), one_line=True)

    @property
    def webengage_name(self) -> str:
        if self.preview.mapped is None:
            return "(no WebEngage call)"
        if self.preview.mapped.endpoint.value == "users":
            return "/users"
        return visible(self.preview.event_name, one_line=True) or "(no name)"

    @property
    def identity(self) -> str:
        return identity_of(self.preview.request.body)

    @property
    def final(self) -> bool:
        return not self.forwarding

    @property
    def accepted(self) -> bool:
        return self.delivery is not None and bool(
            self.delivery.outcome and self.delivery.outcome.ok
        )

    @property
    def failed(self) -> bool:
        """Forwarded, and WebEngage (or the network) did not accept it."""
        return self.delivery is not None and not self.forwarding and not self.accepted

    def outcome_label(self) -> str:
        """`accepted 200`, `forwarding…`, `not sent: ...`, or `preview` when forwarding is off."""
        if self.forwarding:
            return "forwarding…"
        entry = self.delivery
        if entry is not None:
            outcome = entry.outcome.value if entry.outcome else "cut off"
            return f"{outcome} {entry.status}" if entry.status is not None else outcome
        if self.not_sent:
            return f"not sent: {self.not_sent}"
        return "preview" if not self.forward_on else "not sent"

    def record(self) -> dict[str, Any]:
        """The `listen --json` line: the event as received, the WebEngage request (key redacted),
        the findings, and the delivery as `send --json` prints it (None when not forwarded)."""
        return {
            "received": self.raw,
            "request": self.preview.request.preview_dict(),
            "findings": [finding_record(f) for f in self.findings],
            "delivery": self.delivery.summary() if self.delivery is not None else None,
        }
