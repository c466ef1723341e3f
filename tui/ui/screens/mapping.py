"""The mapping view: what the active blueprint does, and what it did to the event in the composer.

For the analyst who has to show stakeholders "this site event becomes that WebEngage event": the
blueprint as a table, the composer's event field by field (each Signal field, its WebEngage
attribute, and what happened to it: unchanged, renamed, flattened, reformatted as Date, dropped and
why), and the two payloads side by side. Everything is built from `Preview.mapped.trace`, the same
trace the CLI and the exports use, so the screen cannot disagree with what is sent.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from tui.mapping.blueprint import Blueprint
from tui.mapping.mapper import FieldTrace
from tui.mapping.preview import Preview
from tui.mapping.report import MISSING, blueprint_markdown, side_by_side_markdown
from tui.mapping.report import resolve as resolve_path
from tui.store.files import write_private
from tui.store.settings import AppSettings
from tui.ui.clipboard import copy_or_save
from tui.ui.screens._render import json_text

CHANGE_LABELS = {
    "unchanged": ("unchanged", "dim"),
    "renamed": ("renamed", "bold yellow"),
    "flattened": ("flattened", "bold cyan"),
    "date": ("as Date", "bold #d787ff"),
    "dropped": ("dropped", "bold red"),
    "identity": ("identity", "bold green"),
    "event_name": ("event name", "bold green"),
    "event_time": ("event time", "bold #d787ff"),
    "routing": ("routing", "dim"),
}
"""How each FieldTrace.change reads on screen (a word, never colour alone, for projectors)."""


def short_path(path: str | None) -> str:
    """`$.properties.order_id` → `properties.order_id`: the `$.` is noise on a projector."""
    if not path:
        return ""
    return path[2:] if path.startswith("$.") else path


def value_text(value: Any, limit: int = 40) -> str:
    """A value as compact JSON, cut to `limit` characters (arrays and objects summarised)."""
    if value is MISSING:
        return ""
    if isinstance(value, list):
        return f"[{len(value)} item{'s' if len(value) != 1 else ''}]"
    if isinstance(value, dict):
        return f"{{{len(value)} field{'s' if len(value) != 1 else ''}}}"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def change_label(row: FieldTrace) -> str:
    """The change's word; a `type` "dropped" only routes the event, so it says "routing"."""
    if row.source == "$.type" and row.change == "dropped":
        return "routing"
    return row.change


def change_text(change: str) -> Text:
    label, style = CHANGE_LABELS.get(change, (change, ""))
    return Text(label, style=style)


def blueprint_table(blueprint: Blueprint, current_event: str | None = None) -> Table:
    """Signal event → WebEngage event, with the composer's event marked and custom ones explained."""
    table = Table(expand=True, pad_edge=False, box=box.SIMPLE_HEAD)
    table.add_column("Signal event", ratio=3, overflow="fold")
    table.add_column("WebEngage event", ratio=3, overflow="fold")
    table.add_column("", ratio=3, overflow="fold")
    rows: list[tuple[str, str, str]] = [("page (type)", blueprint.page_event_name, "renamed")]
    for signal_name, webengage_name in blueprint.event_names.items():
        rows.append(
            (
                signal_name,
                webengage_name,
                "unchanged" if signal_name == webengage_name else "renamed",
            )
        )
    known = {blueprint.page_event_name, *blueprint.event_names}
    if current_event and current_event not in known and current_event != "page":
        rows.append((current_event, current_event, "custom"))
    for signal_name, webengage_name, kind in rows:
        marker = (
            "▶ "
            if current_event and signal_name in (current_event, f"{current_event} (type)")
            else ""
        )
        style = "bold reverse" if marker else ""
        tag = (
            Text("custom: not in blueprint, passes through", style="bold yellow")
            if kind == "custom"
            else change_text(kind)
        )
        table.add_row(
            Text(marker + signal_name, style=style), Text(webengage_name, style=style), tag
        )
    table.add_row(
        Text("any other track", style="italic"),
        Text("same name", style="italic"),
        Text("custom pass-through", style="yellow"),
    )
    return table


