"""Replay a file of Signal events as one run: counted, checked, paced, cancellable, all logged.

Before anything is sent the screen says how many events the file holds, where they go and what
the findings are (events with errors are held back unless the user includes them). The run goes
through `tui.delivery.replay`, which paces every call under the account's rate limit (the bulk
endpoints, 25 events a call, where they fit), so a replay gets no 429s and loses nothing. Escape
or Cancel stops it between calls; each call's entry reaches the app's log as it happens.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, ProgressBar, Static

from tui.delivery.replay import ReplayReport
from tui.delivery.service import DeliveryService
from tui.mapping.blueprint import Blueprint
from tui.mapping.preview import Preview, preview_event
from tui.mapping.signal import InputError, read_events
from tui.ui.messages import post_deliveries_to
from tui.ui.themes import conceal, is_presentation
from tui.webengage.api import BULK_ITEMS_MAX, Endpoint
from tui.webengage.entry import LogEntry
from tui.webengage.findings import Severity
from tui.webengage.pacing import PaceLimits
from tui.webengage.request import Connection

BULK_FROM = BULK_ITEMS_MAX + 1
"""From this many events on, the bulk endpoints are the default (fewer calls, same events)."""


@dataclass
class LoadedFile:
    """A file read and previewed: every event's Preview, and the findings in numbers."""

    path: Path
    previews: list[Preview] = field(default_factory=list)

    @property
    def with_errors(self) -> list[Preview]:
        return [p for p in self.previews if p.has_errors]

    def summary(self) -> Text:
        """`120 events: 118 to /events, 2 to /users · 3 with errors · 10 warnings` + top findings."""
        count = len(self.previews)
        endpoints = Counter(p.endpoint.value for p in self.previews)
        text = Text(f"{count} event{'s' if count != 1 else ''}", style="bold")
        text.append(" in " + self.path.name)
        if endpoints:
            text.append(": " + ", ".join(f"{n} to /{e}" for e, n in sorted(endpoints.items())))
        severities = Counter(f.severity for p in self.previews for f in p.findings)
        errors = len(self.with_errors)
        text.append("\n")
        text.append(
            f"{errors} with errors (held back unless included)" if errors else "no errors",
            style="bold red" if errors else "green",
        )
        warnings = severities.get(Severity.WARNING, 0)
        text.append(f" · {warnings} warning{'s' if warnings != 1 else ''}", style="yellow")
        codes = Counter(
            (f.severity, f.code or f.message)
            for p in self.previews
            for f in p.findings
            if f.severity is not Severity.INFO
        )
        for (severity, code), n in codes.most_common(5):
            style = "red" if severity is Severity.ERROR else "yellow"
            text.append(f"\n  {n:>5} × {severity.value} {code}", style=style)
        return text


