"""Replaying many events: through the bulk endpoints 25 at a time, or one call per event, paced.

Pacing keeps every call (retries included) under the account's limit, so a replay gets no 429s and
loses nothing; a few calls run concurrently so network latency does not eat the allowed rate.
Every call gets its own LogEntry (via `on_entry`), a progress callback sees each finished call, and
a replay stops between calls when `cancel` is set (or its task is cancelled): nothing half-sent.

Calls are planned lazily (`plan_bulk`: one call open per endpoint, input order within each,
the dry run's plan too; `plan_each`: one call per event, in input order);
`run_jobs` sends a plan, `Hooks` let a backfill checkpoint each call (`tui.delivery.backfill`).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, Field

from tui.delivery.plans import Job, plan_bulk, plan_each
from tui.webengage.api import BULK_ITEMS_MAX, Endpoint
from tui.webengage.entry import LogEntry
from tui.webengage.findings import Finding
from tui.webengage.outcomes import Outcome
from tui.webengage.pacing import InFlight, PaceLimits, Pacer, wait_or_cancel
from tui.webengage.request import (
    BULK_KEY,
    Connection,
    WebEngageRequest,
)


class Sender(Protocol):
    """What a replay sends with: the delivery service's Session (or a bare WebEngageClient)."""

    @property
    def connection(self) -> Connection: ...

    @property
    def pacer(self) -> Pacer | None: ...

    def new_entry(
        self,
        request: WebEngageRequest,
        *,
        event_name: str = "",
        findings: Sequence[Finding] = (),
        forced: bool = False,
        source: str = "",
    ) -> LogEntry: ...

    async def run(
        self,
        entry: LogEntry,
        *,
        on_update: Callable[[LogEntry], None] | None = None,
        pacer: Pacer | None = None,
        slot_taken: bool = False,
    ) -> LogEntry: ...


Progress = Callable[[int, int, LogEntry], None]
"""(items done, items in total, the call's finished entry)."""

DEFAULT_CONCURRENCY = 8
EACH_CONCURRENCY = 16  # single-event calls are small and many (5,000 a minute)


class ReplayReport(BaseModel):
    """What a replay did, for the UI's summary and the benchmark."""

    total_items: int
    sent_items: int = 0
    calls: int = 0
    attempts: int = 0
    rate_limited_attempts: int = 0
    outcomes: dict[str, int] = Field(default_factory=dict)
    cancelled: bool = False
    elapsed_s: float = 0.0
    margin_s: float | None = None  # the pacing margin in the end (it grows with slow round trips)
    entries: list[LogEntry] = Field(default_factory=list)
    accepted_count: int = 0
    stopped: bool = False  # ended early by `Hooks.stop` (a failure every later call would share)

    @property
    def accepted_items(self) -> int:
        return self.accepted_count

    @property
    def ok(self) -> bool:
        return not self.cancelled and self.outcomes.get(Outcome.ACCEPTED.value, 0) == self.calls


def _item_count(entry: LogEntry) -> int:
    body = entry.request.body
    if entry.endpoint.is_bulk and isinstance(body, dict):
        items = body.get(BULK_KEY[entry.endpoint])
        return len(items) if isinstance(items, list) else 0
    return 1


@dataclass
class Hooks:
    """A call about to be sent (its entry has its x-request-id), a call ended; `stop(entry)`:
    end the run after this call (a wrong key: every call would fail)."""

    started: Callable[[Job, LogEntry], None] | None = None
    ended: Callable[[Job, LogEntry], None] | None = None
    stop: Callable[[LogEntry], bool] | None = None
    keep_entries: bool = True
    skipped_items: int = 0  # sent by an earlier run (a resumed backfill): done, for progress


async def replay_bulk(
    client: Sender,
    items: Sequence[Any],
    *,
    limits: PaceLimits | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    chunk_size: int = BULK_ITEMS_MAX,
    progress: Progress | None = None,
    on_entry: Callable[[LogEntry], None] | None = None,
    cancel: asyncio.Event | None = None,
    source: str = "replay",
) -> ReplayReport:
    """Send event (or user) bodies or Previews through /bulk-events (/bulk-users), paced, as
    `plan_bulk` plans them. `limits` defaults to WebEngage's 500 bulk calls a minute;
    `on_entry` sees each entry when it is created and whenever it changes."""
    jobs = plan_bulk(client.connection, enumerate(items), chunk_size=chunk_size)
    return await run_jobs(
        client, jobs, len(items), limits, concurrency, progress, on_entry, cancel, source
    )


async def replay_each(
    client: Sender,
    items: Sequence[Any],
    *,
    endpoint: Endpoint = Endpoint.EVENTS,
    limits: PaceLimits | None = None,
    concurrency: int = EACH_CONCURRENCY,
    progress: Progress | None = None,
    on_entry: Callable[[LogEntry], None] | None = None,
    cancel: asyncio.Event | None = None,
    source: str = "replay",
) -> ReplayReport:
    """One call per event (or user) on /events (/users), paced at 5,000 a minute by default.
    Bodies go to `endpoint`; Previews go where their request says."""
    jobs = plan_each(client.connection, enumerate(items), endpoint)
    return await run_jobs(
        client, jobs, len(items), limits, concurrency, progress, on_entry, cancel, source
    )


