"""The one delivery path: every sender (the composer, the extra screens, replay, journeys,
diagnose's probes, `send`) goes through a `DeliveryService`.

It applies one refusal rule (`refusal`), sends through one long-lived httpx client per connection,
records each entry as it starts, as its attempts go, and as it ends (through the `Recorder`, off
the caller's thread), and reports progress to an `Observer` as immutable entries, so nothing is copied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from tui.mapping.preview import Preview
from tui.store.profiles import missing_credentials
from tui.store.recorder import Recorder
from tui.webengage.entry import LogEntry, target_of
from tui.webengage.findings import Finding, Severity
from tui.webengage.pacing import Pacer
from tui.webengage.request import Connection, WebEngageRequest

if TYPE_CHECKING:  # httpx and the client load with the first send, not at start-up
    import asyncio

    import httpx

    from tui.delivery.diagnose import Diagnosis
    from tui.delivery.journeys import Journey, JourneyIdentity, StepResult
    from tui.delivery.replay import Progress, ReplayReport
    from tui.mapping.blueprint import Blueprint
    from tui.webengage.client import RetryPolicy, WebEngageClient
    from tui.webengage.pacing import PaceLimits

Stage = Literal["started", "updated", "finished"]
RefusalReason = Literal["invalid_json", "nothing", "missing_credentials", "findings"]


@dataclass(frozen=True, slots=True)
class DeliveryEvent:
    """What a delivery just did: started (recorded, about to send), updated (an attempt ended,
    or a backoff began), finished (recorded; `learned`: the type memory learned new types)."""

    stage: Stage
    entry: LogEntry
    learned: bool = False


Observer = Callable[[DeliveryEvent], None]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why something must not be sent now. The rule is one; each sink words the way round it."""

    reason: RefusalReason
    detail: str = ""
    errors: int = 0
    in_app: str = ""
    """The detail in the TUI's words (what is missing, without environment variables or flags)."""

    def message(self, *, force: str = "F6", credentials: str = "F2 for credentials") -> str:
        """The refusal in plain words; `force` names the sink's send-anyway, `credentials` where
        the credentials are entered."""
        if self.reason == "invalid_json":
            return f"The properties are not valid JSON ({self.detail}). Fix them first."
        if self.reason == "nothing":
            return "Nothing to send yet."
        if self.reason == "missing_credentials":
            return f"Missing {self.in_app or self.detail}. {credentials}."
        plural = "s" if self.errors > 1 else ""
        return (
            f"{self.errors} error{plural} ({self.detail}), listed below. "
            f"Fix them, or {force} to send anyway and see how WebEngage reacts."
        )


def refusal(
    connection: Connection,
    preview: Preview | None,
    *,
    json_error: str | None = None,
    forced: bool = False,
) -> Refusal | None:
    """The one rule for every sender: None means send.

    Unreadable input, nothing to send and missing credentials always refuse (without a key or a
    license code there is nothing WebEngage could say); findings of severity error refuse unless
    the send is forced, to see how WebEngage reacts.
    """
    if json_error is not None:
        return Refusal("invalid_json", json_error)
    if preview is None:
        return Refusal("nothing")
    missing = missing_credentials(connection)
    if missing:
        return Refusal(
            "missing_credentials",
            "; ".join(missing),
            in_app=" and ".join(missing_credentials(connection, in_app=True)),
        )
    if forced:
        return None
    errors = [f for f in preview.findings if f.severity is Severity.ERROR]
    if errors:
        paths = ", ".join(dict.fromkeys(f.path for f in errors))
        return Refusal("findings", paths, len(errors))
    return None


class Session:
    """The service bound to one connection and one observer: what replay and journeys send with.

    It has the client's `new_entry`, `run` and `deliver`, so the replay and journey code runs on
    it unchanged, and every entry it sends is recorded and observed.
    """

    def __init__(
        self,
        service: DeliveryService,
        client: WebEngageClient,
        observer: Observer | None,
        *,
        record: bool = True,
    ) -> None:
        self.service = service
        self.client = client
        self.observer = observer
        self.record = record

    @property
    def connection(self) -> Connection:
        return self.client.connection

    @property
    def pacer(self) -> Pacer | None:
        return self.client.pacer

    def new_entry(
        self,
        request: WebEngageRequest,
        *,
        event_name: str = "",
        findings: Sequence[Finding] = (),
        forced: bool = False,
        source: str = "",
    ) -> LogEntry:
        entry = self.client.new_entry(
            request, event_name=event_name, findings=findings, forced=forced, source=source
        )
        route = self.connection.route_to
        return entry.model_copy(update={"target": target_of(route), "route": route or None})

    def _tell(self, stage: Stage, entry: LogEntry, learned: bool = False) -> None:
        if self.observer is not None:
            self.observer(DeliveryEvent(stage, entry, learned))

    async def run(
        self,
        entry: LogEntry,
        *,
        on_update: Callable[[LogEntry], None] | None = None,
        pacer: Pacer | None = None,
        slot_taken: bool = False,
    ) -> LogEntry:
        """Record, send, record: the entry as it ended (or was cut off)."""
        recorder = self.service.recorder if self.record else None
        if recorder is not None:
            await recorder.started(entry)
        self._tell("started", entry)
        latest = entry

        def updated(snapshot: LogEntry) -> None:
            nonlocal latest
            if snapshot is entry:  # the client's first report is the entry as it started
                return
            latest = snapshot
            if recorder is not None:
                recorder.note(snapshot)
            self._tell("updated", snapshot)
            if on_update is not None:
                on_update(snapshot)

        try:
            done = await self.client.run(
                entry, on_update=updated, pacer=pacer, slot_taken=slot_taken
            )
        except BaseException:  # cancelled: what it got to is on disk, unfinished
            if recorder is not None and latest is not entry:
                await _shielded(recorder.started(latest))
            raise
        learned = await recorder.finished(done) if recorder is not None else False
        self._tell("finished", done, learned)
        return done

    async def deliver(
        self,
        request: WebEngageRequest,
        *,
        event_name: str = "",
        findings: Sequence[Finding] = (),
        forced: bool = False,
        source: str = "",
        on_update: Callable[[LogEntry], None] | None = None,
    ) -> LogEntry:
        """Send one request: the finished LogEntry, never an exception."""
        entry = self.new_entry(
            request, event_name=event_name, findings=findings, forced=forced, source=source
        )
        return await self.run(entry, on_update=on_update)


