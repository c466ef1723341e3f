"""`webengage-debugger send FILE`: deliver each event and say what became of it, in plain words.

Every event is previewed first (the same `preview_event` as `preview` and the TUI); findings of
severity error stop the send (exit 1) unless `--force`. Each delivery is written to the history,
so the TUI's delivery log shows CLI sends too. The API key comes from WEBENGAGE_API_KEY or a
profile, never from the command line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from tui import exit_codes
from tui.delivery.service import DeliveryService, refusal
from tui.mapping.blueprint import Blueprint, BlueprintError, default_blueprint, load_blueprint
from tui.mapping.preview import Preview, preview_event
from tui.mapping.signal import InputError, read_events
from tui.store.profiles import (
    InvalidDataCentre,
    ProfileError,
    parse_data_centre,
    resolve_connection,
)
from tui.store.recorder import Recorder
from tui.store.settings import AppSettings
from tui.webengage.api import DataCentre
from tui.webengage.client import RetryPolicy
from tui.webengage.entry import LogEntry
from tui.webengage.pacing import PaceLimits
from tui.webengage.request import Connection

PROG = "webengage-debugger send"

EPILOG = """\
credentials:
  WEBENGAGE_API_KEY       the REST API key (never accepted as an argument)
  WEBENGAGE_LICENSE_CODE  the license code (--license wins)
  WEBENGAGE_DATA_CENTRE   global | in | ksa (--data-centre wins)
  WEBENGAGE_HOST          a custom API host (--host wins)
  otherwise the named (--profile) or default saved profile fills them in.

exit codes (for several events, the highest one):
  0 accepted   1 findings of severity error (nothing sent)   2 unreadable input or missing credentials
  3 auth (401/403)   4 not found (404)   5 other 400   6 rate limited after retries
  7 network   8 server error after retries   9 a 2xx that was not WebEngage's answer

testing and demos:
  WEBENGAGE_ROUTE_TO=http://127.0.0.1:PORT sends to a local sandbox
  (`webengage-debugger sandbox`) while keeping the real Host header, so a
  wrong data centre still fails the way WebEngage's does.
