"""Every start-up speed trick of the TUI, in one place, each with a test that fails if it stops
working (tests/ui/test_startup.py). The first paint is measured by tests/benchmarks/bench_first_paint.py.

1. **Garbage collection paused while the TUI starts** (`pause_gc` / `resume_gc`, ~40 ms). Start-up
   allocates several hundred thousand objects (Textual, the pydantic models, every widget) that
   nearly all live as long as the app; the collector would walk them again and again while they
   are being created. `webengage-debugger` pauses it before importing the app; the main screen
   resumes it after its first refresh, first moving everything alive into the permanent
   generation (`gc.freeze`) so later collections, during typing, only look at new objects. Tests
   never pause it: then resuming is a no-op.
2. **The main screen's first showing skips Textual's whole-tree restyle** (`first_resume`,
   ~25 ms). The screen is created with its layout classes, so every widget is styled once, as it
   mounts; the restyle Textual does when a screen is first shown would only repeat that work.
   Later resumes (after a modal) restyle as usual. This sets `ScreenResume.refresh_styles`, a
   public field of the event.
3. **What the first screen hides is mounted just after the first paint** (`after_first_paint`,
   with `MainScreen(defer_hidden=True)`): below 150 columns the credentials panel (~40 widgets,
   ~35 ms) and the log's filter row (~15 widgets with two pickers, ~55 ms), each mounted in its
   place by Textual's `Lazy` once the screen has been drawn.
4. **`--sandbox` binds the sandbox's socket before the first paint and serves it after**
   (`WebEngageDebuggerApp.deferred_sandbox`): importing aiohttp costs more than everything else
   on screen, and an early send waits in the socket's backlog instead of being refused.
5. **Modules that only a later action needs load then** (httpx with the first send, the entry
   detail and pygments when first opened, json5 with the first pasted Datafly.js call, ijson
   with the first JSON array file, each extra screen when opened).
"""

from __future__ import annotations

import asyncio
import gc
import time
import weakref
from typing import Any

from textual.dom import DOMNode
from textual.events import ScreenResume
from textual.lazy import Lazy
from textual.screen import Screen
from textual.widget import Widget

_paused = False
_shown: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()


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


def first_resume(screen: Screen[Any], event: ScreenResume) -> None:
    """On the screen's first showing only: no whole-tree restyle, and collection resumes after it
    is painted. Call from the screen's `_on_screen_resume` before Textual's own handler."""
    if screen in _shown:
        return
    _shown.add(screen)
    event.refresh_styles = False
    screen.call_after_refresh(resume_gc)


def after_first_paint(widget: Widget, defer: bool) -> Widget:
    """`widget` itself, or (with `defer`) a stand-in that mounts it in its place just after the
    first refresh (Textual's `Lazy`). Until then queries do not find it: callers must allow that."""
    return Lazy(widget) if defer else widget


async def settle(root: DOMNode, timeout_s: float = 2.0) -> None:
    """Wait (at most `timeout_s`) until no `after_first_paint` widget under `root` is still to be
    mounted. Quitting while one is half-mounted would crash: its Select finds its children gone."""
    deadline = time.monotonic() + timeout_s
    while root.query(Lazy) and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
