"""The delivery log over 100,000 entries in history (PRODUCT.md §8): open, scroll, memory.

Run: `python tests/benchmarks/bench_log.py [--entries 100000] [--edges 5]`. Targets: every entry
reachable by scrolling, no page over 50 ms, peak memory under 200 MB.

The history file is written by a child process first, so this process's peak RSS is the app's
alone. Then the app is opened on it (headless, 160×48) until the log shows its rows; ctrl+home
(the oldest entry) and ctrl+end (the newest) are timed; and the log is paged with page down from
the oldest end and page up from the newest, through `--edges` history pages loaded at each end
(the table holds one window of rows; at its edge the next key loads the next page from SQLite).
Each page is timed from the key to the screen update that shows it, split into pages within the
window and pages that loaded history. The 50 ms target applies to the slowest of all, jumps
included.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui.store.history import History
from tui.store.settings import AppSettings
from tui.webengage.api import DataCentre, Endpoint
from tui.webengage.entry import Attempt, LogEntry
from tui.webengage.outcomes import NetworkFailure, Outcome, hint_for
from tui.webengage.request import Connection, build_request

OUTCOMES = [
    (Outcome.ACCEPTED, 201, '{"response":{"status":"queued"}}'),
    (Outcome.ACCEPTED, 201, '{"response":{"status":"queued"}}'),
    (Outcome.AUTH, 401, '{"response":{"status":"error","message":"Unauthorized"}}'),
    (Outcome.NOT_FOUND, 404, '{"response":{"status":"error","message":"Not found"}}'),
    (Outcome.RATE_LIMITED, 429, '{"response":{"status":"error","message":"Too many"}}'),
    (Outcome.SERVER_ERROR, 502, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
    (Outcome.NETWORK, None, None),
]


def make_entries(n: int) -> list[LogEntry]:
    """`n` varied, realistic entries: every outcome, a body of a dozen attributes, hints."""
    connection = Connection(data_centre=DataCentre.GLOBAL, license_code="~10a5cb78d")
    base = datetime(2026, 1, 1, tzinfo=UTC)
    entries = []
    for i in range(n):
        outcome, status, body = OUTCOMES[i % len(OUTCOMES)]
        event_data = {f"attribute_{k}": f"value {i}-{k}" for k in range(12)}
        request = build_request(
            connection,
            Endpoint.EVENTS,
            {"userId": f"user-{i}", "eventName": f"Event {i % 9}", "eventData": event_data},
            request_id=f"{i:032x}",
        )
        failure = NetworkFailure.DNS if outcome is Outcome.NETWORK else None
        created = base + timedelta(seconds=i)
        entries.append(
            LogEntry(
                id=f"e{i:07d}",
                request_id=f"{i:032x}",
                created_at=created,
                finished_at=created + timedelta(milliseconds=180),
                event_name=f"Event {i % 9}",
                data_centre="Global",
                host=connection.host,
                license_code=connection.license_code,
                request=request,
                attempts=[
                    Attempt(
                        number=1,
                        started_at=created,
                        latency_ms=150.0 + i % 50,
                        status=status,
                        network_failure=failure,
                        error="DNS lookup failed" if failure else None,
                    )
                ],
                outcome=outcome,
                status=status,
                hint=hint_for(
                    outcome,
                    host=connection.host,
                    license_code=connection.license_code,
                    status=status,
                    network_failure=failure,
                ),
                response_body=body,
            )
        )
    return entries


class Shown(NamedTuple):
    """What the log showed in a screen update."""

    current: str | None
    row: int
    offset: int
    paging: bool


def write_history(path: Path, n: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with History.open(path) as history:
        history.write_many(make_entries(n))


async def measure(edges: int, slowest: list[float]) -> list[tuple[str, float]]:
    """Figures in seconds. A key's time runs from sending it to the first screen update computed
    after the table's cursor moved (headless: computed, not written to a terminal)."""
    from tui.ui.app import create_app
    from tui.ui.startup import pause_gc
    from tui.ui.widgets.delivery_log import DeliveryLog
    from tui.ui.widgets.log_table import LogTable

    figures: list[tuple[str, float]] = []
    displayed: list[tuple[float, Shown]] = []
    """Each screen update's time, and what the log showed in it."""
    start = time.perf_counter()
    pause_gc()  # as `webengage-debugger` starts it: what start-up built is frozen after the
    app = create_app(AppSettings())  # first paint (tui/ui/startup.py)
    app_display = type(app)._display
    shows: Callable[[], Shown] = lambda: Shown(None, 0, 0, False)  # noqa: E731  (until mounted)

    def timed_display(self: Any, screen: Any, renderable: Any) -> None:
        if renderable is not None:
            displayed.append((time.perf_counter(), shows()))
        app_display(self, screen, renderable)

    async def painted(since: float, condition: Callable[[Shown], bool], what: str) -> float:
        """The time of the first screen update after `since` that showed `condition`."""
        deadline = time.monotonic() + 60
        while True:
            for at, shown in displayed:
                if at > since and condition(shown):
                    return at
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            await asyncio.sleep(0.0005)

    type(app)._display = timed_display  # type: ignore[method-assign]

    async def until(condition: Callable[[], bool], what: str) -> float:
        deadline = time.monotonic() + 60
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            await asyncio.sleep(0.0005)
        return time.perf_counter()

    async with app.run_test(size=(160, 48)) as pilot:
        table = app.query_one("#log-table", LogTable)
        log = app.query_one(DeliveryLog)

        def last_row() -> int:
            return table.row_count - 1

        def state() -> Shown:
            return Shown(log.current_id, table.cursor_row, log.window.offset, log._paging)

        shows = state
        opened = await painted(
            start, lambda shown: shown.current is not None, "the log's rows on screen"
        )
        figures.append((f"open app until the log shows {table.row_count} rows", opened - start))
        assert app.history is not None
        figures.append((f"  (history holds {app.history.count():,} entries)", float("nan")))
        table.focus()
        await pilot.pause()

        async def timed_jump(key: str, at: str) -> float:
            """Seconds from the key to the screen update with the cursor on entry `at`."""
            start = time.perf_counter()
            press = asyncio.create_task(pilot.press(key))
            shown = await painted(start, lambda s: s.current == at and not s.paging, key)
            await press
            return shown - start

        oldest_id = app.history.query(limit=1, oldest=True)[0].id
        newest_id = app.history.query(limit=1)[0].id
        for label, key, arrived_at in (
            ("jump to the oldest (ctrl+home)", "ctrl+home", oldest_id),
            ("jump to the newest (ctrl+end)", "ctrl+end", newest_id),
        ):
            seconds = await timed_jump(key, arrived_at)
            figures.append((label, seconds))
            slowest.append(seconds)

        async def timed_page(key: str) -> tuple[float, bool]:
            """Seconds from the key to the screen update that shows the page; whether the
            window moved (a page of the history loaded) rather than the cursor within it."""
            before = state()
            start = time.perf_counter()
            press = asyncio.create_task(pilot.press(key))

            def paged(shown: Shown) -> bool:
                if shown.paging:
                    return False
                if shown.offset != before.offset:  # the cursor stays on its entry, new rows by it
                    return shown.current == before.current
                return shown.row != before.row

            shown = await painted(start, paged, f"{key} to page")
            await press
            return shown - start, state().offset != before.offset

        pages: dict[str, list[float]] = {"within": [], "loads": []}
        ends: list[tuple[str, str, Callable[[], bool]]] = [
            ("ctrl+home", "pagedown", lambda: log.window.at_newest),
            ("ctrl+end", "pageup", lambda: log.window.offset >= log.window.oldest()),
        ]
        for jump, key, at_end in ends:
            await pilot.press(jump)
            await until(lambda: not log._paging, jump)
            await pilot.pause()
            loads = 0
            while loads < edges and not (at_end() and table.cursor_row in (0, last_row())):
                seconds, loaded = await timed_page(key)
                pages["loads" if loaded else "within"].append(seconds)
                loads += loaded
        for kind, label in (("within", "in the window"), ("loads", "a history page loaded")):
            times = pages[kind]
            figures.append(
                (f"page up/down, {label} ({len(times)}): median", statistics.median(times))
            )
            figures.append(("                                 slowest", max(times)))
        slowest.append(max(pages["within"] + pages["loads"]))
        start = time.perf_counter()
        found = app.history.search("user-9999")
        figures.append(
            (f"search history on disk ({len(found)} found)", time.perf_counter() - start)
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument(
        "--edges", type=int, default=5, help="history pages loaded from each end (default 5)"
    )
    parser.add_argument("--write-only", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_only:
        write_history(Path(args.write_only), args.entries)
        return 0

    home = Path(tempfile.mkdtemp(prefix="wed-bench-log-"))
    os.environ["WEBENGAGE_DEBUGGER_HOME"] = str(home)
    path = AppSettings().history_path
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--entries", str(args.entries), "--write-only", str(path)],
        check=True,
    )
    write_s = time.perf_counter() - start
    slowest: list[float] = []
    figures = asyncio.run(measure(args.edges, slowest))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"Delivery log with {args.entries:,} history entries (headless, 160x48)")
    print(
        f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]},"
        f" load {os.getloadavg()[0]:.2f}"
    )
    print(f"  write the history (child process)           {write_s * 1000:8.1f} ms")
    for label, seconds in figures:
        shown = "" if seconds != seconds else f"{seconds * 1000:8.1f} ms"
        print(f"  {label:44} {shown}")
    print(f"  peak memory (max RSS of the app's process)  {peak_mb:8.1f} MB")
    worst = max(slowest) * 1000
    print(
        f"target: every page (the jumps too) < 50 ms -> {'PASS' if worst < 50 else 'FAIL'}"
        f" (slowest {worst:.1f} ms)"
    )
    print(f"target: memory < 200 MB -> {'PASS' if peak_mb < 200 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
