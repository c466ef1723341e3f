"""`webengage-debugger preview FILE [--blueprint FILE]`: the exact request for each event, nothing sent.

stdout: `{"method", "url", "headers", "body"}` as JSON (one object for one event, an array for
several), the key redacted. stderr: one line per finding. Exit 0 with no errors (warnings allowed),
1 with findings of severity error, 2 when the input or the blueprint cannot be read (a FILE larger
than `--max-bytes`, 64 MiB by default, included). stderr shows control characters escaped
(`visible`); stdout is exact JSON, with the characters a terminal would obey as `\\u` escapes.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
from tui.mapping.signal import InputError, read_events
from tui.safe_text import visible
from tui.store.profiles import resolve_connection
from tui.store.settings import AppSettings
from tui.webengage.request import Connection, json_text

EXIT_OK = exit_codes.OK
EXIT_FINDINGS = exit_codes.FINDINGS
EXIT_UNREADABLE = exit_codes.UNREADABLE_INPUT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        type=Path,
        help="a JSON file (- for standard input): one Signal event, an array of them, or NDJSON",
    )
    parser.add_argument(
        "--blueprint",
        metavar="FILE",
        type=Path,
        help="a blueprint TOML file (default: the built-in Default blueprint)",
    )
    parser.add_argument(
        "--max-bytes",
        metavar="N",
        type=byte_count,
        default=MAX_BYTES,
        help=f"read at most N bytes of FILE (128M, 1G: default {size_text(MAX_BYTES)})",
    )


def resolve(env: Mapping[str, str]) -> tuple[Connection, str | None]:
    """The connection (profile + environment), and a warning when the profile could not be used."""
    try:
        return resolve_connection(AppSettings(), env=env), None
    except Exception as error:  # a broken profile must not stop a preview, only be reported
        fallback = resolve_connection(AppSettings(), env=env, use_profiles=False, lenient=True)
        return fallback, f"credentials: {error}; using the environment only"


def _finding_lines(previews: list[Preview]) -> list[str]:
    several = len(previews) > 1
    lines: list[str] = []
    for index, preview in enumerate(previews, start=1):
        prefix = f"event {index}: " if several else ""
        lines.extend(
            visible(prefix + finding.line(), one_line=True) for finding in preview.findings
        )
    return lines


def _dump(value: Any) -> str:
    """Exact JSON that never raises (over-long integers, absurd nesting: see `json_text`)."""
    return json_text(value, indent=2)


def _error(message: str) -> None:
    print(visible(f"webengage-debugger preview: {message}", one_line=True), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    blueprint: Blueprint = default_blueprint()
    try:
        if args.blueprint is not None:
            blueprint = load_blueprint(args.blueprint)
        events = read_events(args.file, max_bytes=getattr(args, "max_bytes", MAX_BYTES))
    except (InputError, BlueprintError) as error:
        _error(str(error))
        return EXIT_UNREADABLE
    if not events:
        _error(f"{args.file}: no events (an empty array)")
        return EXIT_UNREADABLE

    connection, warning = resolve(os.environ)
    if warning:
        _error(warning)
    previews = [preview_event(raw, connection, blueprint) for raw in events]
    shown = [p.request.preview_dict() for p in previews]
    try:
        print(_dump(shown[0] if len(shown) == 1 else shown), flush=True)
    except BrokenPipeError:  # `preview FILE | head`: the reader left, which is not an error
        detach_stdout()
    try:
        for line in _finding_lines(previews):
            print(line, file=sys.stderr)
    except BrokenPipeError:  # `2>&1 | head`: the exit code still says what the findings are
        pass
    return EXIT_FINDINGS if any(p.has_errors for p in previews) else EXIT_OK
