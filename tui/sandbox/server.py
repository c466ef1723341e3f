"""`Sandbox`: the WebEngage-compatible server, running in its own thread with its own event loop.

Its own thread (tui/serving.py, as the listener and the relay), so that injected latency never
blocks the caller's loop (a Textual app, an async test) and so that sync tests and the CLI can use
it the same way.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tui.sandbox.app import RequestRecord, create_app
from tui.sandbox.models import ADMIN_TOKEN_HEADER, Fault, SandboxConfig
from tui.sandbox.state import SandboxState
from tui.serving import Served, ServerThread


class SandboxError(RuntimeError):
    """The sandbox could not start (e.g. the port is taken) or was used before it started."""


class Sandbox(Served):
    """A sandbox server. `start()` returns its base URL; it runs until `stop()`.

    `on_request` is called (from the server's thread) once per request, for a request log.
    `sock`, a socket already bound and listening, is served instead of `config.host`/`port`: the
    TUI binds one before its first paint, so its port is known at once and a request sent before
    the server is up waits in the socket's backlog instead of being refused.

    `admin_token` is what `/sandbox/*` over HTTP requires in `X-Sandbox-Token` (`admin_headers`):
    `config.admin_token`, else a random one for this instance. The Python API (`inject`,
    `accepted`, ...) works on the state directly and needs no token.
    """

    what = "sandbox"
    error = SandboxError

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        on_request: Callable[[RequestRecord], None] | None = None,
        sock: socket.socket | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        self.state = SandboxState(self.config)
        given = self.config.admin_token
        self.admin_token: str = (
            given.get_secret_value() if given is not None else secrets.token_urlsafe(24)
        )
        self._on_request = on_request
        timeout = self.config.read_timeout_s  # (what a slow or silent client gets: serving.py)
        self._server = ServerThread(
            "webengage-sandbox",
            self.config.host,
            self.config.port,
            self._setup,
            self._teardown,
            keepalive_timeout_s=timeout,
            lingering_time_s=timeout,
            auto_decompress=True,
            sock=sock,
        )

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"Sandbox({where}, accounts={[a.license_code for a in self.config.accounts]})"

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:54321 (no trailing slash)."""
        return f"http://{self.config.host}:{self.port}"

    @property
    def admin_headers(self) -> dict[str, str]:
        """The header a `/sandbox/*` request over HTTP needs: `{"X-Sandbox-Token": token}`."""
        return {ADMIN_TOKEN_HEADER: self.admin_token}

    def start(self) -> str:
        """Start serving (idempotent) and return the base URL once it accepts connections."""
        self._serve()
        return self.url

    async def _setup(self) -> web.Application:
        return create_app(self.state, self._on_request, admin_token=self.admin_token)

    async def _teardown(self) -> None:
        """Nothing of its own to close: the state lives on (`accepted` after `stop`)."""

    # What tests and demos steer it with (also over HTTP with `admin_headers`: /sandbox/faults,
    # /sandbox/events).
    def inject(self, *faults: Fault) -> None:
        """Queue faults for the next API requests, in order."""
        self.state.inject(*faults)

    def clear_faults(self) -> None:
        self.state.clear_faults()

    def accepted(self) -> list[dict[str, Any]]:
        """What it accepted, oldest first: received_at, endpoint, license_code, host, request_id, body.
        The newest `config.keep_events` only (`dropped` says how many older ones went)."""
        return self.state.accepted()

    @property
    def dropped(self) -> int:
        """Accepted requests dropped (oldest first) to keep the newest `config.keep_events`."""
        return self.state.dropped

    def reset(self) -> None:
        """Forget everything: accepted requests, request ids, rate windows, faults."""
        self.state.reset()


__all__ = ["RequestRecord", "Sandbox", "SandboxError"]
