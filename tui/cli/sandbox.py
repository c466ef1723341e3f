"""`webengage-debugger sandbox`: a WebEngage-compatible server on loopback, in the foreground.

For demos without an account and for pointing curl or the app at something that answers like
WebEngage. `--api-key` is the one place a key may come from argv: it is the sandbox's own fake key.
The `/sandbox/*` control endpoints need this run's admin token (random, printed in the banner;
or `$WEBENGAGE_SANDBOX_ADMIN_TOKEN`, then not printed). Each request's log line shows the path
with control characters escaped: it is the client's text, and must not steer the terminal.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import threading
from types import FrameType

from pydantic import SecretStr, ValidationError

from tui.safe_text import visible
from tui.sandbox import (
    DEFAULT_CLI_PORT,
    DEMO_API_KEY,
    DEMO_LICENSE_CODE,
    RequestRecord,
    Sandbox,
    SandboxAccount,
    SandboxConfig,
    SandboxError,
)
from tui.sandbox.models import ADMIN_TOKEN_HEADER, KEEP_EVENTS, READ_TIMEOUT_S
from tui.webengage.api import BULK_CALLS_PER_MINUTE, CALLS_PER_MINUTE, DataCentre

SANDBOX_KEY_ENV = "WEBENGAGE_SANDBOX_API_KEY"
SANDBOX_TOKEN_ENV = "WEBENGAGE_SANDBOX_ADMIN_TOKEN"
EXAMPLE_BODY = '{"userId":"johndoe","eventName":"Order Completed","eventData":{"amount":39.8}}'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_CLI_PORT,
        help=f"port on 127.0.0.1 (default {DEFAULT_CLI_PORT}; 0 = any free port)",
    )
    parser.add_argument(
        "--license",
        dest="license_code",
        default=DEMO_LICENSE_CODE,
        metavar="CODE",
        help=f"the account's license code (default {DEMO_LICENSE_CODE})",
    )
    parser.add_argument(
        "--api-key",
        metavar="KEY",
        help=f"the sandbox account's REST API key (default: ${SANDBOX_KEY_ENV}, else the demo key)",
    )
    parser.add_argument(
        "--data-centre",
        choices=[dc.value for dc in DataCentre],
        default=DataCentre.GLOBAL.value,
        help="the data centre the account lives in; requests with another one's Host get 401",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=CALLS_PER_MINUTE,
        metavar="N",
        help=f"requests per window on /events and on /users (default {CALLS_PER_MINUTE})",
    )
    parser.add_argument(
        "--bulk-rate-limit",
        type=int,
        default=BULK_CALLS_PER_MINUTE,
        metavar="N",
        help=f"requests per window on the bulk endpoints (default {BULK_CALLS_PER_MINUTE})",
    )
    parser.add_argument(
        "--window",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="the rate-limit window (default 60)",
    )
    _add_bounds(parser)


def _add_bounds(parser: argparse.ArgumentParser) -> None:
    """What bounds a long-running sandbox: the events it keeps, the time a connection may stall."""
    parser.add_argument(
        "--keep",
        type=int,
        default=KEEP_EVENTS,
        metavar="N",
        help=f"keep the newest N accepted requests for /sandbox/events (default {KEEP_EVENTS:,})",
    )
    parser.add_argument(
        "--read-timeout",
        type=float,
        default=READ_TIMEOUT_S,
        metavar="SECONDS",
        help="close a connection idle or half-sent this long; 408 a body slower than this "
        f"(default {READ_TIMEOUT_S:g})",
    )


def build_config(args: argparse.Namespace) -> SandboxConfig:
    """The sandbox's config from the options (ValidationError on nonsense such as --rate-limit 0)."""
    key = args.api_key or os.environ.get(SANDBOX_KEY_ENV) or DEMO_API_KEY
    token = os.environ.get(SANDBOX_TOKEN_ENV)
    account = SandboxAccount(
        license_code=args.license_code,
        api_key=SecretStr(key),
        data_centre=DataCentre(args.data_centre),
    )
    return SandboxConfig(
        accounts=(account,),
        port=args.port,
        rate_limit=args.rate_limit,
        bulk_rate_limit=args.bulk_rate_limit,
        window_s=args.window,
        keep_events=args.keep,
        read_timeout_s=args.read_timeout,
        admin_token=SecretStr(token) if token else None,
    )