class ReplayScreen(Screen[ReplayReport | None]):
    """Pick a file, check it, replay it. Dismisses with the last run's report (or None)."""

    DEFAULT_CSS = """
    ReplayScreen { layout: vertical; }
    ReplayScreen #replay-title { background: $panel; padding: 0 1; text-style: bold; }
    ReplayScreen #replay-main { height: 1fr; padding: 0 1; }
    ReplayScreen #replay-pick { height: auto; }
    ReplayScreen #replay-pick Input { width: 1fr; }
    ReplayScreen #replay-pick Button { margin-left: 1; }
    ReplayScreen #replay-error { color: $error; text-style: bold; height: auto; }
    ReplayScreen #replay-summary { height: auto; margin: 1 0; }
    ReplayScreen #replay-options { height: auto; }
    ReplayScreen #replay-options Checkbox { margin-right: 3; }
    ReplayScreen ProgressBar { margin: 1 0 0 0; }
    ReplayScreen #replay-status { height: auto; }
    ReplayScreen #replay-buttons { height: auto; margin-top: 1; }
    ReplayScreen #replay-buttons Button { margin-right: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_or_close", "Cancel / Back"),
        # The same keys as the app's Send (the app yields them while a screen is on top);
        # never ctrl+g / ctrl+s, which zellij takes for its lock and scroll modes.
        Binding("f5,ctrl+r", "start", "Replay", priority=True),
    ]

    @dataclass
    class FileLoaded(Message):
        """The file was read and previewed (in a thread), or could not be: `error` says why."""

        loaded: LoadedFile | None
        error: str | None = None

    @dataclass
    class Advanced(Message):
        """One more call finished: `done` events of `total` sent."""

        done: int
        total: int
        entry: LogEntry

    @dataclass
    class Finished(Message):
        """The run ended: its report, or None when it was cut off before one existed."""

        report: ReplayReport | None

    def __init__(
        self,
        connection: Connection,
        blueprint: Blueprint,
        service: DeliveryService,
        *,
        path: Path | None = None,
        limits: PaceLimits | None = None,
        bulk_limits: PaceLimits | None = None,
        name: str | None = None,
    ) -> None:
        """`limits` / `bulk_limits` override WebEngage's (5,000 and 500 calls a minute), e.g. to
        match a sandbox's; `path` pre-fills (and loads) a file."""
        super().__init__(name=name)
        self.connection = connection
        self.blueprint = blueprint
        self.service = service
        self.initial_path = path
        self.limits = limits
        self.bulk_limits = bulk_limits
        self.loaded: LoadedFile | None = None
        self.report: ReplayReport | None = None
        self.cancel_event: asyncio.Event | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        yield Static("Replay · a file of events, paced under the rate limit", id="replay-title")
        with Vertical(id="replay-main"):
            yield Label("Events file (one JSON object, a JSON array, or NDJSON)")
            with Horizontal(id="replay-pick"):
                yield Input(
                    str(self.initial_path or ""),
                    placeholder="path/to/events.ndjson",
                    id="replay-path",
                )
                yield Button("Load", id="replay-load")
            yield Static("", id="replay-error")
            yield Static("No file loaded.", id="replay-summary")
            with Horizontal(id="replay-options"):
                yield Checkbox("Bulk endpoints (25 a call)", id="replay-bulk", compact=True)
                yield Checkbox(
                    "Include events with errors", id="replay-include-errors", compact=True
                )
            yield ProgressBar(total=1, show_eta=True, id="replay-progress")
            yield Static("", id="replay-status")
            with Horizontal(id="replay-buttons"):
                yield Button("Replay", variant="primary", id="replay-start", disabled=True)
                yield Button("Cancel", variant="error", id="replay-cancel", disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)
        if self.initial_path is not None:
            self.load(str(self.initial_path))

    def _theme_changed(self) -> None:
        """Presentation mode toggled: the failure hint may name the license code."""
        if self.is_attached and self.report is not None and not self.running:
            self._show_report(self.report)

    @on(Input.Submitted, "#replay-path")
    @on(Button.Pressed, "#replay-load")
    def _load_requested(self) -> None:
        self.load(self.query_one("#replay-path", Input).value)

    def load(self, text: str) -> None:
        if self.running:
            return
        if not text.strip():
            self._error("Type the path of a file of events.")
            return
        self._error(None)
        self.query_one("#replay-summary", Static).update("Reading and checking…")
        self._read(Path(text.strip()).expanduser())

    @work(thread=True, exclusive=True, group="replay-load")
    def _read(self, path: Path) -> None:
        """Read and preview every event off the UI thread (10,000 events take a moment)."""
        try:
            events = read_events(path)
        except InputError as error:
            self.post_message(self.FileLoaded(None, str(error)))
            return
        previews = [preview_event(raw, self.connection, self.blueprint) for raw in events]
        self.post_message(self.FileLoaded(LoadedFile(path, previews)))

    @on(FileLoaded)
    def _file_loaded(self, message: FileLoaded) -> None:
        if message.loaded is None:
            self.loaded = None
            self._error(message.error)
            self.query_one("#replay-summary", Static).update("No file loaded.")
        elif not message.loaded.previews:
            self.loaded = None
            self._error(f"{message.loaded.path}: no events in it.")
            self.query_one("#replay-summary", Static).update("No file loaded.")
        else:
            self.loaded = message.loaded
            self.query_one("#replay-summary", Static).update(self.loaded.summary())
            self.query_one("#replay-bulk", Checkbox).value = len(self.loaded.previews) >= BULK_FROM
            self._show_plan()
        self._refresh_buttons()

    @on(Checkbox.Changed)
    def _options_changed(self) -> None:
        if self.loaded is not None and not self.running:
            self._show_plan()

    def _show_plan(self) -> None:
        """What Replay will do: how many events, in how many calls, at what pace, for how long."""
        previews = self.to_send()
        bulk = self.query_one("#replay-bulk", Checkbox).value
        calls = -(-len(previews) // BULK_ITEMS_MAX) if bulk else len(previews)
        limits = (self.bulk_limits if bulk else self.limits) or PaceLimits.for_endpoint(
            Endpoint.BULK_EVENTS if bulk else Endpoint.EVENTS
        )
        windows = max(0, (calls - 1) // limits.calls)
        estimate = windows * (limits.window_s + limits.margin)
        pace = (
            f"pacing makes it take at least {estimate:.0f} s."
            if windows
            else "within one window, so no waiting for the limit."
        )
        self._status(
            f"Replay sends {len(previews)} events in {calls} call{'s' if calls != 1 else ''}; "
            f"the limit is {limits.calls:,} calls per {limits.window_s:g} s: {pace}",
        )

    def _error(self, message: str | None) -> None:
        self.query_one("#replay-error", Static).update(message or "")

    def _refresh_buttons(self) -> None:
        self.query_one("#replay-start", Button).disabled = self.running or self.loaded is None
        self.query_one("#replay-cancel", Button).disabled = not self.running
        self.query_one("#replay-load", Button).disabled = self.running

    def to_send(self) -> list[Preview]:
        if self.loaded is None:
            return []
        include = self.query_one("#replay-include-errors", Checkbox).value
        return [p for p in self.loaded.previews if include or not p.has_errors]

    @on(Button.Pressed, "#replay-start")
    def action_start(self) -> None:
        if self.running or self.loaded is None:
            return
        previews = self.to_send()
        if not previews:
            self._status(
                "Nothing to send: every event has errors (tick “Include events with errors”).",
                "bold red",
            )
            return
        self.running = True
        self.report = None
        self.cancel_event = asyncio.Event()
        bulk = self.query_one("#replay-bulk", Checkbox).value
        self.query_one(ProgressBar).update(total=len(previews), progress=0)
        held = len(self.loaded.previews) - len(previews)
        note = f" ({held} with errors held back)" if held else ""
        self._status(f"Replaying {len(previews)} events{note}…", "bold")
        self._refresh_buttons()
        self.run_worker(
            self.replay(previews, bulk),
            group="replay-run",
            exclusive=True,
            description="replay",
            exit_on_error=False,
        )

    async def replay(self, previews: list[Preview], bulk: bool) -> ReplayReport | None:
        """The run itself, paced by tui.delivery.replay; it reports only by messages (progress,
        the app's Delivery* for every call, Finished at the end), so nothing here touches a
        widget of a screen that may be gone."""
        source = f"replay of {self.loaded.path.name}" if self.loaded else "replay"

        def progress(done: int, total: int, entry: LogEntry) -> None:
            self.post_message(self.Advanced(done, total, entry))

        report: ReplayReport | None = None
        try:
            report = await self.service.replay(
                self.connection,
                previews,
                bulk=bulk,
                limits=self.bulk_limits if bulk else self.limits,
                progress=progress,
                cancel=self.cancel_event,
                source=source,
                observer=post_deliveries_to(self.app),
            )
        finally:
            self.post_message(self.Finished(report))
        return report

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self.running = False
        self._refresh_buttons()
        if message.report is None:
            self._status("The replay was interrupted.", "bold red")
            return
        self.report = message.report
        self._show_report(message.report)

    @on(Advanced)
    def _advanced(self, message: Advanced) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)
        entry = message.entry
        outcome = entry.outcome.value if entry.outcome else "cut off"
        self._status(f"{message.done}/{message.total} sent · last call: {outcome}", "bold")

    def _show_report(self, report: ReplayReport) -> None:
        rate = report.sent_items / report.elapsed_s if report.elapsed_s > 0 else 0.0
        outcomes = ", ".join(f"{n} {o}" for o, n in sorted(report.outcomes.items()))
        head = (
            "Cancelled" if report.cancelled else ("Done" if report.ok else "Finished with failures")
        )
        style = "bold yellow" if report.cancelled else ("bold green" if report.ok else "bold red")
        text = Text(f"{head}: {report.sent_items}/{report.total_items} events sent", style=style)
        text.append(
            f" in {report.calls} calls ({outcomes}) · {report.rate_limited_attempts} × 429 · "
            f"{report.elapsed_s:.1f} s, {rate:.0f} events/s"
        )
        failed = next(
            (e for e in report.entries if e.outcome is not None and not e.outcome.ok), None
        )
        if failed is not None and failed.hint is not None:
            presenting = is_presentation(self.app)
            title = conceal(failed.hint.title, self.connection, presenting=presenting)
            fix = conceal(failed.hint.app_fix, self.connection, presenting=presenting)
            text.append(f"\nFirst failure: {title}", style="red")
            text.append(f"\nFix: {fix}", style="yellow")
        self.query_one("#replay-status", Static).update(text)

    def _status(self, message: str, style: str = "") -> None:
        self.query_one("#replay-status", Static).update(Text(message, style=style))

    @on(Button.Pressed, "#replay-cancel")
    def cancel_replay(self) -> None:
        """Stop between calls: what is in flight finishes and is logged; nothing half-sent."""
        if self.running and self.cancel_event is not None:
            self.cancel_event.set()
            self._status("Cancelling after the calls in flight…", "bold yellow")

    def action_cancel_or_close(self) -> None:
        if self.running:
            self.cancel_replay()
        else:
            self.dismiss(self.report)
