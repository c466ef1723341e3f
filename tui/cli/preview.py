"""`webengage-debugger preview FILE [--blueprint FILE]`: the exact request for each event, nothing sent.

stdout: `{"method", "url", "headers", "body"}` as JSON (one object for one event, an array for
several), the key redacted, each request printed as soon as it is ready: NDJSON and JSON arrays are
streamed (each event at most `--max-event-bytes`), anything else is read whole (at most
`--max-bytes`, 64 MiB by default). stdout is strict JSON: a NaN or Infinity (already a finding of
severity error) is written as `null`. stderr: one line per finding. Exit 0 with no errors (warnings
allowed), 1 with findings of severity error, 2 when the input or the blueprint cannot be read.
stderr shows control characters escaped (`visible`); stdout is exact JSON, with the characters a
terminal would obey as `\\u` escapes. The type memory of earlier deliveries (when a history
exists) adds its warnings, as it does for `send`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from tui import exit_codes
from tui.cli import byte_count, detach_stdout
from tui.mapping.blueprint import (
    MAX_BYTES,
    Blueprint,
    BlueprintError,
    default_blueprint,
    load_blueprint,
    size_text,
)
from tui.mapping.preview import Preview, preview_event
from tui.mapping.quick import clean_body
from tui.mapping.request_text import RequestTexts
from tui.mapping.signal import InputError
from tui.mapping.stream import EVENT_MAX_BYTES, open_events
from tui.safe_text import visible
from tui.store.profiles import resolve_connection
from tui.store.settings import AppSettings
from tui.webengage.entry import LogEntry
from tui.webengage.request import Connection

EXIT_OK = exit_codes.OK
EXIT_FINDINGS = exit_codes.FINDINGS
EXIT_UNREADABLE = exit_codes.UNREADABLE_INPUT
FILE_HELP = (
    "a JSON file (- for standard input): one Signal event, an array of them, NDJSON, a batch "
    "envelope, a HAR file or Datafly.js calls"
)


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """`--max-bytes` and `--max-event-bytes` (preview and send)."""
    parser.add_argument(
        "--max-bytes",
        metavar="N",
        type=byte_count,
        default=MAX_BYTES,
        help="read at most N bytes of a FILE that is read whole (one object, a HAR file, "
        f"Datafly.js calls; 128M, 1G: default {size_text(MAX_BYTES)}); NDJSON and JSON arrays "
        "are streamed, of any size, with --max-event-bytes per event instead",
    )
    parser.add_argument(
        "--max-event-bytes",
        metavar="N",
        type=byte_count,
        default=EVENT_MAX_BYTES,
        help="the most one streamed event (an NDJSON line, an array item) may hold "
        f"(default {size_text(EVENT_MAX_BYTES)})",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", type=Path, help=FILE_HELP)
    parser.add_argument(
        "--blueprint",
        metavar="FILE",
        type=Path,
        help="a blueprint TOML file (default: the built-in Default blueprint)",
    )
    add_input_arguments(parser)


def resolve(env: Mapping[str, str]) -> tuple[Connection, str | None]:
    """The connection (profile + environment), and a warning when the profile could not be used."""
    try:
        return resolve_connection(AppSettings(), env=env), None
    except Exception as error:  # a broken profile must not stop a preview, only be reported
        fallback = resolve_connection(AppSettings(), env=env, use_profiles=False, lenient=True)
        return fallback, f"credentials: {error}; using the environment only"


def known_types(license_code: str) -> Any:
    """The type memory for this account, from the history when there is one (never created here)."""
    path = AppSettings().history_path
    if not license_code or not path.exists():
        return None
    from tui.store.recorder import Recorder

    recorder = Recorder.open(path)
    try:
        return recorder.known_types(license_code)
    finally:
        recorder.close()


class JsonItems:
    """Values written as one JSON document as they come: the value itself when there is one, an
    array when there are several (the same text `json_text(list, indent=2)` gives). The first
    is held until the second arrives (or the end), so is whatever goes with it (`later`)."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.count = 0
        self._held: tuple[str, list[str]] | None = None
        self._flushed = time.monotonic()

    def add(self, text: str, later: list[str] | None = None) -> list[str]:
        """Write `text`; returns the lines (`later`, e.g. findings) that may be shown now."""
        return self.add_nested(text.replace("\n", "\n  "), later)

    def add_nested(self, text: str, later: list[str] | None = None) -> list[str]:
        """`add` for a text written as it reads in the array, its lines indented one level
        (`RequestTexts(level=1)`): each line break is followed by two more spaces."""
        self.count += 1
        if self.count == 1:
            self._held = (text, later or [])
            return []
        shown: list[str] = []
        if self._held is not None:
            first, shown = self._held
            self._held = None
            self.out.write("[\n  " + first)
        self.out.write(",\n  " + text)
        if time.monotonic() - self._flushed > 0.2:
            self.out.flush()
            self._flushed = time.monotonic()
        return shown + later if later else shown

    def close(self) -> list[str]:
        """End the document; the held lines, if any."""
        if self._held is not None:
            first, shown = self._held
            self._held = None
            self.out.write(first.replace("\n  ", "\n") + "\n")  # (as it reads alone)
            return shown
        if self.count > 1:
            self.out.write("\n]\n")
        self.out.flush()
        return []

    def abandon(self) -> None:
        """The input broke: a held single value is dropped (as before streaming, nothing is
        printed for input that cannot be read); an array begun is closed, still valid JSON."""
        self._held = None
        if self.count > 1:
            self.out.write("\n]\n")
            self.out.flush()


