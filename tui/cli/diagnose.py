"""`webengage-debugger diagnose`: probe the three data centres and say, in plain words, what to fix.

Credentials come from the profile and the environment like every other command (the key never
from argv); `--license` overrides the license code for a quick "is it this one?" check. A key
that cannot go in a header even once cleaned (a line break inside it) is exit 2, nothing probed.
The report shows control characters escaped (`visible`): a server's message cannot drive the
terminal; `--json` is exact JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from tui import exit_codes
from tui.cli import seconds
from tui.delivery.diagnose import diagnose, variants
from tui.safe_text import visible
from tui.store.profiles import ProfileError, resolve_connection
from tui.store.settings import AppSettings
from tui.webengage.request import json_text

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
        "--timeout", type=seconds, default=5.0, metavar="S", help="seconds per probe (default 5)"
    )


def _error(message: str) -> int:
    print(visible(f"webengage-debugger diagnose: {message}", one_line=True), file=sys.stderr)
    return exit_codes.MISSING_CREDENTIALS


def run(args: argparse.Namespace) -> int:
    try:
        connection = resolve_connection(AppSettings(), args.profile)
    except ProfileError as error:
        return _error(str(error))
    if args.license:
        connection = connection.model_copy(update={"license_code": args.license})
    # Diagnose probes a key with stray quotes or "Bearer " cleaned too; only when no variant of
    # it can go in a header is there nothing to probe.
    problems = [variant.key_problem() for _, variant in variants(connection)]
    if connection.api_key.get_secret_value() and all(problems):
        return _error(str(problems[0]))
    result = asyncio.run(diagnose(connection, timeout_s=args.timeout))
    if args.json:
        print(json_text(result.model_dump(mode="json"), indent=2))
    else:
        print(visible(result.text()))
    return result.exit_code
