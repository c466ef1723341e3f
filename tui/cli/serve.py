"""`webengage-debugger serve`: the TUI as a web page on localhost (textual-serve).

For the PM on a projector, or anyone without a good terminal: each browser tab gets its own TUI
process (`python -m tui [--sandbox]`), run by textual-serve and drawn by xterm.js in the page.
Binds to loopback by default: the TUI can hold a REST API key, so exposing it is an explicit choice.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`--host`, `--port`, and `--sandbox` (which each served TUI passes on)."""
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; anything else exposes the TUI)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
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
    """Serve until Ctrl+C. Exit 2 for a port out of range, 1 when the address can't be bound."""
    port: int = args.port
    host: str = args.host
    if not 0 < port < 65536:
        print(f"serve: --port must be between 1 and 65535, not {port}", file=sys.stderr)
        return 2
    # `webengage-debugger --sandbox serve` and `serve --sandbox` both mean the sandbox.
    sandbox = bool(getattr(args, "serve_sandbox", False) or getattr(args, "sandbox", False))

    problem = cannot_bind(host, port)
    if problem is not None:
        print(f"serve: cannot listen on {host}:{port}: {problem}", file=sys.stderr)
        return 1
    if not is_loopback(host):
        print(
            f"serve: warning: {host} is reachable from other machines, and the served TUI holds "
            "your credentials; anyone who can open the page can send with them.",
            file=sys.stderr,
        )

    from textual_serve.server import Server  # imported late: the other commands don't need aiohttp

    url = serve_url(host, port)
    title = "webengage-debugger" + (" (sandbox)" if sandbox else "")
    server = Server(tui_command(sandbox=sandbox), host=host, port=port, title=title, public_url=url)
    print(f"Serving the webengage-debugger TUI at {url}  (Ctrl+C to stop)", flush=True)
    try:
        server.serve()
    except OSError as error:
        print(f"serve: cannot listen on {host}:{port}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0
