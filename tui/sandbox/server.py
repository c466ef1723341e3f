"""`Sandbox`: the WebEngage-compatible server, running in its own thread with its own event loop.

Its own thread, so that injected latency never blocks the caller's loop (a Textual app, an async
test) and so that sync tests and the CLI can use it the same way.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from tui.sandbox.app import RequestRecord, create_app
from tui.sandbox.models import ADMIN_TOKEN_HEADER, Fault, SandboxConfig
from tui.sandbox.state import SandboxState

START_TIMEOUT_S = 10.0
SHUTDOWN_TIMEOUT_S = 0.5


class SandboxError(RuntimeError):
    """The sandbox could not start (e.g. the port is taken) or was used before it started."""


class Sandbox:
    """A sandbox server. `start()` returns its base URL; it runs until `stop()`.

    `on_request` is called (from the server's thread) once per request, for a request log.
    `sock`, a socket already bound and listening, is served instead of `config.host`/`port`: the
    TUI binds one before its first paint, so its port is known at once and a request sent before
    the server is up waits in the socket's backlog instead of being refused.

    `admin_token` is what `/sandbox/*` over HTTP requires in `X-Sandbox-Token` (`admin_headers`):
    `config.admin_token`, else a random one for this instance. The Python API (`inject`,
    `accepted`, ...) works on the state directly and needs no token.
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        on_request: Callable[[RequestRecord], None] | None = None,
        sock: socket.socket | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        self._sock = sock
        self.state = SandboxState(self.config)
        given = self.config.admin_token
        self.admin_token: str = (
            given.get_secret_value() if given is not None else secrets.token_urlsafe(24)
        )
        self._on_request = on_request
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    def __repr__(self) -> str:
        where = self.url if self._port is not None else "stopped"
        return f"Sandbox({where}, accounts={[a.license_code for a in self.config.accounts]})"

    @property
    def port(self) -> int:
        if self._port is None:
            raise SandboxError("the sandbox is not running: call start() first")
        return self._port

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:54321 (no trailing slash)."""
        return f"http://{self.config.host}:{self.port}"

    @property
    def admin_headers(self) -> dict[str, str]:
        """The header a `/sandbox/*` request over HTTP needs: `{"X-Sandbox-Token": token}`."""
        return {ADMIN_TOKEN_HEADER: self.admin_token}

    @property
    def running(self) -> bool:
        return self._port is not None

    def start(self) -> str:
        """Start serving (idempotent) and return the base URL once it accepts connections."""
        if self._port is not None:
            return self.url
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._setup())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._teardown())
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=serve, name="webengage-sandbox", daemon=True)
        self._thread.start()
        if not ready.wait(START_TIMEOUT_S):
            raise SandboxError(f"the sandbox did not start within {START_TIMEOUT_S:g} s")
        if failure:
            self._thread.join()
            self._thread = self._loop = None
            raise SandboxError(
                f"the sandbox could not listen on {self.config.host}:{self.config.port}: {failure[0]}"
            ) from failure[0]
        return self.url

    async def _setup(self) -> None:
        app = create_app(self.state, self._on_request, admin_token=self.admin_token)
        timeout = self.config.read_timeout_s
        # In-flight requests (an injected delay, say) get a moment to finish, not aiohttp's 60 s.
        # `keepalive_timeout` closes a connection that sends nothing, or half a request line or
        # headers, or idles between requests (aiohttp: an hour); `lingering_time` bounds the
        # draining of a body left unread (a 401, a 408); `answers.read_body` bounds reading one.
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=SHUTDOWN_TIMEOUT_S,
            keepalive_timeout=timeout,
            lingering_time=timeout,
        )
        await runner.setup()
        try:
            site: web.BaseSite = (
                web.SockSite(runner, self._sock)
                if self._sock is not None
                else web.TCPSite(runner, self.config.host, self.config.port)
            )
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])

    async def _teardown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def stop(self) -> None:
        """Stop serving and wait for the thread to end (idempotent)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(START_TIMEOUT_S)
        self._loop = self._thread = None
        self._port = None

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

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)


__all__ = ["RequestRecord", "Sandbox", "SandboxError"]
