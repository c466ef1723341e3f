"""`webengage-debugger serve`: the TUI as a web page on localhost (textual-serve).

For the PM on a projector, or anyone without a good terminal: each browser tab gets its own TUI
process (`python -m tui [--sandbox]`), run by textual-serve and drawn by xterm.js in the page.
The TUI can hold a REST API key, so the page is guarded (`serve_guard.py`): a token per run, in
the printed URL, for the page and its websocket; the websocket only from the served origin; at most
`--max-sessions` at once. Loopback only, unless `--allow-remote` says otherwise (the token still
applies).
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 4


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`--host`, `--port`, `--allow-remote`, `--max-sessions`, and `--sandbox` (which each served
    TUI passes on)."""
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; anything but loopback needs "
        "--allow-remote)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other machines can reach (plain HTTP; the printed token still applies)",
    )
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=DEFAULT_MAX_SESSIONS,
        metavar="N",
        help=f"browser sessions open at once, each a TUI process (default {DEFAULT_MAX_SESSIONS})",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        dest="serve_sandbox",
        help="serve the TUI wired to an embedded sandbox with demo credentials",
    )


def tui_command(*, sandbox: bool) -> str:
    """The shell command textual-serve runs for each browser session: this same interpreter."""
    command = f"{shlex.quote(sys.executable)} -m tui"
    return f"{command} --sandbox" if sandbox else command


def serve_url(host: str, port: int) -> str:
    """The address to open; an IPv6 literal needs brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_unspecified(host: str) -> bool:
    """0.0.0.0 or ::, every address: the page must name the one its websocket goes back to."""
    try:
        return host == "" or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the options themselves (exit 2), or None."""
    port: int = args.port
    host: str = args.host
    max_sessions: int = getattr(args, "max_sessions", DEFAULT_MAX_SESSIONS)
    if not 0 < port < 65536:
        return f"--port must be between 1 and 65535, not {port}"
    if max_sessions < 1:
        return f"--max-sessions must be at least 1, not {max_sessions}"
    if is_loopback(host):
        return None
    if not getattr(args, "allow_remote", False):
        return (
            f"{host} is not a loopback address, and the served TUI holds your REST API key; "
            "to listen where other machines can reach it, add --allow-remote"
        )
    if is_unspecified(host):
        return (
            f"--host {host or repr(host)} listens on every address, but the page must name the one "
            "browsers open; pass that address (e.g. --host 192.168.1.20)"
        )
    return None


def cannot_bind(host: str, port: int) -> str | None:
    """Why `host:port` can't be listened on, or None. Checked first so that a port in use is one
    clear line, not textual-serve's banner followed by aiohttp's traceback-ish message."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return f"unknown host {host!r} ({error.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as error:
            return error.strerror or str(error)
    return None


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl+C. Exit 2 for bad options (a port out of range, a remote host without
    --allow-remote), 1 when the address can't be bound."""
    port: int = args.port
    host: str = args.host
    usage = usage_problem(args)
    if usage is not None:
        print(f"serve: {usage}", file=sys.stderr)
        return 2
    # `webengage-debugger --sandbox serve` and `serve --sandbox` both mean the sandbox.
    sandbox = bool(getattr(args, "serve_sandbox", False) or getattr(args, "sandbox", False))

    problem = cannot_bind(host, port)
    if problem is not None:
        print(f"serve: cannot listen on {host}:{port}: {problem}", file=sys.stderr)
        return 1
    if not is_loopback(host):
        print(
            f"serve: warning: {host} is reachable from other machines, over plain HTTP, and the "
            "served TUI holds your credentials; anyone who has the printed URL (its token) can "
            "send with them.",
            file=sys.stderr,
        )

    # Imported late: the other commands don't need aiohttp or textual-serve.
    from tui.cli.serve_guard import GuardedServer

    title = "webengage-debugger" + (" (sandbox)" if sandbox else "")
    server = GuardedServer(
        tui_command(sandbox=sandbox),
        host=host,
        port=port,
        title=title,
        public_url=serve_url(host, port),
        max_sessions=getattr(args, "max_sessions", DEFAULT_MAX_SESSIONS),
        # Printed once listening; the only place the token appears.
        announce="Serving the webengage-debugger TUI at {url}  (Ctrl+C to stop)",
    )
    try:
        server.serve()
    except OSError as error:
        print(f"serve: cannot listen on {host}:{port}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0