"""


def _data_centre(value: str) -> DataCentre:
    try:
        return parse_data_centre(value, "--data-centre")
    except InvalidDataCentre as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument(
        "file",
        metavar="FILE",
        type=Path,
        help="a JSON file: one Signal event, an array of them, or one per line (NDJSON)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--data-centre",
        metavar="global|in|ksa",
        type=_data_centre,
        help="the account's data centre (your dashboard URL tells which)",
    )
    where.add_argument("--host", metavar="URL", help="a custom API host instead of a data centre")
    parser.add_argument("--license", metavar="CODE", help="the account's license code")
    parser.add_argument(
        "--profile", metavar="NAME", help="a saved profile (default: the default one)"
    )
    parser.add_argument(
        "--blueprint", metavar="FILE", type=Path, help="a blueprint TOML file (default: Default)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the requests that would be sent; send nothing"
    )
    parser.add_argument("--json", action="store_true", help="print each log entry as JSON")
    parser.add_argument(
        "--force", action="store_true", help="send even when findings say WebEngage will reject it"
    )
    parser.add_argument(
        "--bulk",
        action="store_true",
        help="send through /bulk-events (/bulk-users), 25 per call, paced under 500 calls a minute",
    )
    parser.add_argument(
        "--timeout", metavar="SECONDS", type=float, default=10.0, help="per attempt (default 10)"
    )
    parser.add_argument(
        "--attempts",
        metavar="N",
        type=int,
        default=RetryPolicy().max_attempts,
        help="tries per delivery on 429, 5xx and network errors (default %(default)s; 1 = no retry)",
    )


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return exit_codes.UNREADABLE_INPUT


def _connection(args: argparse.Namespace) -> Connection:
    connection = resolve_connection(AppSettings(), profile=args.profile)
    updates: dict[str, Any] = {}
    if args.license:
        updates["license_code"] = args.license.strip()
    if args.host:
        updates |= {"data_centre": None, "custom_host": args.host.strip()}
    elif args.data_centre is not None:
        updates |= {"data_centre": args.data_centre, "custom_host": None}
    return connection.model_copy(update=updates) if updates else connection


def _findings_to_stderr(previews: list[Preview]) -> None:
    several = len(previews) > 1
    for index, preview in enumerate(previews, start=1):
        for finding in preview.findings:
            prefix = f"event {index}: " if several else ""
            print(prefix + finding.line(), file=sys.stderr)


def _plain(entry: LogEntry, label: str, *, with_hint: bool = True) -> str:
    attempts = len(entry.attempts)
    latency = f"{entry.latency_ms:.0f} ms" if entry.latency_ms is not None else "no response"
    status = f" ({entry.status})" if entry.status is not None else ""
    outcome = entry.outcome.value if entry.outcome else "cut off"
    lines = [
        f"{label}: {outcome}{status} in {latency}, {attempts} attempt{'s' if attempts != 1 else ''}"
        f" -> {entry.request.url}"
    ]
    for attempt in entry.attempts if attempts > 1 else []:
        what = attempt.status if attempt.status is not None else attempt.error
        wait = f", waited {attempt.backoff_s:g} s" if attempt.backoff_s else ""
        lines.append(f"  attempt {attempt.number}: {what}{wait}")
    if entry.hint is not None and with_hint:
        lines.extend(f"  {line}" for line in entry.hint.text().splitlines())
    return "\n".join(lines)


def _warn(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def _recorder(settings: AppSettings) -> Recorder:
    """History and type memory, best effort: a broken database must not stop a send."""
    return Recorder.open(settings.history_path, on_error=_warn)


async def _send(
    connection: Connection, previews: list[Preview], args: argparse.Namespace, recorder: Recorder
) -> list[LogEntry]:
    source = str(args.file)
    service = DeliveryService(
        retry=RetryPolicy(max_attempts=max(1, min(args.attempts, 20))),
        timeout_s=args.timeout,
        recorder=recorder,
    )
    try:
        if args.bulk:
            report = await service.replay(
                connection,
                previews,
                bulk=True,
                limits=PaceLimits(calls=500, window_s=60.0),
                source=source,
            )
            return report.entries
        return [
            await service.deliver_preview(
                connection, preview, forced=preview.has_errors, source=source
            )
            for preview in previews
        ]
    finally:
        await service.aclose()


def _print_entries(entries: list[LogEntry], *, as_json: bool) -> None:
    if as_json:
        summaries = [entry.summary() for entry in entries]
        print(json.dumps(summaries[0] if len(summaries) == 1 else summaries, indent=2, default=str))
        return
    several = len(entries) > 1
    hinted: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        name = entry.event_name or "event"
        label = f"{index}. {name}" if several else name
        # Several events with the same verdict: the hint once, not once per event.
        title = entry.hint.title if entry.hint else ""
        print(_plain(entry, label, with_hint=title not in hinted), flush=True)
        hinted.add(title)


def run(args: argparse.Namespace) -> int:
    try:
        blueprint: Blueprint = (
            load_blueprint(args.blueprint) if args.blueprint else default_blueprint()
        )
        events = read_events(args.file)
    except (InputError, BlueprintError) as error:
        return _fail(str(error))
    if not events:
        return _fail(f"{args.file}: no events (an empty array)")
    try:
        connection = _connection(args)
    except ProfileError as error:
        return _fail(str(error))

    recorder = _recorder(AppSettings())
    known = recorder.known_types(connection.license_code)
    previews = [preview_event(raw, connection, blueprint, known_types=known) for raw in events]
    _findings_to_stderr(previews)
    if args.dry_run:  # a preview: the findings decide, credentials are not needed
        recorder.close()
        shown = [p.request.preview_dict() for p in previews]
        print(json.dumps(shown[0] if len(shown) == 1 else shown, ensure_ascii=False, indent=2))
        erroneous = not args.force and any(p.has_errors for p in previews)
        return exit_codes.FINDINGS if erroneous else exit_codes.OK
    refused = next(
        (r for p in previews if (r := refusal(connection, p, forced=args.force)) is not None), None
    )
    if refused is not None:
        recorder.close()
        if refused.reason == "missing_credentials":
            return _fail("missing " + refused.detail)
        print(
            f"{PROG}: nothing sent: findings of severity error (fix them, or --force to send anyway)",
            file=sys.stderr,
        )
        return exit_codes.FINDINGS

    try:
        entries = asyncio.run(_send(connection, previews, args, recorder))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; what was sent is in the history", file=sys.stderr)
        return exit_codes.INTERRUPTED
    try:
        _print_entries(entries, as_json=args.json)
    except BrokenPipeError:  # `send FILE | head`: the reader left, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    codes = [entry.outcome.exit_code if entry.outcome else exit_codes.NETWORK for entry in entries]
    return max(codes, default=exit_codes.OK)
