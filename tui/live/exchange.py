"""One relayed exchange: the caller's request as the delivery service sends it, and what went back.

`RelayedRequest` is a `WebEngageRequest` whose wire bytes are the caller's own (the relay is
transparent: a body that is not JSON goes out exactly as it came, for WebEngage to answer 400).
`Exchange` is what the relay reports once per request, whether it was forwarded or answered by the
relay itself (404 off the API, 413 too large); `record()` is the `--json` line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import Field

from tui.webengage.api import Endpoint
from tui.webengage.entry import LogEntry, utc_now
from tui.webengage.findings import Finding
from tui.webengage.outcomes import Hint
from tui.webengage.request import BULK_KEY, WebEngageRequest

NAMES_SHOWN = 3
"""A bulk call's line names this many distinct events, then counts the rest."""
PASSED_BACK = ("content-type", "retry-after")
"""Response headers returned to the caller, besides every `X-RateLimit-*` one."""


class RelayedRequest(WebEngageRequest):
    """A caller's request: `body` is the parsed JSON (or the text, when it is not JSON), shown and
    recorded; `raw` (never recorded: excluded from dumps) is what goes on the wire."""

    raw: bytes = Field(default=b"", exclude=True, repr=False)

    def body_bytes(self) -> bytes:
        return self.raw


def parse_body(raw: bytes) -> tuple[Any, str | None]:
    """(the JSON value, None), or (the text as received, why it is not JSON). Never raises."""
    try:
        return json.loads(raw), None
    except json.JSONDecodeError as error:
        return raw.decode("utf-8", errors="replace"), f"line {error.lineno}, column {error.colno}"
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), "not UTF-8 text"
    except (ValueError, RecursionError) as error:  # an integer too long, nesting too deep
        return raw.decode("utf-8", errors="replace"), str(error)[:120] or type(error).__name__


def event_names(endpoint: Endpoint | None, body: Any) -> tuple[str, ...]:
    """The event name(s) in a body: eventName, "user" for /users, one per bulk item."""
    if endpoint is None or not isinstance(body, dict):
        return ()
    if endpoint is Endpoint.EVENTS:
        return (str(body.get("eventName") or ""),)
    if endpoint is Endpoint.USERS:
        return ("user",)
    items = body.get(BULK_KEY[endpoint])
    if not isinstance(items, list):
        return ()
    if endpoint is Endpoint.BULK_USERS:
        return tuple("user" for _ in items)
    return tuple(str(i.get("eventName") or "") if isinstance(i, dict) else "" for i in items)


def names_text(names: tuple[str, ...]) -> str:
    """`Order Completed`, or `3 events: A, B, C +2 more` for a bulk call."""
    if len(names) == 1:
        return names[0]
    if not names:
        return ""
    distinct = list(dict.fromkeys(n or "(no name)" for n in names))
    more = f" +{len(distinct) - NAMES_SHOWN} more" if len(distinct) > NAMES_SHOWN else ""
    kind = "users" if set(names) == {"user"} else "events"
    shown = "" if kind == "users" else ": " + ", ".join(distinct[:NAMES_SHOWN]) + more
    return f"{len(names)} {kind}{shown}"


def passed_back(headers: dict[str, str]) -> dict[str, str]:
    """The upstream's headers the caller gets: rate limits, Retry-After, Content-Type."""
    return {
        name: value
        for name, value in headers.items()
        if name.lower().startswith("x-ratelimit-") or name.lower() in PASSED_BACK
    }


def _shown_body(body: bytes) -> Any:
    """A response body for the JSON line: the JSON value when it is JSON, else the text."""
    value, problem = parse_body(body)
    return value if problem is None else body.decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request through the relay and its answer. `entry` is the delivery as recorded (None
    when the relay answered itself: not forwarded); `body` and `headers` are what the caller got."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: bytes
    request: WebEngageRequest | None = None
    entry: LogEntry | None = None
    findings: tuple[Finding, ...] = ()
    hint: Hint | None = None
    names: tuple[str, ...] = ()
    at: datetime = field(default_factory=utc_now)

    @property
    def forwarded(self) -> bool:
        return self.entry is not None

    @property
    def endpoint(self) -> Endpoint | None:
        return self.request.endpoint if self.request is not None else None

    @property
    def outcome(self) -> str | None:
        """WebEngage's outcome (`accepted`, `auth`, ...); None when it was not forwarded."""
        entry = self.entry
        return entry.outcome.value if entry is not None and entry.outcome else None

    @property
    def latency_ms(self) -> float | None:
        """The time on the wire to WebEngage (None when not forwarded)."""
        return self.entry.latency_ms if self.entry is not None else None

    def record(self) -> dict[str, Any]:
        """The `--json` line: request (key redacted), response, outcome, hint, findings, latency."""
        if self.request is not None:
            request = self.request.preview_dict()
        else:
            request = {"method": self.method, "url": self.path, "headers": {}, "body": None}
        return {
            "request": request,
            "response": {
                "status": self.status,
                "headers": self.headers,
                "body": _shown_body(self.body),
            },
            "outcome": self.outcome,
            "hint": self.hint.model_dump(exclude={"fix_in_app"}) if self.hint else None,
            "findings": [f.to_json() for f in self.findings],
            "latency_ms": self.latency_ms,
        }
