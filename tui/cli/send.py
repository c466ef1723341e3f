"""`webengage-debugger send FILE`: deliver each event and say what became of it, in plain words.

Every event is previewed first (the same `preview_event` as `preview` and the TUI; the file is
streamed twice, never held): findings of severity error stop the send (exit 1) unless `--force`.
Then it goes through the delivery service, paced (5,000 calls a minute, 500 bulk calls with
`--bulk`, checkpointed: `--resume`), each result printed in plan order and written to the history.
The API key comes from WEBENGAGE_API_KEY or a profile, never the command line; a key that cannot go
in a header is exit 2 before anything is sent. Human output shows control characters escaped
(`visible`); `--json` is exact JSON."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tui import exit_codes
from tui.cli import detach_stdout, seconds, whole_number
from tui.cli.preview import FILE_HELP, Findings, JsonItems, SendProgress, add_input_arguments
from tui.delivery.backfill import Backfill, Source, Survey, eta_text, limits_for, survey
from tui.delivery.plans import Job, plan_calls
from tui.delivery.service import DeliveryService, refusal
from tui.mapping.blueprint import Blueprint, BlueprintError, default_blueprint, load_blueprint
from tui.mapping.preview import Preview
from tui.mapping.signal import InputError
from tui.safe_text import visible
from tui.store.checkpoints import Checkpoints
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

backfills (--bulk):
  each bulk call is checkpointed as it starts and ends; after ctrl+c or kill -9, `send FILE
  --bulk --resume` skips the confirmed calls and sends the others again with their same
  x-request-id (WebEngage drops a repeat within 4 hours): nothing lost, nothing twice.
  --restart sends the whole file again. 500 bulk calls a minute: 1,000,000 events ~80 min.

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
    parser.add_argument("file", metavar="FILE", type=Path, help=FILE_HELP)
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--data-centre",
        metavar="global|in|ksa",
        type=_data_centre,
        help="the account's data centre (your dashboard URL tells which)",
    )
    where.add_argument("--host", metavar="URL", help="a custom API host instead of a data centre")
    parser.add_argument("--license", metavar="CODE", help="the account's license code")
    parser.add_argument("--profile", metavar="NAME", help="a saved profile (default: the default)")
    parser.add_argument(
        "--blueprint", metavar="FILE", type=Path, help="a blueprint TOML file (default: Default)"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the requests that would be sent (with --bulk, the bulk calls); send nothing",
    )
    parser.add_argument("--json", action="store_true", help="print each log entry as JSON")
    parser.add_argument(
        "--force", action="store_true", help="send even when findings say WebEngage will reject it"
    )
    parser.add_argument(
        "--bulk",
        action="store_true",
        help="send through /bulk-events (/bulk-users), 25 per call, in input order, paced under "
        "500 calls a minute, checkpointed (see --resume)",
    )
    _add_backfill_arguments(parser)


def _add_backfill_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--resume",
        action="store_true",
        help="with --bulk: continue the unfinished run of FILE where it stopped",
    )
    parser.add_argument(
        "--restart",
        action="store_true",
        help="with --bulk: send FILE from the start although an unfinished run of it exists",
    )
    parser.add_argument(
        "--rate-limit",
        metavar="N",
        type=whole_number(1, 1_000_000),
        help="at most N calls per --window (default WebEngage's: 500 with --bulk, 5,000 "
        "without); lower it to leave room for other senders on the account",
    )
    parser.add_argument(
        "--window",
        metavar="SECONDS",
        type=seconds,
        default=60.0,
        help="the window --rate-limit counts in (default 60; a sandbox's --window)",
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
    add_input_arguments(parser)


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


class _Printer:
    """Each call's entry on stdout as it ends, in input order: the hint once per verdict."""

    def __init__(self, as_json: bool, several: bool) -> None:
        self.as_json = as_json
        self.several = several
        self.json = JsonItems(sys.stdout)
        self.hinted: set[str] = set()
        self.index = 0
        self.worst = exit_codes.OK
        self.gone = False

    def __call__(self, job: Job, entry: LogEntry) -> None:
        self.index += 1
        code = entry.outcome.exit_code if entry.outcome else exit_codes.NETWORK
        self.worst = max(self.worst, code)
        if self.gone:
            return
        try:
            if self.as_json:
                self.json.add(json_text(entry.summary(), indent=2, default=str))
                return
            name = entry.event_name or "event"
            label = f"{self.index}. {name}" if self.several else name
            title = entry.hint.title if entry.hint else ""
            print(_plain(entry, label, with_hint=title not in self.hinted), flush=True)
            self.hinted.add(title)
        except BrokenPipeError:  # `send FILE | head`: the reader left, which is not an error
            detach_stdout()
            self.gone = True

    def close(self) -> None:
        if self.as_json and not self.gone:
            with contextlib.suppress(BrokenPipeError):
                self.json.close()