def banner(sandbox: Sandbox) -> str:
    """How to use the running sandbox: its URL, the account, a curl line, the app's env vars."""
    account = sandbox.config.accounts[0]
    key = account.api_key.get_secret_value()
    # The demo key is public (it is in the source); a key the user chose is never printed.
    public = key == DEMO_API_KEY
    key_line = key if public else f"(yours, not printed; the examples read ${SANDBOX_KEY_ENV})"
    env_key = shlex.quote(key) if public else f"${SANDBOX_KEY_ENV}"
    auth_header = (
        shlex.quote(f"Authorization: Bearer {key}")
        if public
        else f'"Authorization: Bearer ${SANDBOX_KEY_ENV}"'
    )
    path = f"/v1/accounts/{account.license_code}/events"
    dc = account.data_centre
    # The admin token is per run and random, so it is printed; one the user chose is not.
    own_token = sandbox.config.admin_token is not None
    token_line = (
        f"(yours, not printed; the examples read ${SANDBOX_TOKEN_ENV})"
        if own_token
        else sandbox.admin_token
    )
    token_header = (
        f'"{ADMIN_TOKEN_HEADER}: ${SANDBOX_TOKEN_ENV}"'
        if own_token
        else shlex.quote(f"{ADMIN_TOKEN_HEADER}: {sandbox.admin_token}")
    )
    return "\n".join(
        [
            f"WebEngage sandbox listening on {sandbox.url}",
            f"  account: license code {account.license_code}, data centre {dc.label} ({dc.api_host})",
            f"  API key: {key_line}",
            f"  rate limit: {sandbox.config.rate_limit} per {sandbox.config.window_s:g} s "
            f"(bulk {sandbox.config.bulk_rate_limit})",
            "",
            "Try it with curl (the Host header picks the data centre, as on WebEngage):",
            f"  curl -sS -X POST {shlex.quote(sandbox.url + path)} \\",
            f"    -H {shlex.quote('Host: ' + dc.api_host)} \\",
            f"    -H {auth_header} \\",
            "    -H 'Content-Type: application/json' \\",
            f"    --data-raw {shlex.quote(EXAMPLE_BODY)}",
            "",
            "Point the app at it:",
            f"  WEBENGAGE_HOST={sandbox.url} WEBENGAGE_LICENSE_CODE={shlex.quote(account.license_code)} "
            f"WEBENGAGE_API_KEY={env_key} "
            "webengage-debugger send FILE",
            "  (or `webengage-debugger --sandbox` for a TUI with its own embedded sandbox)",
            "",
            f"Inspect and steer it: /sandbox/events, /sandbox/faults, /sandbox/reset, with this "
            f"run's admin token in {ADMIN_TOKEN_HEADER}",
            f"  admin token: {token_line}",
            f"  curl -sS {shlex.quote(sandbox.url + '/sandbox/events')} -H {token_header}",
            f"  curl -sS -X POST {shlex.quote(sandbox.url + '/sandbox/faults')} -H {token_header} "
            """--data-raw '{"kind":"server_error","times":2}'""",
            "",
            "Ctrl-C stops it. Requests:",
        ]
    )


def format_record(record: RequestRecord) -> str:
    """One log line: method, path, status, latency (the key is never in a RequestRecord).

    The method and path are the client's text (aiohttp decodes `%1b` in a path to ESC): each
    control character and bidi override is shown as its escape, never sent to the terminal."""
    if record.status is not None:
        status = str(record.status)
    else:
        status = "reset" if record.note == "reset" else "-"
    shown = record.note and record.note != "reset"
    note = f"  ({visible(record.note, one_line=True)})" if shown else ""
    method = visible(record.method, one_line=True)
    path = visible(record.path, one_line=True)
    return f"{method:6} {path}  {status}  {record.latency_ms:.1f} ms{note}"


def print_record(record: RequestRecord) -> None:
    """The request log's sink (called from the server's thread)."""
    print(format_record(record), flush=True)


def run(args: argparse.Namespace) -> int:
    try:
        config = build_config(args)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        print(f"webengage-debugger sandbox: invalid option: {problems}", file=sys.stderr)
        return 2

    stopping = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    # Handlers first: a Ctrl-C or SIGTERM that lands while starting still stops cleanly.
    previous = signal.signal(signal.SIGTERM, on_term)
    sandbox = Sandbox(config, on_request=print_record)
    try:
        try:
            sandbox.start()
        except SandboxError as exc:
            print(f"webengage-debugger sandbox: {exc}", file=sys.stderr)
            return 2
        print(banner(sandbox), flush=True)
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sandbox.stop()
    print("sandbox stopped", flush=True)
    return 0
