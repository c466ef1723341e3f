"""The Pacer: no window ever holds more calls than allowed, and it does not waste the allowance."""

from __future__ import annotations

import asyncio
import time

import pytest

from tui.webengage.api import Endpoint
from tui.webengage.pacing import PaceLimits, Pacer


def max_in_any_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


async def test_never_more_than_the_limit_in_any_window() -> None:
    limits = PaceLimits(calls=5, window_s=0.4)
    pacer = Pacer(limits)
    started = time.perf_counter()
    times = []
    for _ in range(17):
        await pacer.wait()
        times.append(time.perf_counter() - started)
    pacer.close()
    assert max_in_any_window(times, limits.window_s) <= 5
    # Four windows' worth: 5 at once, then 5 more after each (window + margin).
    assert times[-1] < 3 * (limits.window_s + limits.margin) + 0.3


async def test_concurrent_waiters_share_one_limit() -> None:
    pacer = Pacer(PaceLimits(calls=4, window_s=0.3))
    started = time.perf_counter()
    times: list[float] = []

    async def call() -> None:
        await pacer.wait()
        times.append(time.perf_counter() - started)

    await asyncio.gather(*(call() for _ in range(12)))
    pacer.close()
    assert max_in_any_window(sorted(times), 0.3) <= 4
    assert pacer.calls == 12 and pacer.waited_s > 0


async def test_waiting_is_cancellable() -> None:
    pacer = Pacer(PaceLimits(calls=1, window_s=30))
    await pacer.wait()
    task = asyncio.create_task(pacer.wait())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    pacer.close()


def test_webengage_limits_and_margin() -> None:
    assert PaceLimits.for_endpoint(Endpoint.BULK_EVENTS).calls == 500
    assert PaceLimits.for_endpoint(Endpoint.EVENTS).calls == 5000
    assert PaceLimits(calls=500, window_s=60).margin == pytest.approx(1.2)
    assert PaceLimits(calls=4, window_s=1).margin == pytest.approx(0.1)
    assert "4 per 1s" in repr(Pacer(PaceLimits(calls=4, window_s=1)))


def test_margin_grows_with_slow_round_trips_up_to_a_quarter_window() -> None:
    pacer = Pacer(PaceLimits(calls=4, window_s=1.0))
    pacer.observe(0.05)
    assert pacer.margin_s == pytest.approx(0.1)
    pacer.observe(0.18)
    assert pacer.margin_s == pytest.approx(0.18)
    pacer.observe(3.0)
    assert pacer.margin_s == pytest.approx(0.25)
    fixed = Pacer(PaceLimits(calls=4, window_s=1.0, margin_s=0.01))
    fixed.observe(0.5)
    assert fixed.margin_s == pytest.approx(0.01)


async def test_in_flight_follows_the_rate_and_the_round_trip() -> None:
    from tui.webengage.pacing import LEARN_TRIPS, InFlight

    gate = InFlight(8, rate_per_s=500 / 60)  # WebEngage's bulk limit
    assert gate.allowed() == 1  # nothing learnt yet: one call at a time, in order
    for _ in range(LEARN_TRIPS):
        await gate.enter()
        await gate.leave(0.003)  # a local sandbox
    assert gate.allowed() == 1
    for _ in range(64):
        await gate.enter()
        await gate.leave(0.3)  # WebEngage from far away: 8.3 calls/s × 0.3 s × 2
    assert gate.allowed() == 5
    assert InFlight(8, rate_per_s=5000 / 60).allowed() == 1
    assert InFlight(8, rate_per_s=None).allowed() == 8  # no limit known: as many as allowed
