"""An aiohttp application served from a thread of its own, with its own event loop.

The sandbox, the listener and the relay run this way, so the CLI, the TUI and the tests start and
stop each of them the same way (`Served`: `with`, `async with`), and the caller's event loop (the
TUI's, an async test's) never waits on a request, nor on an injected delay.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, ClassVar, Self

from aiohttp import web

START_TIMEOUT_S = 10.0
SHUTDOWN_TIMEOUT_S = 0.5

Setup = Callable[[], Awaitable[web.Application]]
Teardown = Callable[[], Awaitable[None]]


class ServingError(RuntimeError):
    """The server could not start (a taken port, a bad address)."""


class ServerThread:
    """Serves the application `setup()` builds on `host:port` (0: any free port), or on `sock` (a
    socket already bound and listening), until `stop()`; `teardown()` runs on the server's loop
    after the server is down (close clients, flush files).

    `keepalive_timeout_s` closes a connection that sends nothing, or half a request line or
    headers, or idles between requests (aiohttp's default: an hour); `lingering_time_s` bounds the
    draining of a body left unread (a 401, a 408). In-flight requests get `SHUTDOWN_TIMEOUT_S` to
    finish at `stop()`, not aiohttp's 60 s."""

    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        setup: Setup,
        teardown: Teardown,
        *,
        keepalive_timeout_s: float = 30.0,
        lingering_time_s: float = 1.0,
        auto_decompress: bool = False,
        sock: socket.socket | None = None,
    ) -> None:
        self.name = name
        self.host = host
        self.requested_port = port
        self._setup_app = setup
        self._teardown_app = teardown
        self.keepalive_timeout_s = keepalive_timeout_s
        self.lingering_time_s = lingering_time_s
        self.sock = sock
        self.auto_decompress = auto_decompress  # off for the listener: it inflates within its limit
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The server's loop while it runs (for `call_soon_threadsafe`)."""
        return self._loop

    def start(self) -> int:
        """Start serving (idempotent); the port, once it accepts connections."""
        if self.port is not None:
            return self.port
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
                loop.run_until_complete(self._teardown())
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._teardown())
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=serve, name=self.name, daemon=True)
        self._thread.start()
        if not ready.wait(START_TIMEOUT_S):
            raise ServingError(f"did not start within {START_TIMEOUT_S:g} s")
        if failure:
            self._thread.join()
            self._thread = self._loop = None
            self.port = None
            raise ServingError(f"could not listen on {self._where()}: {failure[0]}") from failure[0]
        assert self.port is not None
        return self.port

    async def _setup(self) -> None:
        app = await self._setup_app()
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=SHUTDOWN_TIMEOUT_S,
            keepalive_timeout=self.keepalive_timeout_s,
            lingering_time=self.lingering_time_s,
            auto_decompress=self.auto_decompress,
        )
        await runner.setup()
        self._runner = runner
        site: web.BaseSite = (
            web.SockSite(runner, self.sock)
            if self.sock is not None
            else web.TCPSite(runner, self.host, self.requested_port)
        )
        await site.start()
        self.port = int(runner.addresses[0][1])

    def _where(self) -> str:
        if self.sock is None:
            return f"{self.host}:{self.requested_port}"
        try:
            host, port = self.sock.getsockname()[:2]
        except OSError:  # (closed)
            return "the socket given"
        return f"{host}:{port}"

    async def _teardown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self._teardown_app()

    def stop(self) -> None:
        """Stop serving, run the teardown, and wait for the thread (idempotent)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(START_TIMEOUT_S * 3)
        self._loop = self._thread = None
        self.port = None


class Served(ABC):
    """Something served by a `ServerThread` (`_server`, set in `__init__`) from `start()` to
    `stop()`: its port while it runs, its failures as its own error (`error`) in its own words
    ("the sandbox could not listen on ..."), and a context manager, sync (`with`) and async
    (`async with`, which starts and stops it in a worker thread)."""

    what: ClassVar[str]
    """What it is, for its messages: "sandbox", "listener", "relay"."""
    error: ClassVar[type[Exception]]
    """What it raises when it cannot start, or is asked for its port before."""
    _server: ServerThread

    @property
    def port(self) -> int:
        if self._server.port is None:
            raise self.error(f"the {self.what} is not running: call start() first")
        return self._server.port

    @property
    def running(self) -> bool:
        return self._server.port is not None

    @abstractmethod
    def start(self) -> Any:
        """Start serving (idempotent), with `_serve`."""

    def _serve(self) -> None:
        """Start the server thread (idempotent); a failure as `error`."""
        try:
            self._server.start()
        except ServingError as error:
            raise self.error(f"the {self.what} {error}") from error.__cause__

    def stop(self) -> None:
        """Stop serving, run the teardown (what it finishes and closes), and wait for the thread
        (idempotent)."""
        self._server.stop()

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