def rules_view(blueprint: Blueprint) -> RenderableType:
    """The property renames and the eventData rules, under the event table."""
    parts: list[RenderableType] = []
    if blueprint.property_renames:
        renames = Table(expand=True, pad_edge=False, box=box.SIMPLE_HEAD)
        renames.add_column("Signal property", ratio=1, overflow="fold")
        renames.add_column("WebEngage attribute", ratio=1, overflow="fold")
        for source, target in blueprint.property_renames.items():
            renames.add_row(source, Text(target, style="bold yellow"))
        parts.append(renames)
    rules = Text("properties → eventData: ", style="bold")
    steps = [f"nested objects flattened with '{blueprint.flatten_separator}'", "renames above"]
    if blueprint.rewrite_dates:
        steps.append("ISO 8601 date-times rewritten as Date (yyyy-MM-ddTHH:mm:ss+0000)")
    if blueprint.drop_nulls:
        steps.append("nulls dropped")
    rules.append("; ".join(steps) + ".")
    parts.append(rules)
    return Group(*parts)


def trace_table(trace: list[FieldTrace], event: Any, body: Any) -> Table:
    """The field-by-field side-by-side: Signal field → WebEngage attribute, the change, and why."""
    table = Table(expand=True, show_lines=True, pad_edge=False, box=box.SIMPLE_HEAD)
    table.add_column("Signal field", ratio=4, overflow="fold")
    table.add_column("WebEngage attribute", ratio=4, overflow="fold")
    table.add_column("change", min_width=10, no_wrap=True)
    table.add_column("why", ratio=3, overflow="fold")
    for row in trace:
        source = Text(short_path(row.source), style="bold")
        source_value = value_text(resolve_path(event, row.source)) if event is not None else ""
        if source_value:
            source.append("\n" + source_value, style="dim")
        if row.target:
            target = Text(short_path(row.target), style="bold")
            target_value = value_text(resolve_path(body, row.target))
            if target_value:
                target.append("\n" + target_value, style="dim")
        else:
            target = Text("— not sent —", style="red")
        table.add_row(
            source, target, change_text(change_label(row)), Text(row.note, style="italic")
        )
    return table


COUNTED = ("renamed", "flattened", "date", "dropped", "unchanged")


def trace_counts(trace: list[FieldTrace]) -> str:
    """`11 fields: 2 renamed · 1 flattened · 1 as Date · 1 dropped · 2 unchanged`."""
    counts: dict[str, int] = {}
    for row in trace:
        label = change_label(row)
        counts[label] = counts.get(label, 0) + 1
    parts = [f"{counts[c]} {CHANGE_LABELS[c][0]}" for c in COUNTED if counts.get(c)]
    return f"{len(trace)} fields: " + " · ".join(parts)


