"""The event composer: a Signal event built from a picker, the identity fields and JSON properties.

Every keystroke posts EventEdited with the event as the domain reads it (or the JSON error with its
line and column), so the preview beside it follows the typing.

A file is read on the UI thread only when it is a small regular file (under a millisecond); a larger
one, a pipe or a device is read in a thread worker, with a limit and a time-out, so the UI never
waits on it. Whatever is wrong with a file is a notification, never a crash.
"""

from __future__ import annotations

import json
import os
import stat
from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea
from textual.worker import get_current_worker

from tui.mapping.blueprint import MAX_BYTES, Blueprint, default_blueprint
from tui.mapping.formats import Tagged, datafly, normalise
from tui.mapping.signal import InputError, parse_events_text, parse_json_object
from tui.safe_text import visible
from tui.ui.messages import EventEdited, SendRequested
from tui.ui.widgets.json_area import JsonArea
from tui.ui.widgets.pickers import EventPickerScreen, FilePickerScreen
from tui.webengage.request import json_text

CUSTOM_EVENT = "__custom__"
INLINE_READ_MAX = 256 * 1024
"""A regular file up to this size is read at once; anything else in a thread."""
RAISE_LIMIT = "split it, or use the command line's --max-bytes (preview, send)"
TRAIT_TYPES = {"identify"}

EXAMPLE_PROPERTIES: dict[str, Any] = {
    "order_id": "ORD-1337",
    "revenue": 39.80,
    "currency": "USD",
    "products": [
        {
            "product_id": "SKU-1",
            "product_name": "Givenchy Pour Homme",
            "price": 39.80,
            "quantity": 1,
        }
    ],
}
"""The integration spec's worked example: what a new user sees first."""


def with_identify(names: list[str]) -> list[str]:
    """The blueprint's events, plus `identify` (a Signal type, sent to /users) when not listed."""
    return names if "identify" in names else [*names, "identify"]


def describe_error(error: InputError) -> str:
    """`line 3, column 5: Expecting ','` (the source name adds nothing inside the editor)."""
    if error.line is not None:
        where = f"line {error.line}" + (f", column {error.column}" if error.column else "")
        return f"{where}: {error.message}"
    return error.message


