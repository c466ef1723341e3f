"""`webengage-debugger` (no subcommand): the TUI.

With `--sandbox` an embedded sandbox starts in its own thread and the demo account fills the
credentials, so a first run shows a full round trip with no WebEngage account. Without it the
credentials come from the saved profile and the environment; when there are none the app says how
to add them, and offers the sandbox.
"""

from __future__ import annotations

import argparse
import sys

from tui.core.settings import AppSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`--sandbox` is parsed by tui/cli.py itself (it applies with no subcommand)."""


def run(args: argparse.Namespace) -> int:
    from tui.core.sandbox import Sandbox, SandboxError
    from tui.ui.app import create_app

    settings = AppSettings()
    sandbox: Sandbox | None = None
    if getattr(args, "sandbox", False):
        sandbox = Sandbox()
        try:
            sandbox.start()
        except (SandboxError, OSError) as error:
            print(f"webengage-debugger: the sandbox did not start: {error}", file=sys.stderr)
            return 2
    try:
        app = create_app(settings, sandbox=sandbox)
        app.run()
    finally:
        if sandbox is not None:
            sandbox.stop()
    return app.return_code or 0
