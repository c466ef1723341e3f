"""`webengage-debugger serve`: not built yet."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options yet."""


def run(args: argparse.Namespace) -> int:
    print("webengage-debugger serve: not built yet", file=sys.stderr)
    return 2
