"""`webengage-debugger preview FILE [--blueprint FILE]`: the exact request for each event, nothing sent.

stdout: `{"method", "url", "headers", "body"}` as JSON (one object for one event, an array for
several), the key redacted. stderr: one line per finding. Exit 0 with no errors (warnings allowed),
1 with findings of severity error, 2 when the input or the blueprint cannot be read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui import exit_codes
from tui.mapping.blueprint import Blueprint, BlueprintError, default_blueprint, load_blueprint
from tui.mapping.preview import Preview, preview_event
from tui.mapping.signal import InputError, read_events
from tui.store.profiles import resolve_connection
from tui.store.settings import AppSettings
from tui.webengage.request import Connection

EXIT_OK = exit_codes.OK
EXIT_FINDINGS = exit_codes.FINDINGS
EXIT_UNREADABLE = exit_codes.UNREADABLE_INPUT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        type=Path,
        help="a JSON file: one Signal event, an array of them, or one per line (NDJSON)",
    )
    parser.add_argument(
        "--blueprint",
        metavar="FILE",
        type=Path,
        help="a blueprint TOML file (default: the built-in Default blueprint)",
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
        lines.extend(prefix + finding.line() for finding in preview.findings)
    return lines


def _dump(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, indent=2)
    except (TypeError, ValueError, RecursionError) as error:
        # Not reachable from a file json could read; the findings say what is wrong anyway.
        return json.dumps({"error": f"cannot be shown as JSON: {error}"})


def run(args: argparse.Namespace) -> int:
    blueprint: Blueprint = default_blueprint()
    try:
        if args.blueprint is not None:
            blueprint = load_blueprint(args.blueprint)
        events = read_events(args.file)
    except (InputError, BlueprintError) as error:
        print(f"webengage-debugger preview: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    if not events:
        print(
            f"webengage-debugger preview: {args.file}: no events (an empty array)", file=sys.stderr
        )
        return EXIT_UNREADABLE

    connection, warning = resolve(os.environ)
    if warning:
        print(f"webengage-debugger preview: {warning}", file=sys.stderr)
    previews = [preview_event(raw, connection, blueprint) for raw in events]
    shown = [p.request.preview_dict() for p in previews]
    try:
        print(_dump(shown[0] if len(shown) == 1 else shown), flush=True)
    except BrokenPipeError:  # `preview FILE | head`: the reader left, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    for line in _finding_lines(previews):
        print(line, file=sys.stderr)
    return EXIT_FINDINGS if any(p.has_errors for p in previews) else EXIT_OK
