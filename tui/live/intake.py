"""What the listener does with each event it receives: preview it, report it, forward it.

Each event is previewed at once (THE `preview_event`, as everywhere) and reported; with forwarding
on, it is queued for delivery and the sender is answered without waiting (as Segment answers before
its destinations run: an SDK that waited on WebEngage's rate limit would time out and send the
batch again). A few tasks deliver the queue through THE delivery service, paced under WebEngage's
per-account limit, and each event is reported again as its delivery ends. The one refusal rule
applies: an event with findings of severity error is not sent unless `force`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tui.delivery.service import DeliveryService, Observer, refusal
from tui.live.collector import Call
from tui.live.received import Received
from tui.live.received_log import ReceivedLog
from tui.mapping.blueprint import Blueprint
from tui.mapping.mapped import finding
from tui.mapping.preview import Preview, preview_event
from tui.safe_text import visible
from tui.webengage.api import Endpoint
from tui.webengage.client import RetryPolicy
from tui.webengage.entry import LogEntry
from tui.webengage.findings import Finding, Severity
from tui.webengage.pacing import Pacer
from tui.webengage.request import Connection

SOURCE = "listen"
WORKERS = 4
BACKLOG_MAX = 10_000
"""Events waiting to be forwarded at most; past it an event is shown as not sent (backlog)."""
DRAIN_S = 1.0
"""On stop, how long forwarding may go on for what is already queued."""
WHY_MAX = 160

OnReceived = Callable[[Received], None]
OnError = Callable[[str], None]


def _typed(raw: Any, kind: str) -> Any:
    """A single call's event with the path's type when it has none (`POST /v1/track` needs no
    `"type"` in the body)."""
    if kind in ("batch", "events") or not isinstance(raw, dict) or "type" in raw:
        return raw
    return {**raw, "type": kind}


def _refused_finding(message: str) -> Finding:
    return finding(
        Severity.ERROR,
        "$",
        message,
        "keep each event under 32 KB (large properties belong elsewhere), then send it again",
        "event-too-large",
    )


class Intake:
    """Previews, reports and (when `forward_to` is set) forwards every event of every call."""

    def __init__(
        self,
        service: DeliveryService,
        *,
        blueprint: Blueprint,
        preview_connection: Connection,
        forward_to: Connection | None = None,
        force: bool = False,
        on_event: OnReceived | None = None,
        on_error: OnError | None = None,
        observer: Observer | None = None,
        log: ReceivedLog | None = None,
        retry: RetryPolicy | None = None,
        backlog_max: int = BACKLOG_MAX,
    ) -> None:
        self.service = service
        self.blueprint = blueprint
        self.preview_connection = preview_connection
        self.forward_to = forward_to
        """Where events go (None: preview only); the TUI changes it while the listener runs."""
        self.force = force
        self.on_event = on_event
        self.on_error = on_error
        self.observer = observer
        self.log = log
        self.retry = retry
        self._queue: asyncio.Queue[Received] = asyncio.Queue(backlog_max)
        self._workers: list[asyncio.Task[None]] = []
        self._pacers: dict[tuple[str, str, Endpoint], Pacer] = {}
        self._connections: dict[str, Connection] = {}
        self._ids = itertools.count()
        self._id_prefix = uuid.uuid4().hex[:20]

    def _next_id(self) -> str:
        """A unique id without a system call per event (uuid4 reads /dev/urandom each time)."""
        return f"{self._id_prefix}{next(self._ids):012x}"

    # ---- receiving ----

    def take(self, call: Call) -> None:
        """Every event of `call`: previewed, reported, and queued for forwarding."""
        target = self.forward_to
        connection = target or self.preview_connection
        known = self.service.recorder.known_types(connection.license_code)
        batch_refused = "; ".join(call.refused_events.values())
        for index, raw in enumerate(call.events):
            typed = _typed(raw, call.kind)
            preview = preview_event(typed, connection, self.blueprint, known_types=known)
            findings = list(preview.findings)
            if index in call.refused_events:
                findings.append(_refused_finding(call.refused_events[index]))
            item = Received(
                id=self._next_id(),
                path=call.path,
                raw=raw,
                preview=preview,
                findings=tuple(findings),
                forward_on=target is not None,
                write_key_shown=call.write_key_shown,
                mono=time.monotonic(),
            )
            if target is not None:
                item = self._route(item, target, batch_refused)
            self._report(item)

    def _route(self, item: Received, target: Connection, refused: str) -> Received:
        """Queue `item` for forwarding, or say why it is not sent."""
        why = ""
        errors = [f for f in item.preview.findings if f.severity is Severity.ERROR]
        if refused:
            why = "the whole batch was refused (an event over 32 KB)"
        elif item.preview.mapped is None:  # not an object, or a call WebEngage has none for
            what = errors[0].message if errors else "nothing to send"
            why = visible(what, one_line=True)[:WHY_MAX]
        if not why and (no := refusal(target, item.preview, forced=self.force)) is not None:
            if no.reason == "findings":
                why = f"{no.errors} error{'s' if no.errors != 1 else ''}"
            else:
                why = no.message(credentials="set them in a profile or the environment")
        if why:
            return replace(item, not_sent=why)
        queued = replace(item, forwarding=True)
        self._connections[queued.id] = target
        try:
            self._queue.put_nowait(queued)
        except asyncio.QueueFull:
            self._connections.pop(queued.id, None)
            return replace(item, not_sent=f"forwarding backlog full ({self._queue.maxsize:,})")
        return queued

    def _report(self, item: Received) -> None:
        if self.log is not None:
            self.log.add(item)
        if self.on_event is None:
            return
        try:
            self.on_event(item)
        except Exception as error:  # a subscriber's bug must not stop the listening
            self._error(f"listener on_event failed: {type(error).__name__}: {error}")

    def _error(self, message: str) -> None:
        if self.on_error is not None:
            with contextlib.suppress(Exception):
                self.on_error(visible(message, one_line=True))

    # ---- forwarding ----

    def start(self, workers: int = WORKERS) -> None:
        """Start the forwarding tasks (on the listener's loop)."""
        self._workers = [asyncio.create_task(self._work()) for _ in range(workers)]

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    async def _work(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                entry = await self._deliver(item)
            except asyncio.CancelledError:
                self._finish(item, None, "the listener stopped while forwarding it")
                raise
            except Exception as error:  # a bug: said, and the next event goes on
                self._error(f"listener bug forwarding {item.id[:8]}: {type(error).__name__}")
                self._finish(item, None, f"listener bug: {type(error).__name__}")
            else:
                self._finish(item, entry, "")
            finally:
                self._queue.task_done()

    async def _deliver(self, item: Received) -> LogEntry:
        connection = self._connections[item.id]
        preview: Preview = item.preview
        session = self.service.session(connection, self.observer, retry=self.retry)
        entry = session.new_entry(
            preview.request,
            event_name=preview.event_name,
            findings=item.findings,
            forced=preview.has_errors,
            source=f"{SOURCE} {item.path}",
        )
        return await session.run(entry, pacer=self._pacer(connection, preview.endpoint))

    def _pacer(self, connection: Connection, endpoint: Endpoint) -> Pacer:
        """One pacer per account and endpoint: never more than WebEngage's limit a minute."""
        key = (connection.route_to or connection.host, connection.license_code, endpoint)
        pacer = self._pacers.get(key)
        if pacer is None:
            pacer = self._pacers[key] = Pacer.for_endpoint(endpoint)
        return pacer

    def _finish(self, item: Received, entry: LogEntry | None, why: str) -> None:
        self._connections.pop(item.id, None)
        self._report(replace(item, forwarding=False, delivery=entry, not_sent=why, update=True))

    async def aclose(self) -> None:
        """Let what is queued go out for up to DRAIN_S, then stop; what is left is reported as not
        sent (the listener stopped)."""
        if self._workers:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), DRAIN_S)
            for task in self._workers:
                task.cancel()
            await asyncio.gather(*self._workers, return_exceptions=True)
            self._workers = []
        while not self._queue.empty():
            item = self._queue.get_nowait()
            self._finish(item, None, "the listener stopped before forwarding it")
        for pacer in self._pacers.values():
            pacer.close()
        self._pacers.clear()
