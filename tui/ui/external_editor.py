"""Editing the properties in $EDITOR (as Posting does): the JSON goes to a private temporary file,
the terminal is handed to the editor, and what was saved comes back into the composer."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from textual.app import App, SuspendNotSupported
from textual.widgets import TextArea


def editor_command() -> list[str]:
    """$VISUAL, then $EDITOR, then vi: the command line to run with the file's path appended."""
    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(chosen)


def edit_in_editor(app: App[Any], text: str) -> str | None:
    """`text` as edited and saved in the user's editor; None when the editor failed or the
    file was not changed. The terminal is suspended while the editor runs."""
    fd, name = tempfile.mkstemp(prefix="webengage-properties-", suffix=".json")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        command = [*editor_command(), str(path)]
        try:
            with app.suspend():
                done = subprocess.run(command, check=False)
        except SuspendNotSupported:  # a web page (serve) or a test: run it as it is
            done = subprocess.run(command, check=False, capture_output=True)
        except FileNotFoundError:
            app.notify(f"No editor {command[0]!r}: set $EDITOR.", severity="error", markup=False)
            return None
        if done.returncode != 0:
            app.notify(f"The editor exited with {done.returncode}; nothing changed.", markup=False)
            return None
        edited = path.read_text(encoding="utf-8")
        return None if edited == text else edited
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def edit_properties(app: App[Any], area: TextArea) -> None:
    """The properties editor's text through $EDITOR and back, as one edit (ctrl+z undoes it)."""
    edited = edit_in_editor(app, area.text)
    if edited is not None:
        area.replace(edited, area.document.start, area.document.end)
        app.notify("Properties updated from the editor.")
