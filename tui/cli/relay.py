"""`webengage-debugger relay`: a reverse proxy in front of WebEngage, in the foreground.

Set a server-side integration's WebEngage API host to the relay's URL: each call is checked
(findings on the body), forwarded once through the delivery service (recorded in the history,
the key never stored) to the data centre's API host or `--upstream` (the sandbox), and answered
with WebEngage's own status, body and rate-limit headers. One line per exchange on stdout (with
`--json`, one JSON object per line); the banner and warnings go to stderr.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from types import FrameType

from tui import exit_codes
from tui.cli import seconds, whole_number
from tui.live.exchange import Exchange, names_text
from tui.live.relay import DEFAULT_PORT, Relay, RelayConfig, RelayError
from tui.safe_text import visible
from tui.store.settings import AppSettings
from tui.webengage.api import DataCentre
from tui.webengage.request import json_text

PROG = "webengage-debugger relay"
EXAMPLE_BODY = '{"userId":"johndoe","eventName":"Order Completed","eventData":{"amount":39.8}}'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=whole_number(0, 65535),
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; 0 = any free port)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; anything but loopback needs --allow-remote)",
    )
    parser.add_argument(
        "--data-centre",
        choices=[dc.value for dc in DataCentre],
        default=DataCentre.GLOBAL.value,
        help="the data centre to forward to (default global); with --upstream, the Host header kept",
    )
    parser.add_argument(
        "--upstream",
        metavar="URL",
        help="forward here instead (e.g. the sandbox, http://127.0.0.1:8787), keeping the data "
        "centre's Host header",
    )
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per exchange, one per line"
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="listen on an address other than loopback (the relay carries real REST API keys)",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for WebEngage's answer (default 10)",
    )


def format_exchange(exchange: Exchange) -> str:
    """One line: time, method and endpoint, event name(s), outcome and status, latency, findings.
    All of it passes through `visible`: names and paths are the caller's text."""
    endpoint = exchange.endpoint
    where = f"/{endpoint.value}" if endpoint is not None else exchange.path
    outcome = exchange.outcome or "not forwarded"
    latency = f"{exchange.latency_ms:.0f} ms" if exchange.latency_ms is not None else "-"
    count = len(exchange.findings)
    if count:
        codes = ", ".join(dict.fromkeys(f.code or f.severity.value for f in exchange.findings))
        findings = f"{count} finding{'s' if count > 1 else ''} ({codes})"
    else:
        findings = "no findings"
    parts = [
        exchange.at.astimezone().strftime("%H:%M:%S"),
        f"{exchange.method} {where}",
        names_text(exchange.names) or "-",
        f"{outcome} {exchange.status}",
        latency,
        findings,
    ]
    return visible("  ".join(parts), one_line=True)


def banner(relay: Relay, history: str | None) -> str:
    """How to use the running relay: where it sends, how to point an integration at it."""
    config = relay.config
    dc = config.data_centre
    if config.upstream:
        target = f"{config.upstream} (Host: {dc.api_host}, {dc.label})"
    else:
        target = f"https://{dc.api_host} ({dc.label})"
    path = "/v1/accounts/$WEBENGAGE_LICENSE_CODE/events"
    recorded = f"recorded in {history}" if history else "not recorded"
    return "\n".join(
        [
            f"WebEngage relay listening on {relay.url}, forwarding to {target}",
            f"  each call is checked, sent once (never retried) and {recorded}; the key is never stored",
            "",
            f"Set your server-side integration's WebEngage API host to {relay.url}, or try it:",
            f'  curl -sS -X POST "{relay.url}{path}" \\',
            '    -H "Authorization: Bearer $WEBENGAGE_API_KEY" \\',
            "    -H 'Content-Type: application/json' \\",
            f"    --data-raw {shlex.quote(EXAMPLE_BODY)}",
            "",
            "Ctrl-C stops it. Exchanges:",
        ]
    )


class _Sink:
    """Prints each exchange (from the relay's thread); a reader that left stops the relay."""

    def __init__(self, as_json: bool, stopping: threading.Event) -> None:
        self.as_json = as_json
        self.stopping = stopping

    def __call__(self, exchange: Exchange) -> None:
        if self.as_json:
            line = json_text(exchange.record(), separators=(",", ":"), default=str)
        else:
            line = format_exchange(exchange)
        try:
            print(line, flush=True)
        except (BrokenPipeError, ValueError):  # `| head` left, or stdout is closed
            self.stopping.set()


def _warn(message: str) -> None:
    print(visible(f"{PROG}: {message}", one_line=True), file=sys.stderr, flush=True)


def _config(args: argparse.Namespace) -> RelayConfig:
    return RelayConfig(
        host=args.host,
        port=args.port,
        data_centre=DataCentre(args.data_centre),
        upstream=args.upstream,
        allow_remote=args.allow_remote,
        timeout_s=args.timeout,
    )


def run(args: argparse.Namespace) -> int:
    stopping = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = signal.signal(signal.SIGTERM, on_term)
    relay: Relay | None = None
    try:
        try:
            relay = Relay(_config(args), on_exchange=_Sink(args.json, stopping), on_error=_warn)
            relay.start()
        except RelayError as exc:
            _warn(str(exc))
            return exit_codes.UNREADABLE_INPUT
        print(banner(relay, str(AppSettings().history_path)), file=sys.stderr, flush=True)
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        return exit_codes.INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
        if relay is not None:
            relay.stop()
            print("relay stopped", file=sys.stderr, flush=True)
    return exit_codes.OK