def finding_lines(preview: Preview, index: int) -> list[str]:
    if not preview.findings:  # (the usual event: no line to make)
        return []
    prefix = f"event {index}: "
    return [visible(prefix + finding.line(), one_line=True) for finding in preview.findings]


def unprefixed(lines: list[str], index: int) -> list[str]:
    prefix = f"event {index}: "
    return [line.removeprefix(prefix) for line in lines]


class Findings:
    """Each event's findings on stderr as it is previewed (`event N:` when there are several:
    the first event's wait for the second); the first preview kept for the refusal rule."""

    def __init__(self) -> None:
        self.count = 0
        self.held: list[str] = []
        self.first: Preview | None = None

    def add(self, index: int, preview: Preview) -> None:
        self.count += 1
        lines = finding_lines(preview, index + 1)
        if self.count == 1:
            self.first, self.held = preview, lines
            return
        stderr_lines([*self.held, *lines])
        self.held = []

    def close(self) -> None:
        stderr_lines(unprefixed(self.held, 1) if self.count == 1 else self.held)
        self.held = []


class SendProgress:
    """`send`'s progress on stderr (stdout stays clean for --json): a bar with rate and ETA on a
    terminal, a plain line every 10 s otherwise."""

    def __init__(self, total: int, done: int) -> None:
        self.total, self.first_done, self.started = total, done, time.monotonic()
        self.last_line = self.started
        self.bar: Any = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("{task.fields[done]} events"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            shown = f"{done:,}/{total:,}"
            self.task = self.bar.add_task("send", total=total, completed=done, rate="", done=shown)
            self.bar.start()

    def rate(self, done: int) -> float:
        elapsed = time.monotonic() - self.started
        return (done - self.first_done) / elapsed * 60 if elapsed > 0 else 0.0

    def __call__(self, done: int, total: int, entry: LogEntry) -> None:
        if self.bar is not None:
            speed, shown = f"{self.rate(done):,.0f} events/min", f"{done:,}/{total:,}"
            self.bar.update(self.task, completed=done, rate=speed, done=shown)
        elif time.monotonic() - self.last_line >= 10:
            self.last_line = time.monotonic()
            rate = self.rate(done)
            left = (total - done) / rate * 60 if rate > 0 else 0
            print(
                f"webengage-debugger send: progress: {done:,}/{total:,} events ({done / max(total, 1):.0%}), "
                f"{rate:,.0f} events/min, about {left:.0f} s to go",
                file=sys.stderr,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _error(message: str) -> None:
    print(visible(f"webengage-debugger preview: {message}", one_line=True), file=sys.stderr)


def stderr_lines(lines: list[str]) -> None:
    try:
        for line in lines:
            print(line, file=sys.stderr)
    except BrokenPipeError:  # `2>&1 | head`: the exit code still says what the findings are
        pass


def _previews(
    args: argparse.Namespace, blueprint: Blueprint, connection: Connection, warning: str | None
) -> int:
    """Stream, preview and print; the exit code. The credentials' `warning` comes with the first
    event (input that cannot be read is the one thing said, as before)."""
    known = known_types(connection.license_code)
    out = JsonItems(sys.stdout)
    request_text = RequestTexts(level=1)
    errors = False
    with open_events(
        args.file,
        max_bytes=getattr(args, "max_bytes", MAX_BYTES),
        event_max_bytes=getattr(args, "max_event_bytes", EVENT_MAX_BYTES),
    ) as events:
        try:
            for index, raw in enumerate(events, start=1):
                checked, lines = events.checked, None
                clean = clean_body(raw, blueprint, known_types=known, checked=checked)
                if clean is not None:  # (nothing to say: the request's text, the quick way)
                    text = request_text.of(connection, *clean)
                else:  # (something to say, perhaps: the careful way says it)
                    preview = preview_event(
                        raw, connection, blueprint, known_types=known, checked=checked
                    )
                    errors = errors or (bool(preview.findings) and preview.has_errors)
                    lines = finding_lines(preview, index) if preview.findings else None
                    text = request_text(preview.request)
                if index == 1 and warning:
                    _error(warning)
                shown = out.add_nested(text, lines)
                if shown:
                    stderr_lines(shown)
        except InputError:
            out.abandon()
            raise
        except BrokenPipeError:  # `preview FILE | head`: the reader left, which is not an error
            detach_stdout()
            return EXIT_FINDINGS if errors else EXIT_OK
    if out.count == 0:
        _error(f"{args.file}: no events (an empty array)")
        return EXIT_UNREADABLE
    try:
        held = out.close()
    except BrokenPipeError:
        detach_stdout()
        held = []
    stderr_lines(unprefixed(held, 1) if out.count == 1 else held)
    return EXIT_FINDINGS if errors else EXIT_OK


def run(args: argparse.Namespace) -> int:
    blueprint: Blueprint = default_blueprint()
    try:
        if args.blueprint is not None:
            blueprint = load_blueprint(args.blueprint)
    except BlueprintError as error:
        _error(str(error))
        return EXIT_UNREADABLE
    connection, warning = resolve(os.environ)
    try:
        return _previews(args, blueprint, connection, warning)
    except InputError as error:
        _error(str(error))
        return EXIT_UNREADABLE
