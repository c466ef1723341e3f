"""Copying that tells the truth: "copied" only when a clipboard said it took the text.

Textual's `copy_to_clipboard` sends OSC 52 to the terminal, which may ignore it (tmux without
`set-clipboard`, many SSH sessions, the web page `serve` draws) and never answers. So the system's
clipboard tool is tried first (wl-copy, xclip, xsel, pbcopy, clip.exe; each reports success);
when none takes it, the text is written to a file in the exports folder (0600) and its path is
shown, and OSC 52 is still offered as a bonus.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import App

from tui.store.files import write_private

TOOL_TIMEOUT_S = 2.0


def clipboard_tools() -> list[list[str]]:
    """The clipboard commands that can work in this session, best first."""
    tools: list[list[str]] = []
    if os.environ.get("WAYLAND_DISPLAY"):
        tools.append(["wl-copy"])
    if os.environ.get("DISPLAY"):
        tools += [["xclip", "-selection", "clipboard"], ["xsel", "--clipboard", "--input"]]
    if sys.platform == "darwin":
        tools.append(["pbcopy"])
    tools.append(["clip.exe"])  # Windows and WSL
    return [tool for tool in tools if shutil.which(tool[0])]


def system_copy(text: str) -> bool:
    """Put `text` on the system clipboard; True only when a tool said it did."""
    for tool in clipboard_tools():
        try:
            done = subprocess.run(
                tool, input=text.encode("utf-8"), timeout=TOOL_TIMEOUT_S, capture_output=True
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return True
    return False


def copy_or_save(app: App[Any], text: str, *, what: str, folder: Path, suffix: str) -> None:
    """Copy `text` (described as `what`), or save it in `folder` and say where; in a thread, so a
    hung clipboard tool never blocks the screen."""

    def work() -> None:
        if system_copy(text):
            app.call_from_thread(app.notify, f"{what} copied to the clipboard.", markup=False)
            return
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = folder / f"{what.split()[0].lower()}-{stamp}{suffix}"
        try:
            write_private(path, text)
        except OSError as error:
            app.call_from_thread(
                app.notify, f"{what} not copied or saved: {error}", severity="error"
            )
            return
        app.call_from_thread(app.copy_to_clipboard, text)  # OSC 52: a bonus, unconfirmed
        app.call_from_thread(
            app.notify,
            f"No clipboard answered, so {what} is in {path} (also offered to the terminal's "
            "clipboard, which may ignore it).",
            markup=False,
            timeout=10,
        )

    app.run_worker(work, thread=True, group="clipboard", exit_on_error=False)
