"""Replay a file of Signal events as one run: counted, checked, paced, cancellable, all logged.

Before anything is sent the screen says how many events the file holds, where they go and what
the findings are (events with errors are held back unless included). The run is a backfill
(`tui.delivery.backfill`): streamed, never held, paced under the account's limit (bulk endpoints,
25 events a call, where they fit): no 429s, nothing lost. A bulk run is checkpointed: Resume
continues an unfinished run of the file (confirmed calls skipped, the others sent with their same
request ids). Escape or Cancel stops it between calls; each call reaches the app's log at once.
"""

from __future__ import annotations

import asyncio
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

from tui.delivery.backfill import Backfill, Source, Survey, eta_text, limits_for, survey
from tui.delivery.plans import Job
from tui.delivery.replay import ReplayReport
from tui.delivery.service import DeliveryService
from tui.mapping.blueprint import Blueprint
from tui.mapping.signal import InputError
from tui.store.checkpoints import Checkpoints, RunRecord
from tui.ui.messages import post_deliveries_to
from tui.ui.themes import conceal, is_presentation
from tui.webengage.api import BULK_ITEMS_MAX
from tui.webengage.entry import LogEntry
from tui.webengage.findings import Severity
from tui.webengage.pacing import PaceLimits
from tui.webengage.request import Connection

BULK_FROM = BULK_ITEMS_MAX + 1
"""From this many events on, the bulk endpoints are the default (fewer calls, same events)."""


@dataclass
class LoadedFile:
    """A file read and previewed (streamed: only the counts are kept)."""

    path: Path
    found: Survey = field(default_factory=Survey)

    @property
    def events(self) -> int:
        return self.found.events

    def summary(self) -> Text:
        """`120 events: 118 to /events, 2 to /users · 3 with errors · 10 warnings` + top findings."""
        count, found = self.found.events, self.found
        text = Text(f"{count} event{'s' if count != 1 else ''}", style="bold")
        text.append(" in " + self.path.name)
        if found.endpoints:
            text.append(
                ": " + ", ".join(f"{n} to /{e}" for e, n in sorted(found.endpoints.items()))
            )
        errors = found.errors
        text.append("\n")
        text.append(
            f"{errors} with errors (held back unless included)" if errors else "no errors",
            style="bold red" if errors else "green",
        )
        warnings = found.severities.get(Severity.WARNING, 0)
        text.append(f" · {warnings} warning{'s' if warnings != 1 else ''}", style="yellow")
        for (severity, code), n in found.codes.most_common(5):
            style = "red" if severity is Severity.ERROR else "yellow"
            text.append(f"\n  {n:>5} × {severity.value} {code}", style=style)
        return text


