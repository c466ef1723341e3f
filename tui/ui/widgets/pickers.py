"""Choosing what to load: a file (typed path or directory tree), then one event of several.

The picker only names the file; the composer reads it (off the UI thread unless it is small).
An event's label is plain text with control characters shown (never markup): a name such as
`[/]` or an escape sequence in a loaded file is shown, not obeyed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Label, OptionList
from textual.widgets.option_list import Option

from tui.mapping.blueprint import default_blueprint
from tui.mapping.formats import normalise
from tui.safe_text import visible
from tui.webengage.request import json_text

EVENT_SUFFIXES = {".json", ".ndjson", ".jsonl"}


class EventFileTree(DirectoryTree):
    """Folders and event files only."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            p
            for p in paths
            if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in EVENT_SUFFIXES)
        ]


class FilePickerScreen(ModalScreen[Path | None]):
    """Type a path, or pick one in the tree; returns it (None when cancelled)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box") as box:
            box.border_title = "Load events from a file"
            yield Input(placeholder="path, then enter", id="picker-path")
            yield EventFileTree(self.start, id="picker-tree")

    @on(Input.Submitted, "#picker-path")
    def _typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(Path(event.value.strip()).expanduser())

    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(event.path)


def event_label(index: int, raw: Any) -> str:
    """`3. Order Completed · user johndoe` for the picker (one line, control characters shown)."""
    if not isinstance(raw, dict):
        return visible(f"{index}. (not an object: {json_text(raw)[:40]})", one_line=True)
    raw = normalise(raw, default_blueprint()).event  # a Segment event's userId, a HAR call's time
    kind = raw.get("type") or "track"
    name = raw.get("event") if kind == "track" else kind
    who = raw.get("user_id") or raw.get("anonymous_id")
    name = name if isinstance(name, str) else json_text(name)[:40] if name else None
    who = who if isinstance(who, str) else json_text(who)[:40] if who else None
    when = raw.get("timestamp")
    label = f"{index}. {name or '(no event name)'}" + (f" · {who}" if who else "")
    label += f" · {when}" if isinstance(when, str) and when else ""
    return visible(label[:200], one_line=True)


class EventPickerScreen(ModalScreen[int | None]):
    """A file held several events: which one goes into the composer."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, source: str, events: list[Any]) -> None:
        super().__init__()
        self.source = source
        self.events = events

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box") as box:
            box.border_title = f"{len(self.events)} events in {self.source}"
            yield Label("Pick one to load into the composer:")
            yield OptionList(
                *(
                    Option(Text(event_label(i + 1, raw)), id=str(i))
                    for i, raw in enumerate(self.events)
                ),
                id="event-options",
            )

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))
