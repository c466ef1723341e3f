"""The command line (PRODUCT.md §6): a stable interface, scripts depend on it.

Each subcommand lives in `tui/cli/<name>.py` with `add_arguments(parser)` and `run(args) -> int`;
this module dispatches, holds the argument types several commands share, and makes a reader that
leaves early (`| head`) a quiet exit rather than a BrokenPipeError traceback.
With no subcommand it starts the TUI.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import re
import sys
from collections.abc import Callable, Sequence

from tui import __version__, exit_codes

SUBCOMMANDS = {
    "preview": "print the exact WebEngage request for each event in FILE (key redacted)",
    "send": "deliver the events in FILE to WebEngage and report each outcome",
    "sandbox": "run the WebEngage-compatible sandbox server on loopback",
    "relay": "a reverse proxy in front of WebEngage: check, forward and record each call",
    "listen": "a collector Segment / RudderStack SDKs can point at: preview (and forward) each event",
    "diagnose": "probe the three data centres and say which one the license code and key work on",
    "serve": "serve the TUI as a web page on localhost",
    "profiles": "list, show, rename or delete saved profiles, and choose the default",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (with `only`) one whose other subcommands are left unloaded.

    Importing every command module would pull in aiohttp, httpx and pydantic models that one
    command does not need: `only` keeps `webengage-debugger preview` quick to start.
    """
    parser = argparse.ArgumentParser(
        prog="webengage-debugger",
        description="Send test events to WebEngage's REST API and find out why a delivery fails.",
    )
    parser.add_argument("--version", action="version", version=f"webengage-debugger {__version__}")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start the TUI wired to an embedded sandbox with demo credentials",
    )
    port = whole_number(0, 65535)  # the TUI's Live tab (tui/ui/live_control.py)
    parser.add_argument(
        "--listen",
        nargs="?",
        const=8788,
        type=port,
        metavar="PORT",
        help="with a listener for SDKs",
    )
    parser.add_argument(
        "--relay", nargs="?", const=8789, type=port, metavar="PORT", help="with a WebEngage relay"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            importlib.import_module(f"tui.cli.{name}").add_arguments(sub_parser)
    return parser


TIMEOUT_MAX_S = 3600.0


def seconds(text: str) -> float:
    """`--timeout`: a number of seconds above 0 (at most an hour); not 0, negative, nan or inf."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= TIMEOUT_MAX_S):
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds above 0 and at most {TIMEOUT_MAX_S:g}, got {text!r}"
        )
    return value


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argument type for a whole number from `low` to `high` (an error outside, no clamping)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high}, got {text!r}"
            )
        return value

    return parse


_SIZE = re.compile(r"(\d+)\s*([kmg]?)(?:i?b)?", re.IGNORECASE)


def byte_count(text: str) -> int:
    """`--max-bytes`: bytes, or with a K, M or G suffix (KiB, MiB, GiB: 128M, 1GiB)."""
    match = _SIZE.fullmatch(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(
            f"expected a number of bytes above 0 (e.g. 134217728 or 128M), got {text!r}"
        )
    return int(match.group(1)) * int(1024 ** " kmg".index(match.group(2).lower() or " "))


def detach_stdout() -> None:
    """The reader of stdout left (`| head`): send what is still buffered to /dev/null, so the
    interpreter's last flush does not fail (and print a traceback) either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (tests capture stdout)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    # The tool uses no pydantic plugins: skip pydantic's scan of every installed distribution's
    # entry points for them at the first model (~10 ms of start-up; pydantic's documented switch).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    result: int = exit_codes.OK
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        chosen = next((arg for arg in argv if not arg.startswith("-")), None)
        args = build_parser(chosen if chosen in SUBCOMMANDS else "").parse_args(argv)
        command = args.command or "tui"
        module = importlib.import_module(f"tui.cli.{command}")
        result = module.run(args)
        sys.stdout.flush()  # a reader that left is found here, not at exit
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except BrokenPipeError:  # `... | head`: the reader left, which is not an error
        detach_stdout()
    return result