class ComposerPanel(Vertical):
    """The Signal event being composed; `raw_event()` is what the preview and the send use."""

    BORDER_TITLE = "Event"

    def __init__(self, event_names: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._event_names = with_identify(event_names)
        self.source = "composer"
        self._sample_text = json.dumps(EXAMPLE_PROPERTIES, indent=2)
        self._findings = Text("")
        self._status = Text("")
        self._shown_status: Text | None = None

    def compose(self) -> ComposeResult:
        options = [(name, name) for name in self._event_names]
        options.append(("custom…", CUSTOM_EVENT))
        first = "Order Completed" if "Order Completed" in self._event_names else options[0][1]
        with Horizontal(classes="row"):
            yield Label("Event", classes="field-label")
            yield Select(options, value=first, allow_blank=False, compact=True, id="event-name")
            yield Input(placeholder="custom event name", compact=True, id="custom-event")
        with Horizontal(classes="row"):
            yield Label("user_id", classes="field-label")
            yield Input("johndoe", placeholder="known visitor id", compact=True, id="user-id")
        with Horizontal(classes="row"):
            yield Label("anonymous_id", classes="field-label")
            yield Input(placeholder="not-yet-identified visitor", compact=True, id="anonymous-id")
        with Horizontal(classes="row"):
            yield Label("timestamp", classes="field-label")
            yield Input(placeholder="blank = now (ISO 8601)", compact=True, id="timestamp")
        yield Label("properties (JSON)", id="properties-label", classes="section-label")
        yield JsonArea(
            json.dumps(EXAMPLE_PROPERTIES, indent=2),
            language="json",
            show_line_numbers=True,
            tab_behavior="focus",  # Tab leaves the editor; ctrl+] indents (JsonArea)
            id="properties",
        )
        yield Static("", id="json-status")
        with Horizontal(classes="row"):
            yield Label("Load file", classes="field-label")
            yield Input(
                placeholder="path to a .json / .ndjson event file", compact=True, id="file-path"
            )
            yield Button("Load", compact=True, id="load-file", tooltip="Load events (ctrl+l)")
        with Horizontal(classes="row", id="send-row"):
            yield Button("Send  F5", compact=True, id="send", variant="success")
            yield Button("Send anyway  F6", compact=True, id="send-anyway", variant="warning")

    def on_mount(self) -> None:
        area = self.query_one("#properties", TextArea)
        area.match_cursor_bracket = False  # it scans the document on every cursor move
        if self.app.is_headless:
            area.cursor_blink = False
        self.query_one("#custom-event").display = False
        self.emit()

    def set_event_names(self, names: list[str]) -> None:
        """Another blueprint: its events in the picker, the current choice kept when it exists."""
        names = with_identify(names)
        select = self.query_one("#event-name", Select)
        current = select.value
        self._event_names = names
        with self.prevent(Select.Changed):
            select.set_options([*((n, n) for n in names), ("custom…", CUSTOM_EVENT)])
            select.value = current if current in names else CUSTOM_EVENT
        if current not in names and isinstance(current, str) and current != CUSTOM_EVENT:
            custom = self.query_one("#custom-event", Input)
            custom.value = current
            custom.display = True
        self.emit()

    # ---- the event ----

    @property
    def event_name(self) -> str:
        value = self.query_one("#event-name", Select).value
        if value == CUSTOM_EVENT:
            return self.query_one("#custom-event", Input).value.strip()
        return str(value)

    def raw_event(self) -> tuple[dict[str, Any] | None, InputError | None]:
        """The Signal event as JSON would carry it, or the properties' parse error."""
        text = self.query_one("#properties", TextArea).text
        try:
            properties = parse_json_object(text, "properties") if text.strip() else {}
        except InputError as error:
            return None, error
        name = self.event_name
        raw: dict[str, Any]
        if name == "page":
            raw = {"type": "page", "properties": properties}
        elif name in TRAIT_TYPES:
            raw = {"type": "identify", "traits": properties}
        else:
            raw = {"type": "track", "event": name, "properties": properties}
        for key, widget_id in (
            ("user_id", "#user-id"),
            ("anonymous_id", "#anonymous-id"),
            ("timestamp", "#timestamp"),
        ):
            value = self.query_one(widget_id, Input).value.strip()
            if value:
                raw[key] = value
        return raw, None

    def emit(self) -> None:
        """Tell the screen (straight to it, not bubbling: each hop is a turn of the event loop)."""
        raw, error = self.raw_event()
        if error is not None:
            message = describe_error(error)
            self._status = Text("✗ invalid JSON: " + message, style="bold red")
            self._findings = Text()
            self._show_status()
            self.screen.post_message(EventEdited(None, message))
        else:
            count = len(raw.get("properties", raw.get("traits", {}))) if raw else 0
            self._status = Text(f"✓ valid JSON · {count} properties", style="green")
            self._show_status()
            self.screen.post_message(EventEdited(raw))

    def _show_status(self) -> None:
        # fixed height: no layout pass per key; unchanged (most keys): no repaint either
        text = self._status + self._findings
        if text != self._shown_status:
            self._shown_status = text
            self.query_one("#json-status", Static).update(text, layout=False)

    def load_event(self, raw: Any, source: str, *, keep_identity: bool = False) -> None:
        """Fill the fields from an event read from a file, in any format `tui.mapping.formats`
        reads (unknown fields are left out). `keep_identity`: leave user_id, anonymous_id and
        timestamp as they are when the event has none of its own (a pasted Datafly.js call)."""
        self.source = source
        if not isinstance(raw, dict):
            message = visible(f"{source}: not a JSON object, nothing loaded")
            self.app.notify(message, severity="error", markup=False)
            return
        blueprint = getattr(self.app, "blueprint", None)
        if not isinstance(blueprint, Blueprint):
            blueprint = default_blueprint()
        raw = normalise(raw, blueprint).event
        kind = str(raw.get("type") or "track")
        name = (
            "page"
            if kind == "page"
            else "identify"
            if kind == "identify"
            else str(raw.get("event") or "")
        )
        select = self.query_one("#event-name", Select)
        with self.prevent(Select.Changed, Input.Changed, TextArea.Changed):
            if name in self._event_names:
                select.value = name
                self.query_one("#custom-event").display = False
            else:
                select.value = CUSTOM_EVENT
                custom = self.query_one("#custom-event", Input)
                custom.display = True
                custom.value = name
            for key, widget_id in (
                ("user_id", "#user-id"),
                ("anonymous_id", "#anonymous-id"),
                ("timestamp", "#timestamp"),
            ):
                value = raw.get(key)
                if value is None and keep_identity:
                    continue
                self.query_one(widget_id, Input).value = "" if value is None else str(value)
            body = raw.get("traits" if kind == "identify" else "properties") or {}
            self.query_one("#properties", TextArea).load_text(json_text(body, indent=2))
        self.emit()

    # ---- events ----

    @on(Select.Changed, "#event-name")
    def _on_event_name(self, event: Select.Changed) -> None:
        event.stop()
        custom = self.query_one("#custom-event", Input)
        custom.display = event.value == CUSTOM_EVENT
        if custom.display:
            custom.focus()
        self.source = "composer"
        self._offer_sample(str(event.value))
        self.emit()

    def _offer_sample(self, name: str) -> None:
        """Another event: its sample properties, as an edit (ctrl+z brings the old ones back)."""
        from tui.mapping.samples import sample_properties

        sample = sample_properties().get(name)
        area = self.query_one("#properties", TextArea)
        if sample is None or area.text == self._sample_text:
            return
        edited = area.text.strip() not in ("", "{}", self._sample_text.strip())
        self._sample_text = json.dumps(sample, indent=2)
        with self.prevent(TextArea.Changed):
            area.replace(self._sample_text, area.document.start, area.document.end)
        if edited:
            self.app.notify(
                f"Sample properties of {name} loaded; ctrl+z in the editor brings yours back.",
                markup=False,
            )

    def show_findings(self, summary: str, errors: bool) -> None:
        """The preview's verdict under the editor, where a narrow screen shows no preview."""
        style = "bold red" if errors else "green" if summary == "no findings" else "yellow"
        self._findings = Text(f" · {summary}", style=style)
        self._show_status()

    @on(Input.Changed, "#custom-event, #user-id, #anonymous-id, #timestamp")
    @on(TextArea.Changed, "#properties")
    def _on_edit(self, event: Input.Changed | TextArea.Changed) -> None:
        event.stop()
        if isinstance(event, TextArea.Changed) and self._took_call(event.text_area.text):
            return
        self.emit()

    def _took_call(self, text: str) -> bool:
        """A Datafly.js call pasted into the properties (as written on a site): its event and
        properties fill the composer; identity stays in the user_id / anonymous_id fields."""
        if not datafly.looks_like_calls(text):
            return False
        try:
            [call, *_] = parse_events_text(text, "the pasted call")
        except (InputError, ValueError):
            return False  # not (yet) a whole call: the JSON error says what is wrong
        if not isinstance(call, Tagged):
            return False
        self.load_event(call, "a pasted Datafly.js call", keep_identity=True)
        name = call.get("event") or call.get("type")
        self.app.notify(
            visible(f"Read a Datafly.js call: {name}. Identity comes from user_id / anonymous_id."),
            title="Datafly.js call",
            markup=False,
        )
        return True

    @on(Button.Pressed, "#load-file")
    @on(Input.Submitted, "#file-path")
    def _on_load(self, event: Button.Pressed | Input.Submitted) -> None:
        event.stop()
        self.load_file()

    @on(Button.Pressed, "#send, #send-anyway")
    def _on_send(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(SendRequested(forced=event.button.id == "send-anyway"))

    # ---- files ----

    def pick_file(self) -> None:
        """ctrl+l: the file picker (in the typed path's folder), never a silent reload."""
        typed = Path(self.query_one("#file-path", Input).value.strip() or ".").expanduser()
        folder = typed if typed.is_dir() else typed.parent
        self.app.push_screen(
            FilePickerScreen(folder if folder.is_dir() else Path.cwd()), self._picked_file
        )

    def load_file(self) -> None:
        """The Load button: load the path typed in the file field, or pick one when it is empty."""
        path = self.query_one("#file-path", Input).value.strip()
        if path:
            self._load_path(Path(path).expanduser())
        else:
            self.app.push_screen(FilePickerScreen(Path.cwd()), self._picked_file)

    def _picked_file(self, path: Path | None) -> None:
        if path is not None:
            self.query_one("#file-path", Input).value = str(path)
            self._load_path(path)

    pipe_wait_s = 10.0
    """How long a pipe may hold back its first (or next) bytes before the read gives up."""

    def _load_path(self, path: Path) -> None:
        try:
            info = os.stat(path)
            inline = stat.S_ISREG(info.st_mode) and info.st_size <= INLINE_READ_MAX
        except (OSError, ValueError):
            inline = True  # read_events says what is wrong, at once
        if inline:
            self._loaded(path, self._read(path, wait_s=0.0))
            return
        self.app.notify(visible(f"Reading {path.name}…"), timeout=3, markup=False)
        self.run_worker(
            partial(self._read_in_thread, path),
            name="load-file",
            group="load-file",
            thread=True,
            exit_on_error=False,
        )

    def _read(self, path: Path, **options: Any) -> Any:
        """The events (a regular file indexed, never held: `read_for_picker`), or what is wrong."""
        from tui.ui.widgets.pickers import read_for_picker

        return read_for_picker(path, MAX_BYTES, RAISE_LIMIT, **options)

    def _read_in_thread(self, path: Path) -> None:
        worker = get_current_worker()
        # The app closing cancels the worker, and that ends the read too.
        found = self._read(path, wait_s=self.pipe_wait_s, cancelled=lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._loaded, path, found)

    def _loaded(self, path: Path, found: Any) -> None:
        if isinstance(found, str):
            message = visible(found)
            self.app.notify(
                message, title="Cannot load", severity="error", timeout=10, markup=False
            )
            return
        events, index = found, getattr(found, "index", None)  # (an EventIndex: closed after)
        if not len(events):
            self.app.notify(visible(f"{path}: no events in it"), severity="warning", markup=False)
        elif len(events) == 1:
            self.load_event(events[0], path.name)
        else:

            def chosen(picked: int | None) -> None:
                if picked is not None:
                    self.load_event(events[picked], f"{path.name} #{picked + 1}")
                if index is not None:
                    index.close()

            self.app.push_screen(EventPickerScreen(path.name, events), chosen)
            return
        if index is not None:
            index.close()
