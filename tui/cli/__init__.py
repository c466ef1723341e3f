"""The command line (PRODUCT.md §6): a stable interface, scripts depend on it.

Each subcommand lives in `tui/cli/<name>.py` with `add_arguments(parser)` and `run(args) -> int`;
this module only dispatches. With no subcommand it starts the TUI.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

SUBCOMMANDS = {
    "preview": "print the exact WebEngage request for each event in FILE (key redacted)",
    "send": "deliver the events in FILE to WebEngage and report each outcome",
    "sandbox": "run the WebEngage-compatible sandbox server on loopback",
    "diagnose": "probe the three data centres and say which one the license code and key work on",
    "serve": "serve the TUI as a web page on localhost",
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
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start the TUI wired to an embedded sandbox with demo credentials",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            importlib.import_module(f"tui.cli.{name}").add_arguments(sub_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = next((arg for arg in argv if not arg.startswith("-")), None)
    args = build_parser(chosen if chosen in SUBCOMMANDS else "").parse_args(argv)
    command = args.command or "tui"
    module = importlib.import_module(f"tui.cli.{command}")
    try:
        result: int = module.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return result
