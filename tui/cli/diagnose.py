"""`webengage-debugger diagnose`: probe the three data centres and say, in plain words, what to fix.

Credentials come from the profile and the environment like every other command (the key never
from argv); `--license` overrides the license code for a quick "is it this one?" check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from tui.delivery.diagnose import diagnose
from tui.store.profiles import ProfileError, resolve_connection
from tui.store.settings import AppSettings

EPILOG = """exit codes: 0 all good on the configured data centre; 1 it works once the data centre
(or a stray character in a value) is changed; 2 license code or key missing; 3 key rejected
everywhere; 4 license code not found; 7 data centres unreachable; 8 inconclusive (rate limited,
server errors). The probe is an empty event, which WebEngage always refuses: it creates no data."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--license", metavar="CODE", help="license code to check (default: profile/env)"
    )
    parser.add_argument("--profile", metavar="NAME", help="saved profile to take credentials from")
    parser.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    parser.add_argument(
        "--timeout", type=float, default=5.0, metavar="S", help="seconds per probe (default 5)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        connection = resolve_connection(AppSettings(), args.profile)
    except ProfileError as error:
        print(f"webengage-debugger diagnose: {error}", file=sys.stderr)
        return 2
    if args.license:
        connection = connection.model_copy(update={"license_code": args.license})
    result = asyncio.run(diagnose(connection, timeout_s=max(0.1, args.timeout)))
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        print(result.text())
    return result.exit_code
