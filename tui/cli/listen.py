"""`webengage-debugger listen`: a collector real SDKs can point at, in the foreground.

Point a Segment or RudderStack SDK's host (analytics.js's `apiHost`, RudderStack's
`dataPlaneUrl`) at the listener: each event is previewed at once (what WebEngage would receive,
with its findings) and, with `--forward`, delivered to the configured account (a profile, the
environment, or `--sandbox`) through the delivery service, with its outcome and hint. One line
per event on stdout (with `--json`, one JSON object per line); the banner, refused requests and
warnings go to stderr. The SDK's write key is accepted whatever it is and never shown in full.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from pydantic import SecretStr

from tui import exit_codes
from tui.cli import seconds, whole_number
from tui.live.collector_http import RefusedRequest
from tui.live.listen import DEFAULT_PORT, ListenConfig, Listener, ListenerError
from tui.live.received import Received
from tui.mapping.blueprint import BlueprintError, default_blueprint, load_blueprint
from tui.safe_text import visible
from tui.store.profiles import ProfileError, missing_credentials, resolve_connection
from tui.store.settings import AppSettings
from tui.webengage.api import DataCentre
from tui.webengage.request import Connection, json_text

if TYPE_CHECKING:
    from tui.sandbox import Sandbox

PROG = "webengage-debugger listen"


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
        "--allow-remote", action="store_true", help="listen on an address other than loopback"
    )
    parser.add_argument(
        "--allow-origin",
        metavar="ORIGIN",
        nargs="+",
        action="extend",
        default=[],
        help="web pages allowed to send (CORS), e.g. http://localhost:3000; a request from any "
        "other page is refused (403); SDKs on a server and curl send no Origin and are accepted",
    )
    parser.add_argument(
        "--forward",
        action="store_true",
        help="deliver each event to WebEngage (the profile or the environment's account)",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="forward to an embedded sandbox's demo account instead (implies --forward)",
    )
    parser.add_argument(
        "--force", action="store_true", help="forward events with findings of severity error too"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per event, per line")
    parser.add_argument(
        "--blueprint", metavar="FILE", type=Path, help="a blueprint TOML file (default: Default)"
    )
    parser.add_argument(
        "--profile", metavar="NAME", help="a saved profile (default: the default one)"
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for WebEngage's answer, per attempt (default 10)",
    )


def _one(text: object) -> str:
    return visible(str(text), one_line=True)


def format_received(item: Received, *, forwarding: bool) -> str:
    """One line: time, Signal event → WebEngage event, identity, errors and warnings, and (when
    forwarding) the outcome, with the hint's title when it was not accepted."""
    errors, warnings = item.errors, item.warnings
    counts = f"{errors} error{'s' if errors != 1 else ''}, "
    counts += f"{warnings} warning{'s' if warnings != 1 else ''}"
    parts = [
        item.at.astimezone().strftime("%H:%M:%S"),
        f"{item.signal_name} → {item.webengage_name}",
        item.identity,
        counts,
    ]
    if forwarding:
        outcome = item.outcome_label()
        entry = item.delivery
        if entry is not None and entry.latency_ms is not None:
            outcome += f" in {entry.latency_ms:.0f} ms"
        if entry is not None and entry.hint is not None and not item.accepted:
            outcome += f": {entry.hint.title}"
        parts.append(outcome)
    return _one("  ".join(parts))


FLUSH_S = 0.05


class _Sink:
    """Prints each event once it is final (from the listener's thread); a reader that left
    (`| head`) stops the listener. Lines are flushed every FLUSH_S by a thread of their own, not
    one write per event (at a thousand events a second, each write costs the listener's loop)."""

    def __init__(self, as_json: bool, forwarding: bool, stopping: threading.Event) -> None:
        self.as_json = as_json
        self.forwarding = forwarding
        self.stopping = stopping
        self.lock = threading.Lock()
        self.unflushed = False
        threading.Thread(
            target=self._flush_until_stopped, name="listen-stdout", daemon=True
        ).start()

    def __call__(self, item: Received) -> None:
        if not item.final:
            return
        if self.as_json:
            line = json_text(item.record(), separators=(",", ":"), default=str)
        else:
            line = format_received(item, forwarding=self.forwarding)
        try:
            with self.lock:
                sys.stdout.write(line + "\n")
                self.unflushed = True
        except (BrokenPipeError, ValueError):  # `| head` left, or stdout is closed
            self.stopping.set()

    def flush(self) -> None:
        try:
            with self.lock:
                if self.unflushed:
                    self.unflushed = False
                    sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            self.stopping.set()

    def _flush_until_stopped(self) -> None:
        while not self.stopping.wait(FLUSH_S):
            self.flush()


