"""Replay never exceeds the account's rate limit and loses nothing (PRODUCT.md §8).

A plain script (`python tests/benchmarks/bench_replay.py [--events 2000] [--limit 50] [--window 6]`),
not collected by pytest. It replays mapped events through /bulk-events (25 per call) against a
sandbox enforcing `limit` bulk calls per `window` seconds (50 per 6 s is WebEngage's 500 a minute,
scaled down ten times), then prints:

- the 429s received (target: 0) and the events lost (target: 0: every event is in the sandbox);
- throughput as a share of the allowed rate: the time the best possible schedule needs (`limit`
  calls at the start of each window) divided by the time the replay took (target: at least 95 %).
  Calls/second over the whole run is also shown, but the first window's burst inflates it.

`--each` replays one call per event on /events instead (against `limit` calls per window);
`--process` runs the sandbox in its own process, so server and client do not share one interpreter
(at thousands of calls a minute, a shared GIL, not pacing, is what limits the rate).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
from pydantic import SecretStr

from tui.delivery.replay import replay_bulk, replay_each
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Sandbox, SandboxConfig
from tui.webengage.api import BULK_ITEMS_MAX
from tui.webengage.client import RetryPolicy, WebEngageClient
from tui.webengage.pacing import PaceLimits
from tui.webengage.request import Connection

TARGET_SHARE = 0.95


def events(count: int) -> list[dict[str, object]]:
    return [
        {
            "userId": f"bench-{i}",
            "eventName": "Product Viewed",
            "eventTime": "2026-06-06T18:29:00+0000",
            "eventData": {"product_id": f"p-{i % 97}", "price": i % 500 + 0.99, "in_stock": True},
        }
        for i in range(count)
    ]


ADMIN_TOKEN = secrets.token_hex(16)
ADMIN = {"X-Sandbox-Token": ADMIN_TOKEN}
"""The sandbox's control endpoints need its admin token."""


@contextlib.contextmanager
def sandbox_process(limit: int, window: float) -> Iterator[str]:
    """`webengage-debugger sandbox` in its own process: the client gets this process to itself."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "tui", "sandbox", "--port", str(port)]
    command += [
        "--rate-limit",
        str(limit),
        "--bulk-rate-limit",
        str(limit),
        "--window",
        str(window),
    ]
    command += ["--keep", "1000000"]
    env = {**os.environ, "WEBENGAGE_SANDBOX_ADMIN_TOKEN": ADMIN_TOKEN}
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/sandbox/health", headers=ADMIN, timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the sandbox process did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def stored_events(calls: list[dict[str, Any]]) -> int:
    return sum(len(c["body"]["events"]) if "events" in c["body"] else 1 for c in calls)


async def run(args: argparse.Namespace) -> int:
    config = SandboxConfig(rate_limit=args.limit, bulk_rate_limit=args.limit, window_s=args.window)
    items = events(args.events)
    with contextlib.ExitStack() as stack:
        if args.process:
            url = stack.enter_context(sandbox_process(args.limit, args.window))
        else:
            sandbox = stack.enter_context(Sandbox(config))
            url = sandbox.url
        connection = Connection(
            license_code=DEMO_LICENSE_CODE, api_key=SecretStr(DEMO_API_KEY), route_to=url
        )
        limits = PaceLimits(calls=args.limit, window_s=args.window)
        started = time.perf_counter()
        async with WebEngageClient(
            connection, retry=RetryPolicy(max_attempts=4, base_delay_s=0.2)
        ) as client:
            replay = replay_each if args.each else replay_bulk
            extra = {"concurrency": args.concurrency} if args.concurrency else {}
            report = await replay(client, items, limits=limits, **extra)
        elapsed = time.perf_counter() - started
        if args.process:
            events_url = f"{url}/sandbox/events"
            stored = stored_events(httpx.get(events_url, headers=ADMIN, timeout=30).json())
        else:
            stored = stored_events(sandbox.accepted())

    calls = report.calls
    first_attempts = sorted(e.attempts[0].started_at for e in report.entries if e.attempts)
    span = (first_attempts[-1] - first_attempts[0]).total_seconds() if first_attempts else 0.0
    ideal_span = ((calls - 1) // args.limit) * args.window
    # Fewer calls than one window holds: nothing to wait for, the share is moot (100 %).
    share = ideal_span / span if ideal_span > 0 and span > 0 else 1.0
    lost = args.events - stored
    endpoint = "/events" if args.each else "/bulk-events"
    where = "a separate process" if args.process else "a thread of this process"
    print(f"replay of {args.events} events through {endpoint}: {calls} calls (sandbox in {where})")
    print(
        f"  limit: {args.limit} calls per {args.window:g} s (pacing margin {limits.margin:.2f} s, {report.margin_s or 0:.2f} s in the end), concurrency {args.concurrency}"
    )
    print(
        f"  elapsed {elapsed:.2f} s; last call started at {span:.2f} s (best possible {ideal_span:.2f} s)"
    )
    print(f"  throughput: {share:.1%} of the allowed rate (target >= {TARGET_SHARE:.0%})")
    print(
        f"  calls/s over the run: {calls / elapsed:.2f} (allowed {limits.calls_per_second:.2f}/s, first-window burst included)"
    )
    print(f"  429 responses: {report.rate_limited_attempts} (target 0); attempts {report.attempts}")
    print(f"  events lost: {lost} (stored {stored} of {args.events}); outcomes {report.outcomes}")
    ok = report.rate_limited_attempts == 0 and lost == 0 and share >= TARGET_SHARE
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=50, help="calls per window")
    parser.add_argument("--window", type=float, default=6.0, help="seconds")
    parser.add_argument("--concurrency", type=int, default=None, help="default: replay's own")
    parser.add_argument("--each", action="store_true", help="one call per event on /events")
    parser.add_argument(
        "--process", action="store_true", help="run the sandbox in its own process (not a thread)"
    )
    args = parser.parse_args()
    if not args.each and args.events < BULK_ITEMS_MAX:
        parser.error(f"--events must be at least {BULK_ITEMS_MAX} for a bulk replay")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
