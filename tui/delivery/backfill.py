"""Backfills: a file of events of any size, streamed, checked, paced, checkpointed and resumable.

Two passes over the file, neither holding it: `survey` previews every event (findings, counts, the
number of calls, so the time it takes is said up front), then `Backfill.run` previews them again
as it sends them, through the delivery service, planned by `plan_calls` (`plan_bulk`: 25 items a
call, one call open per endpoint; `plan_each`: one call per event), each endpoint paced under its
limit.

With checkpoints (`tui.store.checkpoints`), each bulk call is recorded before it goes out and when
it ends; a run killed part-way is resumed with `Backfill.run(resume=...)`: confirmed calls are
skipped, every other call is sent again with its same x-request-id (WebEngage drops a repeat of
an ingested id within 4 hours), so every event arrives exactly once. UI-free: the CLI's `send` and
the TUI's replay screen both use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.delivery.plans import Job, plan_calls
from tui.delivery.replay import (
    DEFAULT_CONCURRENCY,
    EACH_CONCURRENCY,
    Hooks,
    Progress,
    ReplayReport,
    run_jobs,
)
from tui.delivery.service import DeliveryService, Observer
from tui.mapping.blueprint import MAX_BYTES, Blueprint
from tui.mapping.preview import Preview, preview_event
from tui.mapping.stream import EVENT_MAX_BYTES, open_events
from tui.store.checkpoints import CONFIRMED, Checkpoints, FileIdentity, RunRecord
from tui.webengage.api import BULK_ITEMS_MAX, Endpoint
from tui.webengage.entry import LogEntry
from tui.webengage.findings import Severity
from tui.webengage.outcomes import Outcome
from tui.webengage.pacing import PaceLimits
from tui.webengage.request import Connection

FATAL = frozenset({Outcome.AUTH, Outcome.NOT_FOUND})
"""Outcomes every later call would share (the key, the license code, the host): a bulk run stops."""
OnPreview = Callable[[int, Preview], None]


@dataclass
class Survey:
    """The first pass: how many events, how many with errors, how many calls, what findings."""

    events: int = 0
    errors: int = 0
    calls: int = 0
    busiest: int = 0
    """The calls to the endpoint with the most (each endpoint is paced on its own limit)."""
    endpoints: Counter[str] = field(default_factory=Counter)
    severities: Counter[Severity] = field(default_factory=Counter)
    codes: Counter[tuple[Severity, str]] = field(default_factory=Counter)

    def sendable(self, include_errors: bool) -> int:
        return self.events if include_errors else self.events - self.errors


def limits_for(bulk: bool, calls: int | None = None, window_s: float = 60.0) -> PaceLimits:
    """WebEngage's limit for the endpoints used, or `calls` per `window_s` (a smaller share, or
    a sandbox's limit)."""
    default = PaceLimits.for_endpoint(Endpoint.BULK_EVENTS if bulk else Endpoint.EVENTS)
    if calls is None and window_s == default.window_s:
        return default
    return PaceLimits(calls=calls or default.calls, window_s=window_s)


