"""Pacing: never start more calls than the account allows in any window (a sliding-window log).

WebEngage counts calls per account per minute (5,000 on /events and /users, 500 on the bulk
endpoints). The Pacer asks pyrate-limiter for a slot before every attempt, retries included. Its
window is a little longer than the server's (the margin): a call is counted by the server when it
arrives, not when it leaves, and network jitter must not push two windows' worth into one.

A call arrives somewhere between leaving and its response coming back, so two calls' arrival
orders can differ by at most the slowest round trip: the margin grows to the slowest round trip
observed (capped at a quarter of the window), which keeps a slow or loaded link 429-free too.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from tui.webengage.api import Endpoint

if TYPE_CHECKING:
    from pyrate_limiter import Rate

MARGIN_SHARE = 0.02
MARGIN_MIN_S = 0.1
MARGIN_MAX_SHARE = 0.25


class PaceLimits(BaseModel):
    """`calls` per `window_s` seconds: WebEngage's real limits, or a sandbox's smaller ones."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    calls: int = Field(ge=1)
    window_s: float = Field(default=60.0, gt=0)
    margin_s: float | None = Field(default=None, ge=0)

    @classmethod
    def for_endpoint(cls, endpoint: Endpoint) -> PaceLimits:
        """WebEngage's documented limit for this endpoint (500/min bulk, 5,000/min otherwise)."""
        return cls(calls=endpoint.rate_limit_per_minute, window_s=60.0)

    @property
    def margin(self) -> float:
        if self.margin_s is not None:
            return self.margin_s
        return max(MARGIN_MIN_S, self.window_s * MARGIN_SHARE)

    @property
    def calls_per_second(self) -> float:
        """The server's allowed rate (without the margin): the yardstick for throughput."""
        return self.calls / self.window_s


class Pacer:
    """Waits before each call so at most `limits.calls` start within any `window_s + margin`."""

    def __init__(self, limits: PaceLimits) -> None:
        self.limits = limits
        self.margin_s = limits.margin
        # pyrate-limiter (and the multiprocessing it imports) loads with the first pacer, that
        # is with the first send: the TUI's first screen does not wait for it.
        from pyrate_limiter import InMemoryBucket, Limiter, SingleBucketFactory

        self._bucket = InMemoryBucket([self._rate()])
        # No leak thread: the bucket is trimmed here, from the caller's own task.
        self._limiter = Limiter(SingleBucketFactory(self._bucket, schedule_leak=False), buffer_ms=5)
        self.calls = 0
        self.waited_s = 0.0

    def _rate(self) -> Rate:
        from pyrate_limiter import Rate

        return Rate(self.limits.calls, round((self.limits.window_s + self.margin_s) * 1000))

    def observe(self, round_trip_s: float) -> None:
        """A response came back after `round_trip_s`: widen the margin if jitter could exceed it."""
        cap = self.limits.window_s * MARGIN_MAX_SHARE
        wanted = min(round_trip_s, cap)
        if self.limits.margin_s is None and wanted > self.margin_s:
            self.margin_s = wanted
            self._bucket.rates = [self._rate()]

    @classmethod
    def for_endpoint(cls, endpoint: Endpoint) -> Pacer:
        return cls(PaceLimits.for_endpoint(endpoint))

    async def wait(self) -> float:
        """Wait for a slot (cancellable); how long it waited, in seconds."""
        started = time.perf_counter()
        acquired = await self._limiter.try_acquire_async("calls", blocking=True)
        if not acquired:  # only when one call can never fit, which Field(ge=1) rules out
            raise RuntimeError("the pacing limit admits no calls")
        self.calls += 1
        if self.calls % 512 == 0:
            from pyrate_limiter import MonotonicClock

            self._bucket.leak(MonotonicClock().now())
        waited = time.perf_counter() - started
        self.waited_s += waited
        return waited

    def close(self) -> None:
        self._limiter.close()

    def __repr__(self) -> str:
        return (
            f"Pacer({self.limits.calls} per {self.limits.window_s:g}s, margin {self.margin_s:g}s)"
        )


LEARN_TRIPS = 8
"""Round trips seen before more than one call is let in flight."""
HEADROOM = 2.0


class InFlight:
    """How many calls may be in flight at once: enough to reach the allowed rate at the typical
    round trip (Little's law: rate × round trip, with headroom), at most `most`; one until
    `LEARN_TRIPS` round trips are known. A local sandbox answers in a few milliseconds, so calls
    go one after another, in order; WebEngage's 100-300 ms need a few at once."""

    def __init__(self, most: int, rate_per_s: float | None) -> None:
        self.most = max(1, most)
        self.rate_per_s = rate_per_s
        self.trips: deque[float] = deque(maxlen=64)
        self.busy = 0
        self._changed = asyncio.Condition()

    def allowed(self) -> int:
        if self.rate_per_s is None:
            return self.most
        if len(self.trips) < LEARN_TRIPS:
            return 1
        typical = sorted(self.trips)[len(self.trips) // 2]
        wanted = math.ceil(self.rate_per_s * typical * HEADROOM)
        return max(1, min(self.most, wanted))

    async def enter(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.busy < self.allowed())
            self.busy += 1

    async def leave(self, round_trip_s: float | None) -> None:
        async with self._changed:
            self.busy -= 1
            if round_trip_s is not None:
                self.trips.append(round_trip_s)
            self._changed.notify_all()


async def wait_or_cancel(pacer: Pacer, cancel: asyncio.Event | None) -> bool:
    """Wait for a pacing slot; False (and no slot) if `cancel` is set first (a paced wait can be
    a minute long)."""
    if cancel is None:
        await pacer.wait()
        return True
    if cancel.is_set():
        return False
    slot = asyncio.ensure_future(pacer.wait())
    stop = asyncio.ensure_future(cancel.wait())
    try:
        await asyncio.wait({slot, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        if not slot.done():
            slot.cancel()
            await asyncio.gather(slot, return_exceptions=True)
    return slot.done() and not slot.cancelled() and slot.exception() is None
