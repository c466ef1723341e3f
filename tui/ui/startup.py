"""Garbage collection paused while the TUI starts, resumed once its first screen is painted.

Start-up allocates several hundred thousand objects (Textual, the pydantic models, every widget)
that nearly all live as long as the app; the collector would walk them again and again while they
are being created (~40 ms of a ~0.5 s first paint, measured with gc.callbacks). `webengage-debugger`
pauses it before importing the app; the main screen resumes it after its first refresh, first
moving everything alive into the permanent generation (`gc.freeze`) so that later collections,
during typing, have only the new objects to look at. Tests never pause it: then resuming is a no-op.
"""

from __future__ import annotations

import gc

_paused = False


def pause_gc() -> None:
    """Stop automatic collection until `resume_gc` (called by the CLI before the heavy imports)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Undo `pause_gc`, keeping what start-up built out of future collections."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
