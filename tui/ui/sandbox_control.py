"""The embedded sandbox inside the app: started after the first paint (`--sandbox`) or when a
first run accepts the offer, always in its own thread, and stopped with the app."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from pydantic import SecretStr

from tui.webengage.api import DataCentre
from tui.webengage.request import Connection

if TYPE_CHECKING:  # aiohttp loads with the sandbox, never at start-up
    from tui.sandbox import Sandbox
    from tui.ui.host import DebuggerApp


def sandbox_connection(sandbox_url: str) -> Connection:
    """The demo account, routed to the embedded sandbox with the real Host header."""
    from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE

    return Connection(
        data_centre=DataCentre.GLOBAL,
        license_code=DEMO_LICENSE_CODE,
        api_key=SecretStr(DEMO_API_KEY),
        route_to=sandbox_url,
    )


def start_sandbox(
    app: DebuggerApp, *, sock: socket.socket | None = None, switch: bool = True
) -> None:
    """Start a sandbox in a thread worker (on `sock` if given, a listening socket: requests sent
    before it is up wait in its backlog); `switch` the credentials to its demo account."""

    def start() -> None:
        from tui.sandbox import Sandbox

        sandbox = Sandbox(sock=sock)
        sandbox.start()
        app.own_sandbox = app.sandbox = sandbox
        if switch:
            app.call_from_thread(use_sandbox, app, sandbox)

    app.run_worker(start, name="sandbox", group="sandbox", thread=True, exit_on_error=False)


def use_sandbox(app: DebuggerApp, sandbox: Sandbox) -> None:
    from tui.ui.widgets.credentials import CredentialsPanel

    for panel in app.main.query(CredentialsPanel):
        panel.use_sandbox(sandbox.url, sandbox_connection(sandbox.url))
    app.notify("Sandbox started: demo account, Global data centre. F5 sends.")


def stop_sandbox(app: DebuggerApp) -> None:
    """Stop the sandbox the app started itself (one handed to create_app belongs to the caller)."""
    if app.own_sandbox is not None:
        app.own_sandbox.stop()
        app.own_sandbox = None