@contextlib.contextmanager
def _readable(path: Path) -> Iterator[Path]:
    """`path`, or for `-` standard input copied to a temporary file (a send reads it twice)."""
    if str(path) != "-":
        yield path
        return
    with tempfile.NamedTemporaryFile(prefix="webengage-send-", suffix=".json") as copy:
        shutil.copyfileobj(sys.stdin.buffer, copy)
        copy.flush()
        yield Path(copy.name)


def _dry_run(args: argparse.Namespace, source: Source) -> int:
    """The requests `send` would make (with --bulk, its bulk calls: the same plan), as JSON."""
    findings = Findings()
    errors = False

    def previews() -> Iterator[tuple[int, Preview]]:
        nonlocal errors
        for index, preview in source.previews():
            findings.add(index, preview)
            errors = errors or preview.has_errors
            yield index, preview

    out = JsonItems(sys.stdout)
    try:
        for job in plan_calls(source.connection, previews(), args.bulk):
            out.add(json_text(job.request.preview_dict(), indent=2))
        if out.count == 0:
            return _fail(f"{args.file}: no events (an empty array)")
        out.close()
    except InputError:
        out.abandon()
        raise
    except BrokenPipeError:  # `send --dry-run FILE | head`: the reader left
        detach_stdout()
    findings.close()
    return exit_codes.FINDINGS if errors and not args.force else exit_codes.OK


def _checked(args: argparse.Namespace, source: Source) -> tuple[Survey | None, int]:
    """The first pass: findings on stderr; (the survey, 0), or (None, the exit code)."""
    findings = Findings()
    found = survey(source, bulk=args.bulk, include_errors=True, on_preview=findings.add)
    findings.close()
    if found.events == 0:
        return None, _fail(f"{args.file}: no events (an empty array)")
    refused = refusal(source.connection, findings.first, forced=True)
    if refused is not None and refused.reason == "missing_credentials":
        return None, _fail("missing " + refused.detail)
    if (key_problem := source.connection.key_problem()) is not None:  # before anything is sent
        return None, _fail(key_problem)
    if found.errors and not args.force:
        _warn("nothing sent: findings of severity error (fix them, or --force to send anyway)")
        return None, exit_codes.FINDINGS
    return found, exit_codes.OK