class MappingScreen(Screen[None]):
    """The active blueprint and the composer's event, mapped field by field. Escape closes it."""

    DEFAULT_CSS = """
    MappingScreen { layout: vertical; }
    MappingScreen #mapping-title { padding: 0 1; background: $panel; text-style: bold; height: auto; }
    MappingScreen #mapping-summary { padding: 0 1; height: auto; color: $text-muted; }
    MappingScreen TabbedContent { height: 1fr; }
    MappingScreen VerticalScroll { padding: 0 1; }
    MappingScreen #payloads > VerticalScroll { width: 1fr; }
    MappingScreen .payload-title { text-style: bold; margin-bottom: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("e", "export", "Export Markdown"),
        Binding("c", "copy", "Copy Markdown"),
        Binding("1", "tab('fields')", "Fields", show=False),
        Binding("2", "tab('payloads')", "Payloads", show=False),
        Binding("3", "tab('blueprint')", "Blueprint", show=False),
    ]

    def __init__(
        self,
        blueprint: Blueprint,
        preview: Preview | None,
        *,
        event: Any = None,
        export_dir: Path | None = None,
        name: str | None = None,
    ) -> None:
        """`event` is the raw Signal event (default: `preview.raw`), for the values and the left
        payload; `export_dir` is where Markdown exports go (default: the current directory)."""
        super().__init__(name=name)
        self.blueprint = blueprint
        self.preview = preview
        self.event = event if event is not None else (preview.raw if preview is not None else None)
        self.export_dir = export_dir
        self.exported_path: Path | None = None

    @property
    def trace(self) -> list[FieldTrace]:
        if self.preview is None or self.preview.mapped is None:
            return []
        return list(self.preview.mapped.trace)

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="mapping-title")
        yield Static(self._summary(), id="mapping-summary")
        with TabbedContent(initial="fields"):
            with TabPane("Fields", id="fields"), VerticalScroll():
                yield Static(self._fields_view(), id="fields-table")
            with TabPane("Payloads", id="payloads"), Horizontal(id="payloads"):
                with VerticalScroll():
                    yield Static("Signal event", classes="payload-title")
                    yield Static(self._payload(self.event, "no Signal event given"))
                with VerticalScroll():
                    yield Static("WebEngage request body", classes="payload-title")
                    body = self.preview.request.body if self.preview is not None else None
                    yield Static(self._payload(body, "nothing to send"))
            with TabPane("Blueprint", id="blueprint"), VerticalScroll():
                yield Static(
                    blueprint_table(self.blueprint, self._signal_event_name()), id="blueprint-table"
                )
                yield Static(rules_view(self.blueprint), id="blueprint-rules")
        yield Footer()

    def _signal_event_name(self) -> str | None:
        if isinstance(self.event, dict):
            if self.event.get("type") == "page":
                return "page"
            name = self.event.get("event")
            return name if isinstance(name, str) else None
        return None

    def _title(self) -> Text:
        title = Text("Mapping · ", style="bold")
        title.append(f"blueprint {self.blueprint.name}", style="bold")
        if self.blueprint.source:
            title.append(f"  ({self.blueprint.source})", style="dim")
        return title

    def _summary(self) -> Text:
        if self.preview is None:
            return Text("No event in the composer: showing the blueprint only.")
        mapped = self.preview.mapped
        if mapped is None:
            return Text("This event could not be mapped: see the findings in the composer.")
        signal = self._signal_event_name() or "event"
        line = Text(f"{signal} → {mapped.event_name or self.preview.event_name}", style="bold")
        line.append(f"  (/{mapped.endpoint.value})  ")
        line.append(trace_counts(mapped.trace))
        return line

    def _fields_view(self) -> RenderableType:
        if self.preview is None or self.preview.mapped is None:
            return Text("No field trace: put a valid event in the composer.", style="italic")
        return trace_table(self.trace, self.event, self.preview.request.body)

    @staticmethod
    def _payload(value: Any, empty: str) -> RenderableType:
        return Text(empty, style="italic") if value is None else json_text(value)

    def markdown(self) -> str:
        """The blueprint table, then (when there is an event) the side-by-side, as Markdown."""
        parts = [blueprint_markdown(self.blueprint)]
        if self.preview is not None and self.preview.mapped is not None:
            parts.append(side_by_side_markdown(self.preview, self.event))
        return "\n\n".join(part.rstrip() for part in parts) + "\n"

    def action_close(self) -> None:
        self.dismiss(None)

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_copy(self) -> None:
        copy_or_save(
            self.app,
            self.markdown(),
            what="mapping Markdown",
            folder=self.export_dir or getattr(self.app, "settings", AppSettings()).exports_dir,
            suffix=".md",
        )

    def action_export(self) -> None:
        """Write the Markdown (owner-only) in export_dir (the app's exports folder; default: the
        current directory), copy it too, and say where."""
        directory = self.export_dir or Path.cwd()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        slug = re.sub(r"[^a-z0-9]+", "-", (self.preview.event_name if self.preview else "").lower())
        path = directory / f"mapping-{slug.strip('-') or 'blueprint'}-{stamp}.md"
        text = self.markdown()
        try:
            write_private(path, text)
        except OSError as error:
            self.notify(f"Could not write {path}: {error.strerror or error}", severity="error")
            return
        self.exported_path = path
        self.app.copy_to_clipboard(text)  # OSC 52: offered, not promised
        self.notify(f"Exported to {path}.", timeout=8, markup=False)
