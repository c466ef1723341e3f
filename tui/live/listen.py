"""`Listener`: a collector the Segment and RudderStack SDKs can point at, in its own thread.

It speaks their HTTP tracking API (tui/live/collector.py) and `POST /events` with the tool's
own formats; every event is previewed at once, reported to `on_event` (from the listener's
thread), written to the `received` table of the history, and, when forwarding, delivered
through THE delivery service to the account `forward_to` names (recorded in the delivery
history like every other send). Loopback only unless `allow_remote`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from tui.delivery.service import DeliveryService, Observer
from tui.live.collector import BATCH_MAX, EVENT_MAX
from tui.live.collector_http import READ_TIMEOUT_S, CollectorHandler, OnRefused
from tui.live.intake import BACKLOG_MAX, Intake, OnError, OnReceived
from tui.live.received_log import ReceivedLog
from tui.live.relay import is_loopback
from tui.mapping.blueprint import Blueprint, default_blueprint
from tui.serving import Served, ServerThread
from tui.store.recorder import Recorder
from tui.store.settings import AppSettings
from tui.webengage.client import RetryPolicy
from tui.webengage.request import Connection

__all__ = ["DEFAULT_PORT", "ListenConfig", "Listener", "ListenerError", "origin_problem"]

DEFAULT_PORT = 8788


class ListenerError(RuntimeError):
    """The listener could not start (a taken port, a remote address not allowed, a bad origin)."""


def origin_problem(origin: str) -> str | None:
    """Why `origin` cannot be allowed (None when it can): `scheme://host[:port]`, or `null`."""
    if origin == "null":
        return None
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"an origin is scheme://host[:port], such as http://localhost:3000; got {origin!r}"
    if parts.path or parts.query or parts.fragment or parts.username:
        return f"an origin has no path, query or credentials (a browser sends none); got {origin!r}"
    return None


@dataclass(frozen=True, slots=True)
class ListenConfig:
    """Where the listener listens and what it does with events. `port` 0: any free port.

    `forward_to` None: preview only. `preview_connection` fills the previewed request's URL when
    not forwarding. `history_path` None: the default history; `record` False records nothing."""

    host: str = "127.0.0.1"
    port: int = 0
    allow_remote: bool = False
    allow_origins: tuple[str, ...] = ()
    forward_to: Connection | None = None
    preview_connection: Connection = field(default_factory=Connection)
    force: bool = False
    blueprint: Blueprint | None = None
    history_path: Path | None = None
    record: bool = True
    timeout_s: float = 10.0
    retry: RetryPolicy | None = None
    batch_max: int = BATCH_MAX
    event_max: int = EVENT_MAX
    read_timeout_s: float = READ_TIMEOUT_S
    backlog_max: int = BACKLOG_MAX

    def problem(self) -> str | None:
        if not is_loopback(self.host) and not self.allow_remote:
            return (
                f"{self.host} is not a loopback address: any machine that can reach it could "
                "send events (and, with --forward, have them delivered); pass --allow-remote "
                "to listen there anyway"
            )
        return next(filter(None, map(origin_problem, self.allow_origins)), None)


class Listener(Served):
    """The listener server. `start()` returns its base URL; it runs until `stop()`, which
    finishes forwarding what can be and writes the history."""

    what = "listener"
    error = ListenerError

    def __init__(
        self,
        config: ListenConfig | None = None,
        *,
        on_event: OnReceived | None = None,
        on_refused: OnRefused | None = None,
        on_error: OnError | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.config = config or ListenConfig()
        problem = self.config.problem()
        if problem is not None:
            raise ListenerError(problem)
        self.on_event = on_event
        self.on_refused = on_refused
        self.on_error = on_error
        self.observer = observer
        self.history_path = self.config.history_path or AppSettings().history_path
        self._forward_to = self.config.forward_to
        self._intake: Intake | None = None
        self._service: DeliveryService | None = None
        self._log: ReceivedLog | None = None
        self._server = ServerThread(
            "webengage-listener",
            self.config.host,
            self.config.port,
            self._setup,
            self._teardown,
            keepalive_timeout_s=self.config.read_timeout_s,
        )

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"Listener({where}, forwarding={'on' if self._forward_to else 'off'})"

    @property
    def url(self) -> str:
        """The base URL to give the SDKs (their host / apiHost / dataPlaneUrl)."""
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    @property
    def forward_to(self) -> Connection | None:
        return self._forward_to

    def forward(self, connection: Connection | None) -> None:
        """Forward from now on to `connection` (None: preview only). Safe from any thread."""
        self._forward_to = connection
        loop, intake = self._server.loop, self._intake
        if loop is not None and intake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(setattr, intake, "forward_to", connection)

    def start(self) -> str:
        """Start serving (idempotent) and return the base URL once it accepts connections."""
        self._serve()
        return self.url

    def _recorder(self) -> Recorder:
        if not self.config.record:
            return Recorder(None)
        return Recorder.open(self.history_path, on_error=self.on_error)

    async def _setup(self) -> web.Application:
        config = self.config
        self._service = DeliveryService(
            recorder=self._recorder(), timeout_s=config.timeout_s, retry=config.retry
        )
        if config.record:
            try:
                self._log = ReceivedLog(self.history_path, on_error=self.on_error)
            except Exception as error:  # a broken database must not stop the listening
                if self.on_error is not None:
                    self.on_error(f"received events not recorded ({error})")
        self._intake = Intake(
            self._service,
            blueprint=config.blueprint or default_blueprint(),
            preview_connection=config.preview_connection,
            forward_to=self._forward_to,
            force=config.force,
            on_event=self.on_event,
            on_error=self.on_error,
            observer=self.observer,
            log=self._log,
            backlog_max=config.backlog_max,
        )
        self._intake.start()
        handler = CollectorHandler(
            self._intake,
            origins=frozenset(config.allow_origins),
            on_refused=self.on_refused,
            on_error=self.on_error,
            read_timeout_s=config.read_timeout_s,
            batch_max=config.batch_max,
            event_max=config.event_max,
        )
        app = web.Application(client_max_size=config.batch_max + 1)
        app.router.add_route("*", "/{tail:.*}", handler.handle)
        return app

    async def _teardown(self) -> None:
        if self._intake is not None:
            await self._intake.aclose()
            self._intake = None
        if self._service is not None:
            await self._service.aclose()  # the httpx clients and the recorder
            self._service = None
        if self._log is not None:
            await asyncio.to_thread(self._log.close)
            self._log = None
