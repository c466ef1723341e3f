"""A delivery log entry: one per send, even when nothing came back. The key is never in it.

Entries are immutable: the client hands out a new snapshot after each step of a delivery, so a
worker, the log, the history and an export can all hold one without copying it.
"""

from __future__ import annotations

import ipaddress
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from tui.webengage.api import Endpoint
from tui.webengage.findings import Finding
from tui.webengage.outcomes import Hint, NetworkFailure, Outcome
from tui.webengage.request import WebEngageRequest

RESPONSE_BODY_MAX = 64 * 1024
"""Response bodies are kept up to this many characters (an HTML error page can be huge)."""


class Target(StrEnum):
    """Where a delivery really went: never ambiguous between a sandbox and WebEngage."""

    SANDBOX = "sandbox"  # routed to a WebEngage stand-in on this machine (the sandbox)
    ROUTED = "routed"  # routed to another address (a proxy or relay), the real Host header kept
    REAL = "real"  # straight to WebEngage's API host


def target_of(route_to: str | None) -> Target:
    """The target of a connection routed to `route_to` (None: straight to WebEngage)."""
    if not route_to:
        return Target.REAL
    host = (urlsplit(route_to).hostname or "").lower()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return Target.SANDBOX if loopback else Target.ROUTED


def sent_to(entry: LogEntry) -> str:
    """Where a delivery went, in a sentence's words (the detail header, the evidence pack)."""
    if entry.target is Target.SANDBOX:
        return f"the sandbox at {entry.route}, not WebEngage"
    if entry.target is Target.ROUTED:
        return f"{entry.route} (routed, with WebEngage's Host header {entry.host})"
    if entry.target is Target.REAL:
        return "WebEngage"
    return "(not recorded)"


def new_request_id() -> str:
    """An `x-request-id`: hex, the same on every attempt of one delivery."""
    return uuid.uuid4().hex


def utc_now() -> datetime:
    return datetime.now(UTC)


class Attempt(BaseModel):
    """One try at the request: what came back, or how the network failed."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    number: int
    started_at: datetime
    latency_ms: float | None = None
    status: int | None = None
    error: str | None = None  # the network failure, in plain words
    network_failure: NetworkFailure | None = None
    retry_after_s: float | None = None  # the server's Retry-After, when it sent one
    backoff_s: float | None = None  # how long the client waited after this attempt before the next


class LogEntry(BaseModel):
    """Everything known about one delivery. `outcome` is None while it is in flight (or was cut off)."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    request_id: str = Field(default_factory=new_request_id)
    created_at: datetime = Field(default_factory=utc_now)
    finished_at: datetime | None = None
    event_name: str = ""
    data_centre: str = ""
    host: str = ""
    license_code: str = ""
    endpoint: Endpoint = Endpoint.EVENTS
    request: WebEngageRequest
    attempts: tuple[Attempt, ...] = ()
    outcome: Outcome | None = None
    status: int | None = None
    hint: Hint | None = None
    response_headers: dict[str, str] = Field(default_factory=dict)
    response_body: str | None = None
    response_truncated: bool = False
    rate_limit_limit: int | None = None
    rate_limit_remaining: int | None = None
    findings: tuple[Finding, ...] = ()
    forced: bool = False  # sent although findings of severity error said it would fail
    source: str = ""  # where the event came from: "composer", a file name, "replay of <id>", ...
    target: Target | None = None  # None: recorded before targets were (an old history row)
    route: str | None = None  # the address it was sent to when routed (the sandbox's URL)

    @property
    def latency_ms(self) -> float | None:
        """Total time across all attempts (backoff waits excluded)."""
        times = [a.latency_ms for a in self.attempts if a.latency_ms is not None]
        return sum(times) if times else None

    @property
    def waited_s(self) -> float:
        """Time spent waiting between retries (backoff, Retry-After): not on the wire."""
        return round(sum(a.backoff_s or 0.0 for a in self.attempts), 3)

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    def summary(self) -> dict[str, object]:
        """What `send --json` prints for one entry."""
        return {
            "id": self.id,
            "request_id": self.request_id,
            "event": self.event_name,
            "outcome": self.outcome.value if self.outcome else None,
            "status": self.status,
            "hint": self.hint.model_dump() if self.hint else None,
            "attempts": [a.model_dump(mode="json") for a in self.attempts],
            "latency_ms": self.latency_ms,
            "waited_s": self.waited_s,
            "data_centre": self.data_centre,
            "host": self.host,
            "url": self.request.url,
            "target": self.target.value if self.target else None,
            "sent_to": self.route or self.request.url,
            "rate_limit": {"limit": self.rate_limit_limit, "remaining": self.rate_limit_remaining},
            "response": self.response_body,
        }
