"""The sandbox's memory: what it accepted, the request ids it saw, the rate windows, pending faults.

Shared by the server's thread and the test (or TUI) that owns the sandbox, hence one lock.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tui.sandbox.models import Fault, SandboxConfig
from tui.webengage.api import Endpoint


@dataclass(frozen=True)
class RateDecision:
    """The outcome of one rate check, and what goes in the X-RateLimit-* headers."""

    allowed: bool
    limit: int
    remaining: int


@dataclass
class _PendingFault:
    fault: Fault
    remaining: int | None


@dataclass
class SandboxState:
    """Everything that changes while the sandbox runs. Times come from `clock` (monotonic seconds)."""

    config: SandboxConfig
    clock: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _accepted: deque[dict[str, Any]] = field(init=False)
    _seen_ids: OrderedDict[tuple[str, str], float] = field(default_factory=OrderedDict)
    _windows: dict[tuple[str, Endpoint], deque[float]] = field(default_factory=dict)
    _faults: deque[_PendingFault] = field(default_factory=deque)
    duplicates: int = 0
    dropped: int = 0
    """Accepted requests dropped to stay within `config.keep_events` (since the last clear)."""

    def __post_init__(self) -> None:
        # Bounded: a long-running sandbox keeps the newest `keep_events`, not every request.
        self._accepted = deque(maxlen=self.config.keep_events)

    def rate_check(self, license_code: str, endpoint: Endpoint) -> RateDecision:
        """A sliding-window log: a request is allowed while fewer than `limit` were allowed in the
        last `window_s` seconds. Rejected requests are not logged, so a client that backs off
        gets through as soon as the oldest logged request ages out."""
        limit = self.config.bulk_rate_limit if endpoint.is_bulk else self.config.rate_limit
        now = self.clock()
        with self._lock:
            log = self._windows.setdefault((license_code, endpoint), deque())
            while log and log[0] <= now - self.config.window_s:
                log.popleft()
            if len(log) >= limit:
                return RateDecision(allowed=False, limit=limit, remaining=0)
            log.append(now)
            return RateDecision(allowed=True, limit=limit, remaining=limit - len(log))

    def ingest(self, record: dict[str, Any], request_id: str | None) -> bool:
        """Store an accepted request (dropping the oldest beyond `config.keep_events`); False (and
        nothing stored) when its `x-request-id` was already ingested for this account within the
        dedupe window."""
        now = self.clock()
        license_code = str(record["license_code"])
        with self._lock:
            self._forget_old_ids(now)
            if request_id:
                if (license_code, request_id) in self._seen_ids:
                    self.duplicates += 1
                    return False
                self._seen_ids[(license_code, request_id)] = now
            if len(self._accepted) == self._accepted.maxlen:
                self.dropped += 1
            self._accepted.append(record)
            return True

    def _forget_old_ids(self, now: float) -> None:
        horizon = now - self.config.dedupe_window_s
        while self._seen_ids:
            key, seen_at = next(iter(self._seen_ids.items()))
            if seen_at > horizon:
                break
            del self._seen_ids[key]

    def accepted(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._accepted)

    def accepted_and_dropped(self) -> tuple[list[dict[str, Any]], int]:
        """The kept requests and how many older ones were dropped, read together."""
        with self._lock:
            return list(self._accepted), self.dropped

    def clear_accepted(self) -> int:
        with self._lock:
            count = len(self._accepted)
            self._accepted.clear()
            self.dropped = 0
            return count

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(_PendingFault(f, f.times) for f in faults)

    def next_fault(self) -> Fault | None:
        """The fault for this request, if any: the head of the queue, used up after `times`."""
        with self._lock:
            if not self._faults:
                return None
            head = self._faults[0]
            if head.remaining is not None:
                head.remaining -= 1
                if head.remaining <= 0:
                    self._faults.popleft()
            return head.fault

    def pending_faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {**p.fault.model_dump(mode="json"), "remaining": p.remaining} for p in self._faults
            ]

    def clear_faults(self) -> int:
        with self._lock:
            count = len(self._faults)
            self._faults.clear()
            return count

    def reset(self) -> None:
        """Back to a fresh start: nothing accepted, no ids, empty rate windows, no faults."""
        with self._lock:
            self._accepted.clear()
            self._seen_ids.clear()
            self._windows.clear()
            self._faults.clear()
            self.duplicates = 0
            self.dropped = 0