def duration_text(seconds: float) -> str:
    """`2 min 10 s`, `1 h 20 min`, `40 s`."""
    seconds = max(0, round(seconds))
    if seconds >= 3600:
        minutes = seconds % 3600 // 60
        return f"{seconds // 3600} h {minutes} min" if minutes else f"{seconds // 3600} h"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60} s" if seconds % 60 else f"{seconds // 60} min"
    return f"{seconds} s"


def eta_text(
    events: int, calls: int, bulk: bool, limits: PaceLimits, busiest: int | None = None
) -> str:
    """`27,000 events: 1,080 bulk calls, about 2 min 10 s at WebEngage's 500 calls/minute`.
    `busiest`: the calls to the endpoint with the most, when they go to two (each has its own
    limit, so that endpoint's calls set the time)."""
    whose = (
        "WebEngage's"
        if limits == PaceLimits.for_endpoint(Endpoint.BULK_EVENTS if bulk else Endpoint.EVENTS)
        else "the"
    )
    per = "minute" if limits.window_s == 60 else f"{limits.window_s:g} s"
    kind = "bulk calls" if bulk else "calls"
    paced = calls if busiest is None else busiest
    seconds = paced / limits.calls_per_second if paced > limits.calls else 0.0
    about = f"about {duration_text(seconds)}" if seconds else "within one window"
    each = " per endpoint" if paced != calls else ""
    return (
        f"{events:,} event{'s' if events != 1 else ''}: {calls:,} {kind}, {about} at "
        f"{whose} {limits.calls:,} calls/{per}{each}"
    )


PLAN_VERSION = 2
"""How calls are planned (2: one bulk call open per endpoint): a run planned another way is not
resumed, since its calls would not line up with this plan's."""


def plan_key(blueprint: Blueprint, bulk: bool, include_errors: bool) -> str:
    """What decides the plan's calls: the blueprint and the options (a resume must match)."""
    text = f"{blueprint.model_dump_json()}|bulk={bulk}|errors={include_errors}|{BULK_ITEMS_MAX}"
    text += f"|{PLAN_VERSION}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class Source:
    """The file and how to read and preview it."""

    path: Path
    connection: Connection
    blueprint: Blueprint
    known_types: Any = None  # what Recorder.known_types gives, passed to preview_event
    max_bytes: int = MAX_BYTES
    event_max_bytes: int = EVENT_MAX_BYTES

    def previews(self) -> Iterator[tuple[int, Preview]]:
        """(index, Preview) of every event, streamed (InputError when the file breaks)."""
        with open_events(
            self.path, max_bytes=self.max_bytes, event_max_bytes=self.event_max_bytes
        ) as events:
            for index, raw in enumerate(events):
                yield (
                    index,
                    preview_event(
                        raw,
                        self.connection,
                        self.blueprint,
                        known_types=self.known_types,
                        checked=events.checked,
                    ),
                )


def survey(
    source: Source,
    *,
    bulk: bool,
    include_errors: bool,
    on_preview: OnPreview | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Survey:
    """Preview every event once (nothing held): the counts, the findings and the calls."""
    found = Survey()

    def counted() -> Iterator[tuple[int, Preview]]:
        for index, preview in source.previews():
            if cancelled is not None and cancelled():
                raise asyncio.CancelledError
            found.events += 1
            found.errors += preview.has_errors
            found.endpoints[preview.endpoint.value] += 1
            for item in preview.findings:
                found.severities[item.severity] += 1
                if item.severity is not Severity.INFO:
                    found.codes[(item.severity, item.code or item.message)] += 1
            if on_preview is not None:
                on_preview(index, preview)
            if include_errors or not preview.has_errors:
                yield index, preview

    jobs = plan_calls(source.connection, counted(), bulk)
    per_endpoint = Counter(job.request.endpoint for job in jobs)
    found.calls = sum(per_endpoint.values())
    found.busiest = max(per_endpoint.values(), default=0)
    return found


async def _waited_out(seconds: float, cancel: asyncio.Event | None) -> bool:
    """Sleep `seconds`; True when `cancel` was set meanwhile."""
    if seconds <= 0:
        return False
    if cancel is None:
        await asyncio.sleep(seconds)
        return False
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(cancel.wait(), seconds)
    return cancel.is_set()


class _InOrder:
    """Calls end in any order; `emit` hears of them in the plan's order."""

    def __init__(self, emit: Callable[[Job, LogEntry], None] | None) -> None:
        self.emit = emit
        self.order: deque[int] = deque()
        self.done: dict[int, tuple[Job, LogEntry]] = {}

    def planned(self, job: Job) -> None:
        self.order.append(id(job))

    def ended(self, job: Job, entry: LogEntry) -> None:
        self.done[id(job)] = (job, entry)
        while self.order and self.order[0] in self.done:
            self._emit(*self.done.pop(self.order.popleft()))

    def flush(self) -> None:
        for key in self.order:
            if key in self.done:
                self._emit(*self.done.pop(key))
        self.order.clear()

    def _emit(self, job: Job, entry: LogEntry) -> None:
        if self.emit is not None:
            self.emit(job, entry)


@dataclass
class Backfill:
    """One file sent through the delivery service (see the module)."""

    service: DeliveryService
    source: Source
    bulk: bool = True
    include_errors: bool = False
    limits: PaceLimits | None = None
    checkpoints: Checkpoints | None = None
    label: str = ""
    identity: FileIdentity | None = field(init=False, default=None)
    run_record: RunRecord | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.checkpoints is not None and self.bulk:
            self.identity = FileIdentity.of(self.source.path)

    @property
    def plan(self) -> str:
        return plan_key(self.source.blueprint, self.bulk, self.include_errors)

    @property
    def resumable(self) -> bool:
        return self.checkpoints is not None and self.identity is not None

    def unfinished(self) -> RunRecord | None:
        """An earlier run of this file to this account that did not finish."""
        if self.checkpoints is None or self.identity is None:
            return None
        connection = self.source.connection
        return self.checkpoints.unfinished(self.identity, connection.license_code, connection.host)

    def done_before(self, record: RunRecord) -> int:
        """The events an earlier run's confirmed calls carried."""
        return self.checkpoints.confirmed_events(record.id) if self.checkpoints else 0

    def resume_wait(self, record: RunRecord) -> float:
        """Seconds until the earlier run's last calls leave the rate window (a fresh pacer does
        not know them: resuming at once could go over the account's limit)."""
        last = self.checkpoints.last_call_at(record.id) if self.checkpoints else None
        if last is None:
            return 0.0
        limits = self.limits or limits_for(self.bulk)
        since = (datetime.now(UTC) - last).total_seconds()
        return max(0.0, min(limits.window_s + limits.margin - since, limits.window_s * 2))

    def abandon(self, record: RunRecord) -> None:
        """Give an unfinished run up (`--restart`): it is not offered again."""
        if self.checkpoints is not None:
            self.checkpoints.finish(record.id)

    def _jobs(self, saved: Mapping[int, Any], order: _InOrder) -> Iterator[Job]:
        chosen = (
            (index, preview)
            for index, preview in self.source.previews()
            if self.include_errors or not preview.has_errors
        )
        for job in plan_calls(self.source.connection, chosen, self.bulk):
            state = saved.get(job.first)
            if state is not None and state.last == job.last and state.state == CONFIRMED:
                continue
            if state is not None and state.last == job.last:  # sent, not confirmed: same id
                headers = {**job.request.headers, "x-request-id": state.request_id}
                job.request = job.request.model_copy(update={"headers": headers})
            order.planned(job)
            yield job

    def _hooks(self, record: RunRecord | None, order: _InOrder, skipped: int) -> Hooks:
        checkpoints = self.checkpoints if record is not None else None

        def started(job: Job, entry: LogEntry) -> None:
            if checkpoints is not None and record is not None:
                checkpoints.started(record.id, job.first, job.last, entry.request_id, job.items)

        def ended(job: Job, entry: LogEntry) -> None:
            if checkpoints is not None and record is not None and entry.outcome is not None:
                confirmed = entry.outcome is Outcome.ACCEPTED
                checkpoints.ended(
                    record.id, job.first, confirmed=confirmed, outcome=entry.outcome.value
                )
            order.ended(job, entry)

        return Hooks(
            started,
            ended,
            lambda entry: self.bulk and entry.outcome in FATAL,
            keep_entries=False,
            skipped_items=skipped,
        )

    async def run(
        self,
        survey: Survey,
        *,
        resume: RunRecord | None = None,
        on_call: Callable[[Job, LogEntry], None] | None = None,
        progress: Progress | None = None,
        observer: Observer | None = None,
        cancel: asyncio.Event | None = None,
    ) -> ReplayReport:
        """Send (or, with `resume`, finish) the file; `on_call` hears each call, in the plan's
        order, as it ends. The run's checkpoints are closed as finished when every call was
        confirmed."""
        total = survey.sendable(self.include_errors)
        record, saved, skipped = resume, {}, 0
        if resume is not None and self.checkpoints is not None:
            saved, skipped = self.checkpoints.calls(resume.id), self.done_before(resume)
            if await _waited_out(self.resume_wait(resume), cancel):
                return ReplayReport(total_items=total, sent_items=skipped, cancelled=True)
        elif self.resumable and self.checkpoints is not None and self.identity is not None:
            connection = self.source.connection
            record = self.checkpoints.begin(
                self.identity,
                connection.license_code,
                connection.host,
                self.plan,
                total,
                survey.calls,
            )
        self.run_record = record
        order = _InOrder(on_call)
        session = self.service.session(self.source.connection, observer)
        try:
            report = await run_jobs(
                session,
                self._jobs(saved, order),
                total,
                self.limits or limits_for(self.bulk),
                DEFAULT_CONCURRENCY if self.bulk else EACH_CONCURRENCY,
                progress,
                cancel=cancel,
                source=self.label or str(self.source.path),
                hooks=self._hooks(record, order, skipped),
            )
        finally:
            order.flush()
        complete = report.sent_items >= total and not report.cancelled and not report.stopped
        if record is not None and self.checkpoints is not None and complete and report.ok:
            self.checkpoints.finish(record.id)
        return report