def _resumed(args: argparse.Namespace, backfill: Backfill) -> tuple[Any, int]:
    """(the run to resume or None, 0), or (None, an exit code): never a silent resume."""
    if not args.bulk:
        return None, exit_codes.OK
    if not backfill.resumable:  # standard input, or no history
        if args.resume:
            return None, _fail(f"{args.file}: no checkpoints to resume from (standard input?)")
        _warn(f"{args.file}: progress not checkpointed (not a regular file): cannot be resumed")
        return None, exit_codes.OK
    unfinished = backfill.unfinished()
    if args.resume:
        if unfinished is None:
            return None, _fail(
                f"{args.file}: no unfinished run of this file to this account (it finished, or "
                "the file changed since); without --resume it is sent whole"
            )
        if unfinished.plan != backfill.plan:  # (or this tool's way of planning calls)
            return None, _fail("the blueprint or options changed since that run: cannot resume")
        done, wait = backfill.done_before(unfinished), backfill.resume_wait(unfinished)
        pause = f"; waiting {wait:.0f} s for its last calls to leave the window" if wait else ""
        _warn(f"resuming the run of {unfinished.created_at[:19]}: {done:,} events confirmed{pause}")
        return unfinished, exit_codes.OK
    if unfinished is not None and not args.restart:
        done = backfill.done_before(unfinished)
        return None, _fail(
            f"{args.file} has an unfinished run (started {unfinished.created_at[:19]}, "
            f"{done:,} of {unfinished.total_events:,} events confirmed): `send {args.file} "
            "--bulk --resume` continues it; --restart sends the whole file again"
        )
    if unfinished is not None:
        backfill.abandon(unfinished)
    return None, exit_codes.OK


async def _send(args: argparse.Namespace, backfill: Backfill, found: Survey, resume: Any) -> int:
    printer = _Printer(args.json, found.calls > 1)
    done = backfill.done_before(resume) if resume is not None else 0
    progress = SendProgress(found.sendable(True), done)
    try:
        report = await backfill.run(found, resume=resume, on_call=printer, progress=progress)
    finally:
        progress.close()
        printer.close()
        await backfill.service.aclose()
    if args.bulk or found.events > 1:
        _warn(
            f"{report.sent_items:,}/{report.total_items:,} events sent in {report.calls:,} calls, "
            f"{report.elapsed_s:.1f} s, {report.rate_limited_attempts} × 429"
        )
    if report.stopped:
        _warn("stopped: every later call would fail the same way; fix it, then --resume")
    return printer.worst


def _deliver(args: argparse.Namespace, source: Source, recorder: Recorder) -> int:
    found, code = _checked(args, source)
    if found is None:
        return code
    service = DeliveryService(
        retry=RetryPolicy(max_attempts=args.attempts), timeout_s=args.timeout, recorder=recorder
    )
    history = recorder.history
    checkpoints = Checkpoints(history) if history is not None and args.bulk else None
    limits = limits_for(args.bulk, args.rate_limit, args.window)
    backfill = Backfill(service, source, args.bulk, True, limits, checkpoints, str(args.file))
    resume, code = _resumed(args, backfill)
    if code != exit_codes.OK:
        return code
    _warn(eta_text(found.events, found.calls, args.bulk, limits, found.busiest))
    try:
        return asyncio.run(_send(args, backfill, found, resume))
    except KeyboardInterrupt:
        again = " (`--bulk --resume` continues it)" if backfill.resumable else ""
        print(f"{PROG}: interrupted; what was sent is in the history{again}", file=sys.stderr)
        return exit_codes.INTERRUPTED


def run(args: argparse.Namespace) -> int:
    if (args.resume or args.restart) and not args.bulk:
        return _fail("--resume and --restart go with --bulk (only bulk backfills are checkpointed)")
    try:
        blueprint: Blueprint = (
            load_blueprint(args.blueprint) if args.blueprint else default_blueprint()
        )
        connection = _connection(args)
    except (BlueprintError, ProfileError) as error:
        return _fail(str(error))
    with _readable(args.file) as path:
        recorder = _recorder(AppSettings())
        known = recorder.known_types(connection.license_code)
        options = {"max_bytes": args.max_bytes, "event_max_bytes": args.max_event_bytes}
        source = Source(path, connection, blueprint, known, **options)
        try:
            return _dry_run(args, source) if args.dry_run else _deliver(args, source, recorder)
        except InputError as error:
            return _fail(str(error).replace(str(path), str(args.file)))
        finally:
            recorder.close()
