"""A backfill at WebEngage's real limits (PRODUCT.md §8): zero 429s, at least 95 % of the
account's 500 bulk calls × 25 = 12,500 events a minute.

A plain script (`python tests/benchmarks/bench_backfill.py [--windows 1]`), not collected by
pytest. It runs `webengage-debugger sandbox` in its own process with the real limits (5,000 and 500
calls per 60 s), writes `windows` × 12,500 + 25 events (so the last call must wait for the next
window: one window is about 61 s), and runs `webengage-debugger send FILE --bulk --json` against
it, as a user would. Then it prints:

- the 429s received (target 0) and the events the sandbox stored (target: all, once each);
- throughput as a share of 12,500 events a minute: the best schedule's span (500 calls at each
  window's start) over the span the run took from its first call to its last (target >= 95 %),
  and the events per minute over the run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import httpx

from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE

CALLS, WINDOW, ITEMS = 500, 60.0, 25
TARGET_SHARE = 0.95
ADMIN_TOKEN = secrets.token_hex(16)


def start_sandbox() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "tui", "sandbox", "--port", str(port), "--keep", "1000000"]
    env = {**os.environ, "WEBENGAGE_SANDBOX_ADMIN_TOKEN": ADMIN_TOKEN}
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{url}/sandbox/health", headers=admin(), timeout=1).raise_for_status()
            return server, url
        except httpx.HTTPError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the sandbox process did not start") from None
            time.sleep(0.1)


def admin() -> dict[str, str]:
    return {"X-Sandbox-Token": ADMIN_TOKEN}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=1, help="full windows of 500 calls")
    args = parser.parse_args()
    events = args.windows * CALLS * ITEMS + ITEMS
    folder = Path(tempfile.mkdtemp(prefix="bench-backfill-"))
    path = folder / "backfill.ndjson"
    with path.open("w") as out:
        for i in range(events):
            out.write(
                json.dumps({"event": "Product Viewed", "user_id": f"b{i}", "properties": {"n": i}})
                + "\n"
            )
    server, url = start_sandbox()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBENGAGE_")}
    env |= {
        "WEBENGAGE_DEBUGGER_HOME": str(folder / "home"),
        "WEBENGAGE_API_KEY": DEMO_API_KEY,
        "WEBENGAGE_LICENSE_CODE": DEMO_LICENSE_CODE,
        "WEBENGAGE_ROUTE_TO": url,
    }
    try:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "tui", "send", str(path), "--bulk", "--json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=3600,
        )
        elapsed = time.perf_counter() - started
        stored = httpx.get(f"{url}/sandbox/events", headers=admin(), timeout=60).json()
    finally:
        server.terminate()
        server.wait(10)
    summaries = json.loads(done.stdout)
    rate_limited = sum(1 for s in summaries for a in s["attempts"] if a["status"] == 429)
    starts = sorted(
        datetime.fromisoformat(s["attempts"][0]["started_at"]).timestamp() for s in summaries
    )
    span = starts[-1] - starts[0]
    ideal = ((len(starts) - 1) // CALLS) * WINDOW
    share = ideal / span if span > 0 else 0.0
    seen = Counter(e["userId"] for call in stored for e in call["body"]["events"])
    once = len(seen) == events and set(seen.values()) == {1}
    per_minute = events / ((span + 1e-9) / 60) if span else 0.0
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(
        f"backfill of {events:,} events: {len(summaries)} bulk calls, exit {done.returncode}, {elapsed:.1f} s in all"
    )
    print(f"  stderr: {done.stderr.strip().splitlines()[0] if done.stderr.strip() else ''}")
    print(f"  429 responses: {rate_limited} (target 0)")
    print(f"  stored: {sum(seen.values()):,} events, each once: {once}")
    print(
        f"  first to last call {span:.1f} s (best possible {ideal:.0f} s): {share:.1%} of 12,500 events/min (target >= {TARGET_SHARE:.0%})"
    )
    print(f"  events/minute over the run: {per_minute:,.0f}")
    ok = rate_limited == 0 and once and share >= TARGET_SHARE and done.returncode == 0
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
