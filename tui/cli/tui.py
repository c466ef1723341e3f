"""`webengage-debugger` (no subcommand): the TUI.

With `--sandbox` the embedded sandbox's demo account fills the credentials, so a first run shows a
full round trip with no WebEngage account. The sandbox's socket is bound here (its port is known at
once, and a send before the server is up waits in the backlog); the server starts
in its own thread right after the first paint (importing it costs more than the whole first screen).
Without `--sandbox` the credentials come from the saved profile and the environment; when there are
none the app offers the sandbox. `--listen [PORT]` and `--relay [PORT]` start the listener and the
relay inside the app, after the first paint, reporting to its Live tab (tui/ui/live_control.py).
"""

from __future__ import annotations

import argparse
import socket


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`--sandbox`, `--listen` and `--relay` are parsed by tui/cli/__init__.py itself (they apply
    with no subcommand)."""


def listening_socket(host: str = "127.0.0.1") -> socket.socket:
    """Bound and listening at once (cheap): the sandbox's port goes into the connection before
    the first paint, and a request sent before its server is up waits in the backlog."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    sock.listen(128)
    return sock


def run(args: argparse.Namespace) -> int:
    from tui.ui.startup import pause_gc

    pause_gc()  # resumed after the first paint (see tui/ui/startup.py)
    from tui.store.settings import AppSettings
    from tui.ui.app import create_app
    from tui.ui.sandbox_control import sandbox_connection

    settings = AppSettings()
    if getattr(args, "sandbox", False):
        sock = listening_socket()
        port = sock.getsockname()[1]
        app = create_app(settings, connection=sandbox_connection(f"http://127.0.0.1:{port}"))
        app.deferred_sandbox = sock
    else:
        app = create_app(settings)
    app.live_start = (getattr(args, "listen", None), getattr(args, "relay", None))
    app.defer_hidden_panels = True
    app.run()
    return app.return_code or 0
