"""The Live tab under load (PRODUCT.md §8): receipt-to-screen latency at 100 and 1,000 events a
second, and the app's peak memory after 100,000 events.

A plain script (`python tests/benchmarks/bench_live.py [--seconds 10] [--events 100000]`), not
collected by pytest. Each measurement runs in a fresh process of its own (a clean peak RSS): the
real app, headless (Pilot, 120×36), with the listener started inside it as `--listen` does, on a
private WEBENGAGE_DEBUGGER_HOME (every event recorded in its history); forwarding is off (it is
paced under WebEngage's 5,000 calls a minute, which would measure WebEngage's limit). A poster in
yet another process sends Segment-shaped batches of 10 to /v1/batch at the rate asked (httpx).

- latency: from the moment the listener has read an event (its `Received.mono`) to the moment a
  frame draws its row (`LiveTable.on_paint`, called from `render_line` while the compositor builds
  the frame; headless, the frame is built but not written to a terminal). Only rows that reach
  the screen are measured: at 1,000 a second most rows are pushed below the fold before a frame
  is drawn, and those have no receipt-to-screen time. Also: every event counted (none lost), and
  the longest gap between two flushes of the feed (a frozen app would show it).
- memory: 100,000 events posted as fast as the poster can, then the peak RSS of the app's process
  (`resource.getrusage`; the poster is another process), against the 300 MB target.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MEMORY_TARGET_MB = 300
FLUSH_S = 0.1  # tui/ui/widgets/live.py
POSTER = """
import asyncio, json, random, sys, time
import httpx
url, rate, count, batch = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
random.seed(7)
def event(n):
    return {"type": "track", "event": "Product Viewed", "userId": f"user-{n % 5000}",
            "messageId": f"m-{n:010d}", "timestamp": "2026-06-06T18:29:00.120Z",
            "context": {"library": {"name": "analytics-python", "version": "2.4.0"}},
            "properties": {"product_id": f"p-{n % 97}", "price": n % 500 + 0.99,
                           "currency": "USD", "in_stock": True, "quantity": 1 + n % 3}}
async def main():
    headers = {"Content-Type": "application/json"}
    async with httpx.AsyncClient(timeout=60) as client:
        due = time.perf_counter()
        pending = set()
        for i in range(0, count, batch):
            if rate > 0:  # Poisson arrivals: a fixed period would lock in phase with the flushes
                due += random.expovariate(rate / batch)
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            body = json.dumps({"batch": [event(n) for n in range(i, min(i + batch, count))]})
            pending.add(asyncio.create_task(client.post(url + "/v1/batch", content=body, headers=headers)))
            if len(pending) >= 8:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if pending:
            await asyncio.wait(pending)
asyncio.run(main())
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(rate: float, count: int) -> dict[str, Any]:
    """In this (fresh) process: the app with a listener, the poster in another process."""
    from tui.store.settings import AppSettings
    from tui.ui import live_control
    from tui.ui.app import create_app
    from tui.webengage.request import Connection

    app = create_app(AppSettings(), connection=Connection())  # no account: forwarding is off
    latencies: list[float] = []
    tabled: list[float] = []
    flushes: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        live_control.start_listener(app, 0)
        while (view := live_control.live_view(app)) is None or view.listener is None:
            await pilot.pause(0.02)
        view.table.on_paint = lambda row: latencies.append(time.monotonic() - row.mono)

        def flushed(rows: list[Any]) -> None:
            now = time.monotonic()
            flushes.append(now)
            tabled.extend(now - row.mono for row in rows if not row.update)

        view.on_flush = flushed
        batch = "1" if 0 < rate <= 100 else "10"
        command = [sys.executable, "-c", POSTER, view.listener.url, str(rate), str(count), batch]
        started = time.monotonic()
        poster = subprocess.Popen(command)
        while view.counters.received < count:  # (a Pilot pause would visit every widget)
            assert time.monotonic() - started < 600, "the Live tab did not keep up"
            await asyncio.sleep(0.02)
        took = time.monotonic() - started
        poster.wait(timeout=60)
        await pilot.pause(0.2)
    gaps = [b - a for a, b in itertools.pairwise(flushes)]
    return {
        "received": view.counters.received,
        "seconds": took,
        "painted": len(latencies),
        "p50_ms": percentile(latencies, 0.5) * 1000 if latencies else None,
        "p95_ms": percentile(latencies, 0.95) * 1000 if latencies else None,
        "table_p50_ms": percentile(tabled, 0.5) * 1000 if tabled else None,
        "table_p95_ms": percentile(tabled, 0.95) * 1000 if tabled else None,
        "max_flush_gap_ms": max(gaps) * 1000 if gaps else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child(rate: float, count: int) -> dict[str, Any]:
    """`measure` in a fresh process with its own WEBENGAGE_DEBUGGER_HOME."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "WEBENGAGE_DEBUGGER_HOME": home, "TZ": "UTC"}
        command = [sys.executable, str(Path(__file__)), "--child", str(rate), str(count)]
        output = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1200)
    if output.returncode != 0:
        raise SystemExit(f"the measurement failed:\n{output.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per latency run")
    parser.add_argument("--events", type=int, default=100_000, help="for the memory run")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        rate, count = float(args.child[0]), int(args.child[1])
        print(json.dumps(asyncio.run(measure(rate, count))))
        return
    print(
        f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}"
    )
    for rate in (100, 1000):
        count = int(rate * args.seconds)
        r = child(rate, count)
        lost = count - r["received"]
        print(
            f"{rate:>5} events/s for {args.seconds:g} s: all {r['received']:,} received in "
            f"{r['seconds']:.1f} s ({lost} lost)\n"
            f"      receipt-to-screen p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms "
            f"({r['painted']:,} rows drawn); receipt-to-table (every event) p50 "
            f"{r['table_p50_ms']:.0f} ms, p95 {r['table_p95_ms']:.0f} ms\n"
            f"      longest gap between flushes {r['max_flush_gap_ms']:.0f} ms "
            f"(every {FLUSH_S * 1000:.0f} ms when idle); peak RSS {r['peak_rss_mb']:.0f} MB"
        )
    r = child(0, args.events)
    verdict = "PASS" if r["peak_rss_mb"] < MEMORY_TARGET_MB else "FAIL"
    print(
        f"{args.events:,} events as fast as they come: {r['seconds']:.1f} s "
        f"({args.events / r['seconds']:,.0f} events/s); peak RSS of the app "
        f"{r['peak_rss_mb']:.0f} MB (target < {MEMORY_TARGET_MB} MB: {verdict})"
    )


if __name__ == "__main__":
    main()
