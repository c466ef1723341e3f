"""Events per second through `webengage-debugger listen --json` (PRODUCT.md §8: the listener).

A plain script (`python tests/benchmarks/bench_listen.py [--events 20000] [--batch 100]
[--concurrency 4]`), not collected by pytest. The listener runs as the real command, in its own
process, with a private WEBENGAGE_DEBUGGER_HOME (every event is recorded in its history, as in
use); an httpx asyncio client posts Segment-shaped batches to /v1/batch (as the Python SDKs do,
`--batch` events each, `--concurrency` requests in flight), and a thread reads its stdout. The
clock runs from the first request to the last JSON line read: every event received, previewed,
recorded and printed. Then the same for single calls (`/v1/t`, one event per request, as
analytics.js sends them). Forwarding is off: it is paced under WebEngage's 5,000 calls a minute
per account, so it measures WebEngage's limit, not the listener.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

import httpx

LINE_KEYS = {"received", "request", "findings", "delivery"}


def event(n: int) -> dict[str, Any]:
    """A track call as segment-analytics-python sends it."""
    return {
        "type": "track",
        "event": "Product Viewed" if n % 3 else "Order Completed",
        "userId": f"user-{n % 5000}",
        "anonymousId": None,
        "messageId": f"msg-{n:012d}",
        "timestamp": "2026-06-06T18:29:00.120000+00:00",
        "context": {"library": {"name": "analytics-python", "version": "2.4.0"}},
        "properties": {
            "product_id": f"p-{n % 97}",
            "sku": f"SKU-{n % 311}",
            "name": "Red running shoes",
            "price": n % 500 + 0.99,
            "quantity": 1 + n % 3,
            "currency": "USD",
            "in_stock": True,
            "order_id": f"o-{n}",
            "revenue": 39.8,
            "shipping": {"city": "Pune", "country": "IN"},
        },
        "integrations": {},
    }


class Listener:
    """`webengage-debugger listen --json --port 0` in its own process; counts its stdout lines."""

    def __init__(self, home: str) -> None:
        command = [sys.executable, "-m", "tui", "listen", "--json", "--port", "0"]
        env = {**os.environ, "WEBENGAGE_DEBUGGER_HOME": home, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self.url = ""
        for line in self.process.stderr:
            if line.startswith("Listening on "):
                self.url = line.split()[2].rstrip(";")
                break
        if not self.url:
            raise SystemExit("the listener did not start")
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.lines = 0
        self.last_line_at = 0.0
        self.checked: dict[str, Any] = {}
        self.done = threading.Event()
        self.expected = 0
        threading.Thread(target=self._count, daemon=True).start()

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for _ in self.process.stderr:
            pass

    def _count(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if not self.checked:
                self.checked = json.loads(line)
            self.lines += 1
            self.last_line_at = time.perf_counter()
            if self.expected and self.lines >= self.expected:
                self.done.set()

    def expect(self, total: int) -> None:
        self.expected = total
        if self.lines >= total:
            self.done.set()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


async def post_all(url: str, bodies: list[bytes], concurrency: int, path: str) -> float:
    """Post every body (`concurrency` at a time); the time the first request started."""
    headers = {"Content-Type": "application/json", "Authorization": "Basic YmVuY2gta2V5Og=="}
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                response = await client.post(url + path, content=body, headers=headers)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code} {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return started


def run(listener: Listener, bodies: list[bytes], events: int, concurrency: int, path: str) -> float:
    before = listener.lines
    listener.done.clear()
    listener.expect(before + events)
    started = asyncio.run(post_all(listener.url, bodies, concurrency, path))
    if not listener.done.wait(120):
        raise SystemExit(f"only {listener.lines - before} of {events} lines came out")
    return events / (listener.last_line_at - started)


TRIVIAL = """
import asyncio
from aiohttp import web
async def answer(request):
    await request.read()
    return web.Response(body=b'{"success":true}', content_type="application/json")
async def main():
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(runner.addresses[0][1], flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""


def baseline(bodies: list[bytes], concurrency: int) -> float:
    """Requests a second the same client gets from an aiohttp server that does nothing: the
    ceiling the client and the machine set for single calls."""
    server = subprocess.Popen([sys.executable, "-c", TRIVIAL], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
    try:
        started = asyncio.run(post_all(url, bodies, concurrency, "/v1/t"))
        return len(bodies) / (time.perf_counter() - started)
    finally:
        server.kill()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    batches = [
        json.dumps({"batch": [event(n) for n in range(i, min(i + args.batch, args.events))]})
        for i in range(0, args.events, args.batch)
    ]
    singles_count = max(args.events // 4, 1)
    singles = [json.dumps(event(n)) for n in range(singles_count)]
    with tempfile.TemporaryDirectory() as home:
        listener = Listener(home)
        try:
            run(
                listener,
                [b.encode() for b in batches[:5]],
                min(args.events, args.batch * 5),
                2,
                "/v1/batch",
            )  # warm-up
            batched = run(
                listener, [b.encode() for b in batches], args.events, args.concurrency, "/v1/batch"
            )
            single = run(
                listener, [s.encode() for s in singles], singles_count, args.concurrency, "/v1/t"
            )
            assert set(listener.checked) == LINE_KEYS, listener.checked.keys()
        finally:
            listener.stop()
    ceiling = baseline([s.encode() for s in singles], args.concurrency)
    print(
        f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}"
    )
    print(
        f"listen --json, /v1/batch ({args.batch} events per request, {args.concurrency} in flight): "
        f"{batched:,.0f} events/s over {args.events:,} events"
    )
    print(
        f"listen --json, /v1/t (one event per request, {args.concurrency} in flight): "
        f"{single:,.0f} events/s over {singles_count:,} events"
    )
    print(
        f"  the same client against an aiohttp server that does nothing: {ceiling:,.0f} "
        "requests/s (the ceiling the client and the machine set for single calls)"
    )


if __name__ == "__main__":
    main()
