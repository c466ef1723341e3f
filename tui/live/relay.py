"""`Relay`: a reverse proxy in front of WebEngage, in its own thread with its own event loop.

A server-side integration whose WebEngage API host is set to the relay's URL has each call to
`/v1/accounts/<license code>/{events,users,bulk-events,bulk-users}` checked (findings on the body
itself), sent on through THE delivery service (one attempt, recorded in the history, the caller's
`x-request-id` kept) to a data centre's API host or to `upstream` (the sandbox, say; WebEngage's
Host header kept), and answered with WebEngage's status, body and rate-limit headers. Each
exchange is reported to `on_exchange` (from the relay's thread); `observer` sees every delivery
as it starts and ends, as the delivery service reports it to its other senders.

Its own thread, like the sandbox: tests, the CLI and the TUI run it the same way.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from tui.delivery.service import DeliveryService, Observer
from tui.live.exchange import Exchange
from tui.live.forward import BODY_MAX, READ_TIMEOUT_S, Forwarder, OnError, OnExchange, Route
from tui.serving import Served, ServerThread
from tui.store.recorder import Recorder
from tui.store.settings import AppSettings
from tui.webengage.api import DataCentre

__all__ = ["DEFAULT_PORT", "Exchange", "Relay", "RelayConfig", "RelayError", "upstream_problem"]

DEFAULT_PORT = 8789


class RelayError(RuntimeError):
    """The relay could not start (a taken port, a remote address not allowed, a bad upstream)."""


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def upstream_problem(url: str) -> str | None:
    """Why `url` cannot be an upstream (None when it can): an http(s) URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"the upstream must be an http:// or https:// URL with a host, got {url!r}"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "the upstream takes no query, fragment or credentials"
    return None


@dataclass(frozen=True, slots=True)
class RelayConfig:
    """Where the relay listens and where it sends. `port` 0: any free port (tests).

    `history_path` None: the default history (`AppSettings().history_path`); `record` False
    records nothing. A host that is not loopback needs `allow_remote`: the relay carries keys."""

    host: str = "127.0.0.1"
    port: int = 0
    data_centre: DataCentre = DataCentre.GLOBAL
    upstream: str | None = None
    allow_remote: bool = False
    history_path: Path | None = None
    record: bool = True
    timeout_s: float = 10.0
    body_max: int = BODY_MAX
    read_timeout_s: float = READ_TIMEOUT_S

    def problem(self) -> str | None:
        if not is_loopback(self.host) and not self.allow_remote:
            return (
                f"{self.host} is not a loopback address, and the relay carries real REST API "
                "keys; pass --allow-remote to listen there anyway"
            )
        return upstream_problem(self.upstream) if self.upstream else None

    @property
    def route(self) -> Route:
        upstream = self.upstream.rstrip("/") if self.upstream else None
        return Route(self.data_centre, upstream, self.body_max, self.read_timeout_s)


class Relay(Served):
    """The relay server. `start()` returns its base URL; it runs until `stop()`, which finishes
    the history's writes."""

    what = "relay"
    error = RelayError

    def __init__(
        self,
        config: RelayConfig | None = None,
        *,
        on_exchange: OnExchange | None = None,
        observer: Observer | None = None,
        on_error: OnError | None = None,
    ) -> None:
        self.config = config or RelayConfig()
        problem = self.config.problem()
        if problem is not None:
            raise RelayError(problem)
        self.on_exchange = on_exchange
        self.observer = observer
        self.on_error = on_error
        self._service: DeliveryService | None = None
        self._server = ServerThread(
            "webengage-relay",
            self.config.host,
            self.config.port,
            self._setup,
            self._teardown,
            keepalive_timeout_s=self.config.read_timeout_s,
            auto_decompress=True,
        )

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"Relay({where} -> {self.config.route.where})"

    @property
    def url(self) -> str:
        """The base URL to set as the integration's API host, e.g. http://127.0.0.1:8789."""
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    def start(self) -> str:
        """Start serving (idempotent) and return the base URL once it accepts connections."""
        if self.running:
            return self.url
        self._serve()
        if self._loops_back():
            self.stop()
            raise RelayError("the upstream is the relay itself: every call would come back here")
        return self.url

    def _recorder(self) -> Recorder:
        if not self.config.record:
            return Recorder(None)
        path = self.config.history_path or AppSettings().history_path
        return Recorder.open(path, on_error=self.on_error)

    async def _setup(self) -> web.Application:
        self._service = DeliveryService(recorder=self._recorder(), timeout_s=self.config.timeout_s)
        forwarder = Forwarder(
            self.config.route,
            self._service,
            on_exchange=self.on_exchange,
            observer=self.observer,
            on_error=self.on_error,
        )
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", forwarder.handle)
        return app

    async def _teardown(self) -> None:
        if self._service is not None:
            await self._service.aclose()  # closes the httpx clients and the recorder
            self._service = None

    def _loops_back(self) -> bool:
        """True when `upstream` is this relay's own address."""
        upstream = self.config.upstream
        if not upstream:
            return False
        parts = urlsplit(upstream)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = (parts.hostname or "").lower()
        here = self.config.host.lower()
        same_host = host == here or (
            is_loopback(host) and (is_loopback(here) or here in ("0.0.0.0", "::"))
        )
        return port == self._server.port and same_host