class _Pacers:
    """A pacer per endpoint as the plan reaches it (unless the sender has its own)."""

    def __init__(self, client: Sender, limits: PaceLimits | None) -> None:
        self.client = client
        self.limits = limits
        self.own: dict[Endpoint, Pacer] = {}

    def of(self, endpoint: Endpoint) -> Pacer | None:
        if self.client.pacer is not None:
            return self.client.pacer
        if endpoint not in self.own:
            self.own[endpoint] = Pacer(self.limits or PaceLimits.for_endpoint(endpoint))
        return self.own[endpoint]

    def rate(self) -> float | None:
        limits = self.client.pacer.limits if self.client.pacer else self.limits
        return limits.calls_per_second if limits is not None else None

    def close(self) -> float | None:
        for pacer in self.own.values():
            pacer.close()
        margins = [p.margin_s for p in (*self.own.values(), self.client.pacer) if p is not None]
        return max(margins) if margins else None


class _Tally:
    """The report's figures, counted as calls end (entries kept when asked)."""

    def __init__(self, report: ReplayReport, keep: bool) -> None:
        self.report = report
        self.keep = keep
        self.kept: dict[int, LogEntry] = {}
        self.live: dict[int, LogEntry] = {}
        self.outcomes: Counter[str] = Counter()

    def count(self, entry: LogEntry) -> None:
        report = self.report
        report.calls += 1
        report.attempts += len(entry.attempts)
        report.rate_limited_attempts += sum(1 for a in entry.attempts if a.status == 429)
        self.outcomes[entry.outcome.value if entry.outcome else "cut_off"] += 1
        if entry.outcome is Outcome.ACCEPTED:
            report.accepted_count += _item_count(entry)

    def ended(self, seq: int, entry: LogEntry) -> None:
        self.live.pop(seq, None)
        self.count(entry)
        if self.keep:
            self.kept[seq] = entry

    def close(self) -> None:
        for seq, entry in list(self.live.items()):  # cut off by a cancel: what it got to
            self.ended(seq, entry)
        self.report.entries = [self.kept[seq] for seq in sorted(self.kept)]
        self.report.outcomes = dict(self.outcomes)


async def _send(
    client: Sender,
    job: Job,
    pacer: Pacer | None,
    tally: _Tally,
    seq: int,
    on_entry: Callable[[LogEntry], None] | None,
    hooks: Hooks,
    source: str,
) -> LogEntry:
    """One job's call (its slot already taken); every snapshot is kept in `tally.live`."""
    entry = client.new_entry(
        job.request,
        event_name=job.event_name,
        findings=job.findings,
        forced=job.forced,
        source=source,
    )
    tally.live[seq] = entry
    if hooks.started is not None:
        hooks.started(job, entry)  # before the first byte: a crash leaves it "started"

    def track(snapshot: LogEntry) -> None:
        tally.live[seq] = snapshot  # a cancelled call keeps what it got to
        if on_entry is not None:
            on_entry(snapshot)

    if on_entry is not None:
        on_entry(entry)
    entry = await client.run(entry, on_update=track, pacer=pacer, slot_taken=pacer is not None)
    tally.ended(seq, entry)
    if hooks.ended is not None:
        hooks.ended(job, entry)
    return entry


def _round_trip(entry: LogEntry | None) -> float | None:
    last = entry.attempts[-1] if entry is not None and entry.attempts else None
    return last.latency_ms / 1000 if last is not None and last.latency_ms is not None else None


async def run_jobs(
    client: Sender,
    jobs: Iterable[Job],
    total: int,
    limits: PaceLimits | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
    on_entry: Callable[[LogEntry], None] | None = None,
    cancel: asyncio.Event | None = None,
    source: str = "replay",
    hooks: Hooks | None = None,
) -> ReplayReport:
    """Send a plan's calls (taken from `jobs` as needed), paced, as many in flight as the rate
    needs at the round trip seen (`InFlight`); `total` items in all."""
    hooks = hooks or Hooks()
    report = ReplayReport(total_items=total, sent_items=hooks.skipped_items)
    tally = _Tally(report, hooks.keep_entries)
    pacers = _Pacers(client, limits)
    planned = enumerate(iter(jobs))
    gate, started, stopping = InFlight(concurrency, pacers.rate()), time.perf_counter(), False

    async def worker() -> None:
        nonlocal stopping
        while not stopping and not (cancel is not None and cancel.is_set()):
            await gate.enter()
            entry = None
            try:
                seq, job = next(planned, (-1, None))
                if job is None or stopping:
                    return
                pacer = pacers.of(job.request.endpoint)
                # The slot is taken before the entry exists: a cancel while waiting leaves none.
                if pacer is not None and not await wait_or_cancel(pacer, cancel):
                    return
                entry = await _send(client, job, pacer, tally, seq, on_entry, hooks, source)
            finally:
                await gate.leave(_round_trip(entry))
            report.sent_items += job.items
            if progress is not None:
                progress(report.sent_items, total, entry)
            if hooks.stop is not None and hooks.stop(entry):
                stopping = True

    workers = [asyncio.create_task(worker()) for _ in range(max(1, concurrency))]
    try:
        await asyncio.gather(*workers)
    except asyncio.CancelledError:
        report.cancelled = True
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    finally:
        report.margin_s = pacers.close()
        report.elapsed_s = time.perf_counter() - started
        tally.close()
        report.stopped = stopping
        if cancel is not None and cancel.is_set() and report.sent_items < report.total_items:
            report.cancelled = True
    return report
