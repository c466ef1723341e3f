"""Replaying many events: through the bulk endpoints 25 at a time, or one call per event, paced.

Pacing keeps every call (retries included) under the account's limit, so a replay gets no 429s and
loses nothing; a few calls run concurrently so network latency does not eat the allowed rate.
Every call gets its own LogEntry (via `on_entry`), a progress callback sees each finished call, and
a replay stops between calls when `cancel` is set (or its task is cancelled): nothing half-sent.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, Field

from tui.webengage.api import BULK_ITEMS_MAX, Endpoint
from tui.webengage.entry import LogEntry
from tui.webengage.outcomes import Outcome
from tui.webengage.pacing import PaceLimits, Pacer
from tui.webengage.request import (
    BULK_KEY,
    Connection,
    WebEngageRequest,
    build_request,
    bulk_requests,
)


class Sender(Protocol):
    """What a replay sends with: the delivery service's Session (or a bare WebEngageClient)."""

    @property
    def connection(self) -> Connection: ...

    @property
    def pacer(self) -> Pacer | None: ...

    def new_entry(
        self, request: WebEngageRequest, *, event_name: str = "", source: str = ""
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

_BULK_OF = {Endpoint.EVENTS: Endpoint.BULK_EVENTS, Endpoint.USERS: Endpoint.BULK_USERS}
DEFAULT_CONCURRENCY = 8
EACH_CONCURRENCY = 16
"""Single-event calls are small and many (5,000 a minute): more in flight to keep up with latency."""


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

    @property
    def accepted_items(self) -> int:
        return sum(_item_count(e) for e in self.entries if e.outcome is Outcome.ACCEPTED)

    @property
    def ok(self) -> bool:
        return not self.cancelled and self.outcomes.get(Outcome.ACCEPTED.value, 0) == self.calls


def _item_count(entry: LogEntry) -> int:
    body = entry.request.body
    if entry.endpoint.is_bulk and isinstance(body, dict):
        items = body.get(BULK_KEY[entry.endpoint])
        return len(items) if isinstance(items, list) else 0
    return 1


def _unpack(item: Any, default: Endpoint) -> tuple[Endpoint, Any, str]:
    """(endpoint, body, event name) from a body or a Preview (anything with a `.request`)."""
    request = getattr(item, "request", None)
    if isinstance(request, WebEngageRequest):
        endpoint = request.endpoint
        body = request.body
        name = str(getattr(item, "event_name", "") or "")
        if endpoint.is_bulk and isinstance(body, dict):
            raise ValueError("replay takes single events or users, not bulk bodies")
        return endpoint, body, name
    name = item.get("eventName", "") if isinstance(item, dict) else ""
    return default, item, str(name)


@dataclass
class _Job:
    request: WebEngageRequest
    items: int
    event_name: str


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
    """Send event (or user) bodies or Previews through /bulk-events (/bulk-users), paced.

    `limits` defaults to WebEngage's 500 bulk calls a minute; `on_entry` sees each entry when it is
    created and whenever it changes (history writes it at the start).
    """
    grouped: dict[Endpoint, list[Any]] = {}
    for item in items:
        endpoint, body, _name = _unpack(item, Endpoint.EVENTS)
        grouped.setdefault(_BULK_OF.get(endpoint, endpoint), []).append(body)
    jobs = []
    for endpoint, bodies in grouped.items():
        for request in bulk_requests(
            client.connection, bodies, endpoint=endpoint, chunk_size=chunk_size
        ):
            count = len(request.body[BULK_KEY[endpoint]])
            jobs.append(_Job(request, count, f"{count} {BULK_KEY[endpoint]}"))
    return await _run(
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

    Bodies go to `endpoint`; Previews go where their request says.
    """
    jobs = []
    for item in items:
        target, body, name = _unpack(item, endpoint)
        jobs.append(_Job(build_request(client.connection, target, body), 1, name))
    return await _run(
        client, jobs, len(items), limits, concurrency, progress, on_entry, cancel, source
    )


async def _slot_or_cancel(pacer: Pacer, cancel: asyncio.Event | None) -> bool:
    """Wait for a pacing slot; False (and no slot) if `cancel` is set first. A paced wait can be
    a minute long: cancelling must not have to sit it out."""
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


def _own_pacers(
    client: Sender, jobs: list[_Job], limits: PaceLimits | None
) -> dict[Endpoint, Pacer]:
    """One pacer per endpoint, for a sender without a pacer of its own (a bare client)."""
    pacers: dict[Endpoint, Pacer] = {}
    if client.pacer is None:
        for job in jobs:
            endpoint = job.request.endpoint
            if endpoint not in pacers:
                pacers[endpoint] = Pacer(limits or PaceLimits.for_endpoint(endpoint))
    return pacers


async def _send(
    client: Sender,
    job: _Job,
    pacer: Pacer | None,
    results: list[LogEntry | None],
    index: int,
    on_entry: Callable[[LogEntry], None] | None,
    source: str,
) -> LogEntry:
    """One job's call (its slot already taken); every snapshot lands in `results[index]`."""
    entry = client.new_entry(job.request, event_name=job.event_name, source=source)
    results[index] = entry

    def track(snapshot: LogEntry) -> None:
        results[index] = snapshot  # a cancelled call keeps what it got to
        if on_entry is not None:
            on_entry(snapshot)

    if on_entry is not None:
        on_entry(entry)
    entry = await client.run(entry, on_update=track, pacer=pacer, slot_taken=pacer is not None)
    results[index] = entry
    return entry


def _close_and_tally(
    report: ReplayReport,
    client: Sender,
    pacers: dict[Endpoint, Pacer],
    results: list[LogEntry | None],
    started: float,
    cancel: asyncio.Event | None,
) -> None:
    """Close the replay's own pacers and fill in the report, however the replay ended."""
    for pacer in pacers.values():
        pacer.close()
    margins = [p.margin_s for p in (*pacers.values(), client.pacer) if p is not None]
    report.margin_s = max(margins) if margins else None
    report.elapsed_s = time.perf_counter() - started
    report.entries = [e for e in results if e is not None]
    report.calls = len(report.entries)
    report.attempts = sum(len(e.attempts) for e in report.entries)
    report.rate_limited_attempts = sum(
        1 for e in report.entries for a in e.attempts if a.status == 429
    )
    report.outcomes = dict(
        Counter(e.outcome.value if e.outcome else "cut_off" for e in report.entries)
    )
    if cancel is not None and cancel.is_set() and report.sent_items < report.total_items:
        report.cancelled = True


async def _run(
    client: Sender,
    jobs: list[_Job],
    total: int,
    limits: PaceLimits | None,
    concurrency: int,
    progress: Progress | None,
    on_entry: Callable[[LogEntry], None] | None,
    cancel: asyncio.Event | None,
    source: str,
) -> ReplayReport:
    report = ReplayReport(total_items=total)
    pacers = _own_pacers(client, jobs, limits)
    results: list[LogEntry | None] = [None] * len(jobs)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(jobs)):
        queue.put_nowait(index)
    started = time.perf_counter()

    async def worker() -> None:
        while not queue.empty():
            if cancel is not None and cancel.is_set():
                return
            index = queue.get_nowait()
            job = jobs[index]
            pacer = pacers.get(job.request.endpoint) or client.pacer
            # The slot is taken before the entry exists: a cancel while waiting leaves no entry.
            if pacer is not None and not await _slot_or_cancel(pacer, cancel):
                return
            entry = await _send(client, job, pacer, results, index, on_entry, source)
            report.sent_items += job.items
            if progress is not None:
                progress(report.sent_items, total, entry)

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
        _close_and_tally(report, client, pacers, results, started, cancel)
    return report