def _warn(message: str) -> None:
    print(_one(f"{PROG}: {message}"), file=sys.stderr, flush=True)


def _refused(refused: RefusedRequest) -> None:
    stamp = refused.at.astimezone().strftime("%H:%M:%S")
    print(f"{stamp}  {refused.line()}", file=sys.stderr, flush=True)


def _sandbox_connection(sandbox: Sandbox) -> Connection:
    from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE

    return Connection(
        data_centre=DataCentre.GLOBAL,
        license_code=DEMO_LICENSE_CODE,
        api_key=SecretStr(DEMO_API_KEY),
        route_to=sandbox.url,
    )


def banner(listener: Listener, target: str, origins: list[str]) -> str:
    """How to point the SDKs at the running listener."""
    url = listener.url
    host = url.removeprefix("http://")
    allowed = ", ".join(origins) if origins else "none (requests from web pages are refused)"
    return "\n".join(
        [
            f"Listening on {url} for Segment / RudderStack calls; {target}",
            f"  web pages allowed (CORS): {allowed}",
            f"  received events are recorded in {listener.history_path}",
            "",
            "Point an SDK at it (the write key can be anything):",
            f'  Python:        Client("any-key", host="{url}")   (segment.analytics / rudderstack)',
            f"  analytics.js:  integrations: {{'Segment.io': {{apiHost: '{host}/v1', protocol: 'http'}}}}",
            f"  RudderStack:   rudderanalytics.load('any-key', '{url}')",
            f"  curl:          curl -sS {url}/v1/track -H 'Content-Type: application/json' \\",
            '                   -d \'{"event":"Order Completed","userId":"u1"}\'',
            "",
            "Ctrl-C stops it. Events:",
        ]
    )


def _config(args: argparse.Namespace, sandbox: Sandbox | None) -> tuple[ListenConfig, str]:
    """The listener's configuration and where events go, in words; ProfileError or ValueError
    (with the message to print) when forwarding cannot work."""
    blueprint = load_blueprint(args.blueprint) if args.blueprint else default_blueprint()
    settings = AppSettings()
    if sandbox is not None:
        connection = _sandbox_connection(sandbox)
    elif args.forward:
        connection = resolve_connection(settings, profile=args.profile)
    else:
        connection = resolve_connection(settings, profile=args.profile, lenient=True)
    forward = args.forward or sandbox is not None
    if forward:
        missing = missing_credentials(connection)
        if missing:
            raise ValueError("--forward needs credentials: missing " + "; ".join(missing))
        if (problem := connection.key_problem()) is not None:
            raise ValueError(problem)
    if sandbox is not None:
        target = f"forwarding to the sandbox at {sandbox.url} (demo account)"
    elif forward:
        target = f"forwarding to {connection.host} (license {connection.license_code})"
    else:
        target = "preview only (--forward delivers them)"
    config = ListenConfig(
        host=args.host,
        port=args.port,
        allow_remote=args.allow_remote,
        allow_origins=tuple(args.allow_origin),
        forward_to=connection if forward else None,
        preview_connection=connection,
        force=args.force,
        blueprint=blueprint,
        timeout_s=args.timeout,
    )
    return config, target


def _start(
    args: argparse.Namespace, stopping: threading.Event
) -> tuple[Listener, Sandbox | None, _Sink]:
    sandbox: Sandbox | None = None
    if args.sandbox:
        from tui.sandbox import Sandbox

        sandbox = Sandbox()
        sandbox.start()
    try:
        config, target = _config(args, sandbox)
        sink = _Sink(args.json, config.forward_to is not None, stopping)
        listener = Listener(config, on_event=sink, on_refused=_refused, on_error=_warn)
        listener.start()
    except BaseException:
        if sandbox is not None:
            sandbox.stop()
        raise
    print(banner(listener, target, list(args.allow_origin)), file=sys.stderr, flush=True)
    return listener, sandbox, sink


def run(args: argparse.Namespace) -> int:
    stopping = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = signal.signal(signal.SIGTERM, on_term)
    listener: Listener | None = None
    sandbox: Sandbox | None = None
    sink: _Sink | None = None
    try:
        try:
            listener, sandbox, sink = _start(args, stopping)
        except (ListenerError, ProfileError, BlueprintError, ValueError) as error:
            _warn(str(error))
            return exit_codes.UNREADABLE_INPUT
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        return exit_codes.INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
        if listener is not None:
            listener.stop()  # the last events are reported as it stops
            if sink is not None:
                sink.flush()
            print("listener stopped", file=sys.stderr, flush=True)
        if sandbox is not None:
            sandbox.stop()
    return exit_codes.OK
