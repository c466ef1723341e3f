"""Streaming preview at scale (PRODUCT.md §8): 1,000,000 NDJSON events previewed in under 200 MB
at 20,000 events per second or more; a 100 MB JSON array in under 200 MB too.

A plain script (`python tests/benchmarks/bench_stream.py [--events 1000000] [--array-mb 100]`),
not collected by pytest. It writes the files (to a temporary folder, or `--dir`), then runs
`webengage-debugger preview FILE > /dev/null` (the default output: the requests as indented JSON)
in a child process and reads the child's own CPU time and peak RSS (`os.wait4`). Then, in this
process, a sample of the same events is timed stage by stage (reading the stream, the quick way
a clean event takes and its text, and the careful way, `preview_event`, for comparison) to show
where the time goes. `--sample N` sets the sample (default 20,000).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATE = 20_000
TARGET_RSS_MB = 200


def event(i: int) -> dict[str, Any]:
    """A mix of the shapes a site sends (all in the Default blueprint, so no custom-event noise)."""
    kind = i % 4
    if kind == 0:
        return {
            "type": "page",
            "anonymous_id": f"anon-{i}",
            "timestamp": "2026-06-06T18:20:11Z",
            "properties": {"path": f"/p/{i % 997}", "title": "Home"},
        }
    if kind == 1:
        return {
            "event": "Product Viewed",
            "user_id": f"user-{i}",
            "timestamp": "2026-06-06T18:23:00Z",
            "properties": {"product_id": f"SKU-{i % 97}", "price": 39.8, "currency": "USD"},
        }
    if kind == 2:
        return {
            "event": "Order Completed",
            "user_id": f"user-{i}",
            "timestamp": "2026-06-06T18:29:00Z",
            "properties": {"order_id": f"ORD-{i}", "revenue": 39.8, "currency": "USD"},
        }
    return {
        "type": "identify",
        "user_id": f"user-{i}",
        "traits": {"email": f"u{i}@example.com", "first_name": "Ann", "plan": "pro"},
    }


def padded(i: int) -> dict[str, Any]:
    """An event of ~500 bytes, for the 100 MB array of ~200,000 events."""
    raw = event(i)
    raw.setdefault("properties", raw.get("traits", {}))["note"] = "x" * 300
    return raw


def write_ndjson(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps(event(i)) + "\n")


def write_array(path: Path, megabytes: int) -> int:
    limit, count = megabytes * 2**20, 0
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        while out.tell() < limit:
            out.write(("" if count == 0 else ",\n") + json.dumps(padded(count)))
            count += 1
        out.write("\n]\n")
    return count


def preview_child(path: Path, home: Path) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MB, exit code) of `preview FILE > /dev/null` in a child."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBENGAGE_")}
    env["WEBENGAGE_DEBUGGER_HOME"] = str(home)
    started = time.perf_counter()
    with open(os.devnull, "w") as null:
        child = subprocess.Popen(
            [sys.executable, "-m", "tui", "preview", str(path)], stdout=null, stderr=null, env=env
        )
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def stages(path: Path, sample: int) -> dict[str, float]:
    """µs per event of each stage, on the first `sample` events of `path`, in this process: as
    the command takes a clean event (its body the quick way, `clean_body`, and its text), and,
    for comparison, the careful way every other event takes (`preview_event`, `strict_json`)."""
    from itertools import islice

    from tui.mapping.blueprint import default_blueprint
    from tui.mapping.preview import preview_event
    from tui.mapping.quick import clean_body
    from tui.mapping.request_text import RequestTexts, strict_json
    from tui.mapping.stream import open_events
    from tui.webengage.request import Connection

    connection, blueprint = Connection(license_code="bench"), default_blueprint()
    started = time.perf_counter()
    with open_events(path) as events:
        raws = [(raw, events.checked) for raw in islice(events, sample)]
    read = time.perf_counter() - started
    texts = RequestTexts(level=1)
    quick = quick_text = careful = careful_text = 0.0
    for raw, checked in raws:  # one at a time, as the command does (nothing held: no extra GC work)
        tick = time.perf_counter()
        clean = clean_body(raw, blueprint, checked=checked)
        tock = time.perf_counter()
        if clean is not None:
            texts.of(connection, *clean)
        tack = time.perf_counter()
        preview = preview_event(raw, connection, blueprint, checked=checked)
        tuck = time.perf_counter()
        strict_json(preview.request.preview_dict())
        quick, quick_text = quick + tock - tick, quick_text + tack - tock
        careful, careful_text = careful + tuck - tack, careful_text + time.perf_counter() - tuck
    n = len(raws)
    return {
        "read + parse (stream)": read / n * 1e6,
        "clean_body (quick way)": quick / n * 1e6,
        "its text (RequestTexts)": quick_text / n * 1e6,
        "preview_event (careful)": careful / n * 1e6,
        "its JSON (strict_json)": careful_text / n * 1e6,
    }


def report(
    name: str, count: int, figures: tuple[float, float, float, int], *, rate_target: bool = True
) -> bool:
    """Print one file's figures; `rate_target`: the rate has a target (the NDJSON file's; the
    array's target is memory alone)."""
    wall, cpu, rss, code = figures
    rate = count / cpu if cpu else 0.0
    ok = rss < TARGET_RSS_MB
    rate_ok = rate >= TARGET_RATE or not rate_target
    print(f"{name}: {count:,} events, exit {code}")
    print(f"  wall {wall:.1f} s, CPU {cpu:.1f} s (one core): {rate:,.0f} events/s of CPU")
    print(f"  peak RSS {rss:.1f} MB (target < {TARGET_RSS_MB} MB): {'PASS' if ok else 'FAIL'}")
    if rate_target:
        print(f"  rate target >= {TARGET_RATE:,} events/s: {'PASS' if rate_ok else 'FAIL'}")
    return ok and rate_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--array-mb", type=int, default=100)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, default=None, help="where to write the files")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="bench-stream-"))
    folder.mkdir(parents=True, exist_ok=True)
    ndjson, array = folder / "events.ndjson", folder / "events.json"
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; files in {folder}")
    write_ndjson(ndjson, args.events)
    count = write_array(array, args.array_mb)
    print(
        f"wrote {ndjson.stat().st_size / 2**20:.0f} MB NDJSON, {array.stat().st_size / 2**20:.0f} MB array"
    )
    home = Path(tempfile.mkdtemp(prefix="bench-stream-home-"))
    ok = report("NDJSON", args.events, preview_child(ndjson, home))
    ok = report("JSON array", count, preview_child(array, home), rate_target=False) and ok
    print(f"where the time goes (µs per event, first {args.sample:,} NDJSON events, in-process):")
    for stage, micros in stages(ndjson, args.sample).items():
        print(f"  {stage:<24} {micros:7.1f} µs")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
