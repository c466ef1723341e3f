"""Choosing what to load: a file (typed path or directory tree), then one event of several.

The picker only names the file; the composer reads it (off the UI thread unless it is small) into
an index (`tui.mapping.stream.EventIndex`), and the event picker pages through it.
An event's label is plain text with control characters shown (never markup): a name such as
`[/]` or an escape sequence in a loaded file is shown, not obeyed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar, Protocol

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
from tui.mapping.signal import InputError, read_events
from tui.mapping.stream import EventIndex, index_events
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


class Events(Protocol):
    """What the picker pages through: a list, or a `tui.mapping.stream.EventIndex` of a file."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> Any: ...


class IndexedEvents:
    """An EventIndex as `Events` (its events read from the file as a page needs them)."""

    def __init__(self, index: EventIndex) -> None:
        self.index = index

    def __len__(self) -> int:
        return self.index.count

    def __getitem__(self, index: int) -> Any:
        return self.index.get(index)


def read_for_picker(path: Path, max_bytes: int, raise_limit: str, **options: Any) -> Events | str:
    """The events of a file (never an exception): a regular file as an index, streamed, never
    held (`index_events`); a pipe or device read whole within the limit (`read_events`, with
    its `wait_s` and `cancelled`); or what is wrong with it."""
    try:
        if os.path.isfile(path):
            cancelled = options.get("cancelled")
            polite = options.get("wait_s") is not None and cancelled is not None  # (a thread)
            index = index_events(
                path,
                max_bytes=max_bytes,
                raise_limit=raise_limit,
                cancelled=cancelled,
                polite=polite,
            )
            return IndexedEvents(index)
        return read_events(path, max_bytes=max_bytes, raise_limit=raise_limit, **options)
    except InputError as error:
        return str(error)
    except Exception as error:  # whatever a hostile file does, the app stays up
        return f"{path}: cannot read: {error}"


PAGE = 200
"""Events listed at once: a file of a million events is paged, never listed whole."""


class EventPickerScreen(ModalScreen[int | None]):
    """A file held several events: which one goes into the composer. The events are listed a
    page at a time (left / right: the page before or after; ctrl+home / ctrl+end: the first or
    last page; a number and enter: that event), so a huge file opens at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("right", "page(1)", "Next page", show=False),
        Binding("left", "page(-1)", "Previous page", show=False),
        Binding("ctrl+end", "last_page", "Last page", show=False, priority=True),
        Binding("ctrl+home", "first_page", "First page", show=False, priority=True),
    ]

    def __init__(self, source: str, events: Events) -> None:
        super().__init__()
        self.source = source
        self.events = events
        self.start = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box") as box:
            box.border_title = f"{len(self.events):,} events in {self.source}"
            yield Label("Pick one to load into the composer:", id="event-page")
            yield OptionList(id="event-options")
            if len(self.events) > PAGE:
                yield Input(placeholder="event number, then enter", compact=True, id="event-jump")

    def on_mount(self) -> None:
        self.show_page(0)

    def show_page(self, start: int, highlight: int | None = None) -> None:
        """List the events from `start` (a page), highlighting `highlight` (default the first)."""
        total = len(self.events)
        self.start = max(0, min(start, total - 1)) // PAGE * PAGE
        end = min(total, self.start + PAGE)
        options = self.query_one("#event-options", OptionList)
        options.clear_options()
        options.add_options(
            Option(Text(event_label(i + 1, self.events[i])), id=str(i))
            for i in range(self.start, end)
        )
        options.highlighted = (highlight if highlight is not None else self.start) - self.start
        if total > PAGE:
            self.query_one("#event-page", Label).update(
                f"Events {self.start + 1:,}–{end:,} of {total:,} (← → pages, ctrl+home / "
                "ctrl+end the first and last, or type a number):"
            )

    def action_page(self, step: int) -> None:
        self.show_page(self.start + step * PAGE)

    def action_first_page(self) -> None:
        self.show_page(0)

    def action_last_page(self) -> None:
        last = len(self.events) - 1
        self.show_page(last, highlight=last)

    @on(Input.Submitted, "#event-jump")
    def _jump(self, event: Input.Submitted) -> None:
        text = event.value.strip().lstrip("#").replace(",", "")
        if text.isdigit() and 1 <= int(text) <= len(self.events):
            self.show_page(int(text) - 1, highlight=int(text) - 1)
            self.query_one("#event-options", OptionList).focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))
