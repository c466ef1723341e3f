"""`webengage-debugger send FILE`: deliver each event and say what became of it, in plain words.

Every event is previewed first (the same `preview_event` as `preview` and the TUI); findings of
severity error stop the send (exit 1) unless `--force`. Each delivery is written to the history,
so the TUI's delivery log shows CLI sends too. The API key comes from WEBENGAGE_API_KEY or a
profile, never from the command line; a key that cannot go in a header (a space, a line break) is
exit 2 before anything is sent. Human output shows control characters escaped (`visible`): an event
name or a server's message cannot drive the terminal; `--json` is exact JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from tui import exit_codes
from tui.cli import byte_count, detach_stdout, seconds, whole_number
from tui.delivery.service import DeliveryService, refusal
from tui.mapping.blueprint import (
    MAX_BYTES,
    Blueprint,
    BlueprintError,
    default_blueprint,
    load_blueprint,
    size_text,
)
from tui.mapping.preview import Preview, preview_event
from tui.mapping.signal import InputError, read_events
from tui.safe_text import visible
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
from tui.webengage.request import Connection, json_text

PROG = "webengage-debugger send"

EPILOG = """\
credentials:
  WEBENGAGE_API_KEY       the REST API key (never accepted as an argument)
  WEBENGAGE_LICENSE_CODE  the license code (--license wins)
  WEBENGAGE_DATA_CENTRE   global | in | ksa (--data-centre wins)
  WEBENGAGE_HOST          a custom API host (--host wins)
  otherwise the named (--profile) or default saved profile fills them in.

exit codes (for several events, the highest one):
  0 accepted   1 findings of severity error (nothing sent)
  2 unreadable input, missing or unusable credentials, or bad arguments (nothing sent)
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
        help="a JSON file (- for standard input): one Signal event, an array of them, or NDJSON",
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
        "--timeout", metavar="SECONDS", type=seconds, default=10.0, help="per attempt (default 10)"
    )
    parser.add_argument(
        "--attempts",
        metavar="N",
        type=whole_number(1, 20),
        default=RetryPolicy().max_attempts,
        help="tries per delivery on 429, 5xx and network errors, 1 to 20 (default %(default)s; "
        "1 = no retry)",
    )
    parser.add_argument(
        "--max-bytes",
        metavar="N",
        type=byte_count,
        default=MAX_BYTES,
        help=f"read at most N bytes of FILE (128M, 1G: default {size_text(MAX_BYTES)})",
    )


def _fail(message: str) -> int:
    _warn(message)
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
            print(visible(prefix + finding.line(), one_line=True), file=sys.stderr)


def _one(text: object) -> str:
    """Untrusted text (an event name, a URL, a server's message) on one line, escapes shown."""
    return visible(str(text), one_line=True)


def _plain(entry: LogEntry, label: str, *, with_hint: bool = True) -> str:
    attempts = len(entry.attempts)
    latency = f"{entry.latency_ms:.0f} ms" if entry.latency_ms is not None else "no response"
    status = f" ({entry.status})" if entry.status is not None else ""
    outcome = entry.outcome.value if entry.outcome else "cut off"
    lines = [
        f"{_one(label)}: {outcome}{status} in {latency}, "
        f"{attempts} attempt{'s' if attempts != 1 else ''} -> {_one(entry.request.url)}"
    ]
    for attempt in entry.attempts if attempts > 1 else []:
        what = attempt.status if attempt.status is not None else _one(attempt.error)
        wait = f", waited {attempt.backoff_s:g} s" if attempt.backoff_s else ""
        lines.append(f"  attempt {attempt.number}: {what}{wait}")
    if entry.hint is not None and with_hint:
        hint = entry.hint
        lines += [f"  {_one(hint.title)}", f"  {_one(hint.detail)}", f"  Fix: {_one(hint.fix)}"]
    return "\n".join(lines)


def _warn(message: str) -> None:
    print(_one(f"{PROG}: {message}"), file=sys.stderr)


def _recorder(settings: AppSettings) -> Recorder:
    """History and type memory, best effort: a broken database must not stop a send."""
    return Recorder.open(settings.history_path, on_error=_warn)


async def _send(
    connection: Connection, previews: list[Preview], args: argparse.Namespace, recorder: Recorder
) -> list[LogEntry]:
    source = str(args.file)
    service = DeliveryService(
        retry=RetryPolicy(max_attempts=args.attempts),
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
        shown = summaries[0] if len(summaries) == 1 else summaries
        print(json_text(shown, indent=2, default=str))
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
        events = read_events(args.file, max_bytes=args.max_bytes)
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
        print(json_text(shown[0] if len(shown) == 1 else shown, indent=2))
        erroneous = not args.force and any(p.has_errors for p in previews)
        return exit_codes.FINDINGS if erroneous else exit_codes.OK
    refused = next(
        (r for p in previews if (r := refusal(connection, p, forced=args.force)) is not None), None
    )
    if refused is not None and refused.reason == "missing_credentials":
        recorder.close()
        return _fail("missing " + refused.detail)
    if (key_problem := connection.key_problem()) is not None:  # before anything is sent
        recorder.close()
        return _fail(key_problem)
    if refused is not None:
        recorder.close()
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
        detach_stdout()
    codes = [entry.outcome.exit_code if entry.outcome else exit_codes.NETWORK for entry in entries]
    return max(codes, default=exit_codes.OK)