class ReplayScreen(Screen[ReplayReport | None]):
    """Pick a file, check it, replay it. Dismisses with the last run's report (or None)."""

    DEFAULT_CSS = """
    ReplayScreen { layout: vertical; }
    ReplayScreen #replay-title { background: $panel; padding: 0 1; text-style: bold; }
    ReplayScreen #replay-main { height: 1fr; padding: 0 1; }
    ReplayScreen #replay-pick { height: auto; } ReplayScreen #replay-pick Input { width: 1fr; }
    ReplayScreen #replay-pick Button { margin-left: 1; }
    ReplayScreen #replay-error { color: $error; text-style: bold; height: auto; }
    ReplayScreen #replay-summary { height: auto; margin: 1 0; }
    ReplayScreen #replay-options { height: auto; } ReplayScreen #replay-options Checkbox { margin-right: 3; }
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
        self.unfinished: RunRecord | None = None
        self.first_failure: LogEntry | None = None

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
                yield Button("Resume", variant="success", id="replay-resume")
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
        """Stream and preview every event off the UI thread, keeping only the counts."""
        try:
            found = survey(
                Source(path, self.connection, self.blueprint), bulk=False, include_errors=True
            )
        except InputError as error:
            self.post_message(self.FileLoaded(None, str(error)))
            return
        self.post_message(self.FileLoaded(LoadedFile(path, found)))

    def _backfill(self) -> Backfill | None:
        """The run the options describe, checkpointed when the app keeps a history."""
        if self.loaded is None:
            return None
        bulk = self.query_one("#replay-bulk", Checkbox).value
        include = self.query_one("#replay-include-errors", Checkbox).value
        history = self.service.recorder.history
        checkpoints = Checkpoints(history) if history is not None else None
        limits, label = (
            self.bulk_limits if bulk else self.limits,
            f"replay of {self.loaded.path.name}",
        )
        source = Source(self.loaded.path, self.connection, self.blueprint)
        return Backfill(self.service, source, bulk, include, limits, checkpoints, label)

    @on(FileLoaded)
    def _file_loaded(self, message: FileLoaded) -> None:
        if message.loaded is None or not message.loaded.events:
            self.loaded = None
            loaded = message.loaded
            self._error(message.error if loaded is None else f"{loaded.path}: no events in it.")
            self.query_one("#replay-summary", Static).update("No file loaded.")
        else:
            self.loaded = message.loaded
            self.query_one("#replay-summary", Static).update(self.loaded.summary())
            self.query_one("#replay-bulk", Checkbox).value = self.loaded.events >= BULK_FROM
            self._show_plan()
        self._refresh_buttons()

    @on(Checkbox.Changed)
    def _options_changed(self) -> None:
        if self.loaded is not None and not self.running:
            self._show_plan()
            self._refresh_buttons()

    def _show_plan(self) -> None:
        """What Replay will do (events, calls, time), and the offer to resume an unfinished run."""
        count, bulk = self.sendable(), self.query_one("#replay-bulk", Checkbox).value
        calls = -(-count // BULK_ITEMS_MAX) if bulk else count
        limits = (self.bulk_limits if bulk else self.limits) or limits_for(bulk)
        backfill = self._backfill()
        self.unfinished = backfill.unfinished() if backfill is not None else None
        offer = ""
        if backfill is not None and self.unfinished is not None:
            done, total = backfill.done_before(self.unfinished), self.unfinished.total_events
            offer = (
                f"\nAn unfinished replay of this file: {done} of {total} events confirmed. "
                "Resume continues it (the same request ids: nothing twice); Replay starts again."
            )
        self._status(f"Replay sends {eta_text(count, calls, bulk, limits)}.{offer}")

    def _error(self, message: str | None) -> None:
        self.query_one("#replay-error", Static).update(message or "")

    def _refresh_buttons(self) -> None:
        self.query_one("#replay-start", Button).disabled = self.running or self.loaded is None
        self.query_one("#replay-cancel", Button).disabled = not self.running
        self.query_one("#replay-load", Button).disabled = self.running
        resume_shown = self.unfinished is not None and not self.running
        self.query_one("#replay-resume", Button).display = resume_shown

    def sendable(self) -> int:
        if self.loaded is None:
            return 0
        include = self.query_one("#replay-include-errors", Checkbox).value
        return self.loaded.found.sendable(include)

    @on(Button.Pressed, "#replay-resume")
    def action_resume(self) -> None:
        self.action_start(resume=True)

    @on(Button.Pressed, "#replay-start")
    def action_start(self, resume: bool = False) -> None:
        backfill = self._backfill()
        if self.running or self.loaded is None or backfill is None:
            return
        count = self.sendable()
        if not count:
            self._status(
                "Nothing to send: every event has errors (tick “Include events with errors”).",
                "bold red",
            )
            return
        record = self.unfinished if resume else None
        if self.unfinished is not None and not resume:
            backfill.abandon(self.unfinished)  # starting again, as the offer said
        self.running, self.report, self.first_failure, self.cancel_event = (
            True,
            None,
            None,
            asyncio.Event(),
        )
        done = backfill.done_before(record) if record is not None else 0
        self.query_one(ProgressBar).update(total=count, progress=done)
        held = self.loaded.events - count
        note = f" ({held} with errors held back)" if held else ""
        self._status(f"{'Resuming' if resume else 'Replaying'} {count} events{note}…", "bold")
        self._refresh_buttons()
        self.run_worker(
            self.replay(backfill, record),
            group="replay-run",
            exclusive=True,
            description="replay",
            exit_on_error=False,
        )

    async def replay(self, backfill: Backfill, record: RunRecord | None) -> ReplayReport | None:
        """The run; it reports only by messages, never touching a widget of a screen maybe gone."""
        assert self.loaded is not None

        def progress(done: int, total: int, entry: LogEntry) -> None:
            self.post_message(self.Advanced(done, total, entry))

        def ended(job: Job, entry: LogEntry) -> None:
            if self.first_failure is None and entry.outcome is not None and not entry.outcome.ok:
                self.first_failure = entry

        report = None
        try:
            report = await backfill.run(
                self.loaded.found,
                resume=record,
                on_call=ended,
                progress=progress,
                observer=post_deliveries_to(self.app),
                cancel=self.cancel_event,
            )
        finally:
            self.post_message(self.Finished(report))
        return report

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self.running = False
        self._show_plan()  # (a cancelled bulk run can be resumed)
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
        failed = self.first_failure
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
