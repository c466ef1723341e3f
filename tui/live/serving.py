"""An aiohttp application served from a thread of its own, with its own event loop.

The listener and the relay run this way (as the sandbox does, which imports nothing of tui.live), so the CLI, the TUI and the tests
start and stop it the same way, and the TUI's event loop never waits on a request.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

from aiohttp import web

START_TIMEOUT_S = 10.0
SHUTDOWN_TIMEOUT_S = 0.5

Setup = Callable[[], Awaitable[web.Application]]
Teardown = Callable[[], Awaitable[None]]


class ServingError(RuntimeError):
    """The server could not start (a taken port, a bad address)."""


class ServerThread:
    """Serves the application `setup()` builds on `host:port` (0: any free port) until `stop()`;
    `teardown()` runs on the server's loop after the server is down (close clients, flush files)."""

    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        setup: Setup,
        teardown: Teardown,
        *,
        keepalive_timeout_s: float = 30.0,
        auto_decompress: bool = False,
    ) -> None:
        self.name = name
        self.host = host
        self.requested_port = port
        self._setup_app = setup
        self._teardown_app = teardown
        self.keepalive_timeout_s = keepalive_timeout_s
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
            raise ServingError(f"{self.name} did not start within {START_TIMEOUT_S:g} s")
        if failure:
            self._thread.join()
            self._thread = self._loop = None
            self.port = None
            where = f"{self.host}:{self.requested_port}"
            raise ServingError(f"could not listen on {where}: {failure[0]}") from failure[0]
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
            lingering_time=1.0,
            auto_decompress=self.auto_decompress,
        )
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, self.host, self.requested_port)
        await site.start()
        self.port = int(runner.addresses[0][1])

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
