"""`webengage-debugger profiles`: list, show, rename, delete saved profiles and pick the default.

The REST API key is never printed: `list` says whether one is stored, `show` its redaction (the
mask and, for a long key, its last four characters), `--json` the same fields. Names and license
codes are printed with control characters escaped (`visible`), so a profiles file cannot drive
the terminal. Exit 0 done; 2 the profiles file cannot be read, or a name is not usable (too long,
taken by another profile); 4 no profile of that name.
"""

from __future__ import annotations

import argparse
import sys

from tui import exit_codes
from tui.safe_text import visible
from tui.store.profiles import (
    ProfileError,
    ProfileSummary,
    delete_profile,
    list_profiles,
    rename_profile,
    set_default_profile,
)
from tui.store.settings import AppSettings
from tui.webengage.api import DataCentre
from tui.webengage.request import json_text

EPILOG = """exit codes: 0 done; 2 the profiles file cannot be read, or the new name is not usable;
4 no profile of that name. The REST API key is never printed, only whether one is stored and its
last four characters (profiles keep no key unless asked: see the credentials panel, F2)."""

PROG = "webengage-debugger profiles"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every saved profile; * marks the default")
    listing.add_argument("--json", action="store_true", help="print the profiles as JSON")
    show = actions.add_parser("show", help="one profile (the key masked)")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="print the profile as JSON")
    rename = actions.add_parser("rename", help="rename a profile (its stored key follows)")
    rename.add_argument("old", metavar="OLD")
    rename.add_argument("new", metavar="NEW")
    delete = actions.add_parser("delete", help="delete a profile and its stored key")
    delete.add_argument("name", metavar="NAME")
    default = actions.add_parser("default", help="use this profile when none is named")
    default.add_argument("name", metavar="NAME")


def _error(message: str, code: int) -> int:
    print(visible(f"{PROG}: {message}", one_line=True), file=sys.stderr)
    return code


def _where(summary: ProfileSummary) -> str:
    if summary.data_centre is None:
        return f"custom host {summary.host}"
    return f"{DataCentre(summary.data_centre).label} ({summary.host})"


def _key_text(summary: ProfileSummary) -> str:
    return f"stored {summary.key}" if summary.key_stored else "not stored"


def _print_list(summaries: list[ProfileSummary]) -> None:
    if not summaries:
        print("No profiles saved yet: save one from the TUI's credentials panel (F2).")
        return
    rows = [
        [visible(cell, one_line=True) for cell in (s.name, s.host, s.license_code or "(none)")]
        + [f"key {_key_text(s)}"]
        for s in summaries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for summary, row in zip(summaries, rows, strict=True):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print(("* " if summary.default else "  ") + "  ".join([*cells, row[3]]))
    print("(* the default profile)")


def _print_one(summary: ProfileSummary, settings: AppSettings) -> None:
    title = f"Profile {summary.name}" + (" (default)" if summary.default else "")
    stored = f" (in {settings.credentials_path})" if summary.key_stored else ""
    lines = [
        title,
        f"  sends to      {_where(summary)}",
        f"  license code  {summary.license_code or '(none)'}",
        f"  REST API key  {_key_text(summary)}{stored}",
    ]
    print("\n".join(visible(line, one_line=True) for line in lines))


def _find(summaries: list[ProfileSummary], name: str) -> ProfileSummary | None:
    return next((s for s in summaries if s.name == name), None)


def _not_found(name: str, summaries: list[ProfileSummary]) -> int:
    known = ", ".join(s.name for s in summaries) or "none saved yet"
    return _error(f"no profile named {name!r} (profiles: {known})", exit_codes.NOT_FOUND)


def _change(args: argparse.Namespace, settings: AppSettings) -> str:
    """Rename, delete or set the default (the profile is known to exist); what was done."""
    if args.action == "rename":
        new = rename_profile(settings, args.old, args.new)
        return f"Renamed profile {args.old!r} to {new!r}."
    if args.action == "delete":
        delete_profile(settings, args.name)
        after = [s.name for s in list_profiles(settings) if s.default]
        tail = f"; {after[0]!r} is now the default" if after else ""
        return f"Deleted profile {args.name!r} (and any key stored for it){tail}."
    set_default_profile(settings, args.name)
    return f"{args.name!r} is now the default profile."


def run(args: argparse.Namespace) -> int:
    settings = AppSettings()
    try:
        summaries = list_profiles(settings)
        if args.action == "list":
            if args.json:
                print(json_text([s.model_dump(mode="json") for s in summaries], indent=2))
            else:
                _print_list(summaries)
            return exit_codes.OK
        name = args.old if args.action == "rename" else args.name
        found = _find(summaries, name)
        if found is None:
            return _not_found(name, summaries)
        if args.action == "show":
            if args.json:
                print(json_text(found.model_dump(mode="json"), indent=2))
            else:
                _print_one(found, settings)
            return exit_codes.OK
        print(visible(_change(args, settings), one_line=True))
    except (ProfileError, OSError) as error:
        return _error(str(error), exit_codes.UNREADABLE_INPUT)
    return exit_codes.OK