async def _shielded(job: Any) -> None:
    import asyncio

    await asyncio.shield(job)


class DeliveryService:
    """Sends for the whole process: one per TUI, one per `send`. Close it with `aclose`."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout_s: float = 10.0,
        recorder: Recorder | None = None,
        sleep: Callable[[float], Any] | None = None,
    ) -> None:
        self.transport = transport
        self.retry = retry
        self.timeout_s = timeout_s
        self.recorder = recorder or Recorder(None)
        self.sleep = sleep
        self._clients: dict[tuple[object, ...], WebEngageClient] = {}

    def client(
        self,
        connection: Connection,
        *,
        retry: RetryPolicy | None = None,
        timeout_s: float | None = None,
    ) -> WebEngageClient:
        """The long-lived client for this connection (and retry policy and timeout). Pacing is
        per run (replay hands each call its endpoint's pacer), so it is not part of the client."""
        from tui.webengage.client import WebEngageClient

        retry = retry or self.retry
        timeout = self.timeout_s if timeout_s is None else timeout_s
        key = (connection, connection.api_key.get_secret_value(), retry, timeout)
        client = self._clients.get(key)
        if client is None:
            client = WebEngageClient(
                connection,
                transport=self.transport,
                retry=retry,
                timeout_s=timeout,
                sleep=self.sleep,
            )
            self._clients[key] = client
        return client

    def session(
        self,
        connection: Connection,
        observer: Observer | None = None,
        *,
        record: bool = True,
        retry: RetryPolicy | None = None,
        timeout_s: float | None = None,
    ) -> Session:
        client = self.client(connection, retry=retry, timeout_s=timeout_s)
        return Session(self, client, observer, record=record)

    async def deliver(
        self,
        connection: Connection,
        request: WebEngageRequest,
        *,
        event_name: str = "",
        findings: Sequence[Finding] = (),
        forced: bool = False,
        source: str = "",
        observer: Observer | None = None,
    ) -> LogEntry:
        """Send one request for `connection`; the finished entry."""
        return await self.session(connection, observer).deliver(
            request, event_name=event_name, findings=findings, forced=forced, source=source
        )

    async def deliver_preview(
        self,
        connection: Connection,
        preview: Preview,
        *,
        forced: bool = False,
        source: str = "",
        observer: Observer | None = None,
    ) -> LogEntry:
        """Send what a preview shows (the caller has applied `refusal`)."""
        return await self.deliver(
            connection,
            preview.request,
            event_name=preview.event_name,
            findings=preview.findings,
            forced=forced,
            source=source,
            observer=observer,
        )

    async def replay(
        self,
        connection: Connection,
        items: Sequence[Any],
        *,
        bulk: bool,
        limits: PaceLimits | None = None,
        progress: Progress | None = None,
        cancel: asyncio.Event | None = None,
        source: str = "replay",
        observer: Observer | None = None,
    ) -> ReplayReport:
        """Many events, paced: through the bulk endpoints 25 at a time, or one call each."""
        from tui.delivery.replay import replay_bulk, replay_each

        replay = replay_bulk if bulk else replay_each
        return await replay(
            self.session(connection, observer),
            items,
            limits=limits,
            progress=progress,
            cancel=cancel,
            source=source,
        )

    async def journey(
        self,
        journey: Journey,
        connection: Connection,
        *,
        blueprint: Blueprint | None = None,
        identity: JourneyIdentity | None = None,
        on_step: Callable[[StepResult], None] | None = None,
        observer: Observer | None = None,
    ) -> list[StepResult]:
        """A scripted funnel, step by step, each step one recorded delivery."""
        from tui.delivery.journeys import run_journey

        return await run_journey(
            journey,
            connection,
            self.session(connection, observer),
            blueprint=blueprint,
            identity=identity,
            on_step=on_step,
        )

    async def diagnose(self, connection: Connection) -> Diagnosis:
        """Probe every data centre with a request that creates nothing (not recorded)."""
        from tui.delivery.diagnose import PROBE_RETRY, PROBE_TIMEOUT_S, diagnose

        return await diagnose(
            connection,
            deliverer=lambda probe: self.session(
                probe, record=False, retry=PROBE_RETRY, timeout_s=PROBE_TIMEOUT_S
            ),
        )

    async def aclose(self) -> None:
        """Close every client and finish the recorder's pending writes."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()
        self.recorder.close()
