"""Run a journey (a funnel of Signal events for one made-up test user) and watch each step land.

Lists the journeys found in the journey folders (a broken file is listed with its error, not
hidden), shows the chosen one's steps, and runs it in a worker with per-step progress. Every step
is a delivery the app logs like any other (the Delivery* messages), and the test-user id prefix is
editable but never empty, so a demo cannot write to a real customer's profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Input,
    Label,
    OptionList,
    ProgressBar,
    Static,
)
from textual.widgets.option_list import Option

from tui.delivery.journeys import (
    DEFAULT_ID_PREFIX,
    Journey,
    JourneyIdentity,
    StepResult,
    journey_directories,
    load_journeys,
    make_identity,
    materialise,
    summary_line,
)
from tui.delivery.service import DeliveryService
from tui.mapping.blueprint import Blueprint
from tui.mapping.preview import preview_event
from tui.store.settings import AppSettings
from tui.ui.messages import post_deliveries_to
from tui.ui.screens._render import json_text
from tui.ui.themes import conceal, is_presentation
from tui.webengage.findings import Severity
from tui.webengage.request import Connection

STATUS_STYLE = {
    "pending": "dim",
    "running": "bold cyan",
    "accepted": "bold green",
    "failed": "bold red",
    "refused": "bold red",
    "skipped": "dim",
}


def _settings(screen: Screen[Any]) -> AppSettings:
    """The running app's settings (its config folder), else those of the environment."""
    try:
        found = getattr(screen.app, "settings", None)
    except RuntimeError:  # no app is running (textual's NoActiveAppError)
        found = None
    return found if isinstance(found, AppSettings) else AppSettings()


class JourneysScreen(Screen[None]):
    """Pick a journey, run it, see every step's outcome. Escape goes back; a run keeps going
    in the app's background and every step still reaches the delivery log."""

    DEFAULT_CSS = """
    JourneysScreen { layout: vertical; }
    JourneysScreen #journeys-title { background: $panel; padding: 0 1; text-style: bold; }
    JourneysScreen #journeys-body { height: 1fr; }
    JourneysScreen #journeys-side { width: 22; padding: 0 1 0 0; }
    JourneysScreen #journeys-list { height: 1fr; }
    JourneysScreen #journeys-errors { color: $error; height: auto; max-height: 8; }
    JourneysScreen #journeys-main { width: 1fr; padding: 0 1; }
    JourneysScreen #journeys-description { height: auto; margin-bottom: 1; }
    JourneysScreen #journeys-steps { height: auto; max-height: 12; }
    JourneysScreen #journeys-step-scroll { height: 1fr; border-top: hkey $panel; }
    JourneysScreen #journeys-controls { height: auto; margin-top: 1; }
    JourneysScreen #journeys-controls Label { padding: 1 1 0 0; }
    JourneysScreen #journeys-prefix { width: 22; }
    JourneysScreen #journeys-run { margin-left: 1; min-width: 9; }
    JourneysScreen ProgressBar { margin: 1 0 0 0; }
    JourneysScreen #journeys-summary { height: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        # The same keys as the app's Send (the app yields them while a screen is on top);
        # never ctrl+g / ctrl+s, which zellij takes for its lock and scroll modes.
        Binding("f5,ctrl+r", "run", "Run journey", priority=True),
    ]

    @dataclass
    class StepChanged(Message):
        """A step of the run started or finished (posted by the worker, shown by the screen)."""

        result: StepResult

    @dataclass
    class RunFinished(Message):
        """The run ended (every step done, or stopped): its results, empty if none started."""

        results: list[StepResult]
        identity: JourneyIdentity

    def __init__(
        self,
        connection: Connection,
        blueprint: Blueprint,
        service: DeliveryService,
        *,
        directories: Sequence[Path] | None = None,
        id_prefix: str = DEFAULT_ID_PREFIX,
        name: str | None = None,
    ) -> None:
        """`directories` hold journey files (default: the user's, then the shipped ones)."""
        super().__init__(name=name)
        self.connection = connection
        self.blueprint = blueprint
        self.service = service
        folders = journey_directories(_settings(self)) if directories is None else directories
        self.journeys, self.errors = load_journeys(folders)
        self.id_prefix = id_prefix
        self.selected: Journey | None = self.journeys[0] if self.journeys else None
        self.results: list[StepResult] = []
        self.latest: dict[int, StepResult] = {}
        self.planned: list[dict[str, Any]] = []
        self.identity: JourneyIdentity | None = None
        self.finished: JourneysScreen.RunFinished | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        yield Static("Journeys · one test user through a funnel", id="journeys-title")
        with Horizontal(id="journeys-body"):
            with Vertical(id="journeys-side"):
                yield OptionList(
                    *[
                        Option(
                            Text.assemble(
                                (j.display_title(), "bold"), (f"\n{len(j.steps)} steps", "dim")
                            ),
                            id=j.name,
                        )
                        for j in self.journeys
                    ],
                    id="journeys-list",
                )
                yield Static(self._errors_text(), id="journeys-errors")
            with Vertical(id="journeys-main"):
                yield Static("", id="journeys-description")
                yield DataTable(id="journeys-steps", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="journeys-step-scroll"):
                    yield Static("", id="journeys-step-detail")
                with Horizontal(id="journeys-controls"):
                    yield Label("Test-user ids")
                    yield Input(self.id_prefix, id="journeys-prefix")
                    yield Button("Run", variant="primary", id="journeys-run")
                yield ProgressBar(total=1, show_eta=False, id="journeys-progress")
                yield Static("", id="journeys-summary")
        yield Footer()

    def _errors_text(self) -> Text:
        text = Text()
        if not self.journeys:
            text.append("No journeys found.\n", style="bold")
        for error in self.errors:
            text.append(f"{error}\n")
        return text

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("#", key="n", width=2)
        table.add_column("Step", key="step", width=19)
        table.add_column("WebEngage gets", key="sends", width=15)
        table.add_column("Status", key="status", width=8)
        table.add_column("Detail", key="detail")
        self._show_journey()
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self) -> None:
        """Presentation mode toggled: redraw the texts that may name the license code."""
        if not self.is_attached:
            return
        try:
            self._show_step(self.query_one(DataTable).cursor_row)
        except NoMatches:
            return
        if self.finished is not None:
            self._run_finished(self.finished)

    def _show_journey(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        journey = self.selected
        description = self.query_one("#journeys-description", Static)
        run_button = self.query_one("#journeys-run", Button)
        run_button.disabled = journey is None or self.running
        if journey is None:
            description.update("Add a journey file (TOML) to a journeys folder to run one.")
            return
        text = Text(journey.display_title(), style="bold")
        if journey.description:
            text.append(f"\n{journey.description}")
        description.update(text)
        names = self._webengage_names(journey)
        for index, (step, sends) in enumerate(zip(journey.steps, names, strict=True)):
            pending = Text("pending", style="dim")
            table.add_row(str(index + 1), step.label(), sends, pending, "", key=str(index))
        progress = self.query_one(ProgressBar)
        progress.update(total=len(journey.steps), progress=0)

    def _webengage_names(self, journey: Journey) -> list[str]:
        """What each step becomes in WebEngage under the active blueprint (before any run)."""
        identity = make_identity(DEFAULT_ID_PREFIX, run_id="preview")
        events = materialise(journey, identity, start=datetime.now(UTC))
        self.planned = events
        self.latest = {}
        names = []
        for event in events:
            if event.get("type") == "identify":
                names.append("user profile")
                continue
            preview = preview_event(event, self.connection, self.blueprint)
            names.append(preview.event_name or "?")
        return names

    @on(OptionList.OptionHighlighted, "#journeys-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.running:
            return
        chosen = next((j for j in self.journeys if j.name == event.option.id), None)
        if chosen is not None and chosen is not self.selected:
            self.selected = chosen
            self.results = []
            self.query_one("#journeys-summary", Static).update("")
            self._show_journey()

    @on(Button.Pressed, "#journeys-run")
    def action_run(self) -> None:
        if self.running or self.selected is None:
            return
        prefix = self.query_one("#journeys-prefix", Input).value
        try:
            self.identity = make_identity(prefix)
        except ValueError as error:
            self.query_one("#journeys-summary", Static).update(Text(str(error), style="bold red"))
            return
        self.running = True
        self._show_journey()
        self.query_one("#journeys-summary", Static).update(
            Text(
                f"Running as user_id {self.identity.user_id}, "
                f"anonymous_id {self.identity.anonymous_id} on {self.connection.host}…",
                style="bold",
            )
        )
        # The app owns the worker: leaving this screen does not cut a run off half-way, and
        # every step still reaches the log.
        self.app.run_worker(
            self.run(self.selected, self.identity),
            group="journey-run",
            description=f"journey {self.selected.name}",
            exit_on_error=False,
        )

    async def run(self, journey: Journey, identity: JourneyIdentity) -> list[StepResult]:
        """Deliver the steps; progress comes back as StepChanged / RunFinished, entries as the
        app's Delivery* messages (posted to the app, so they arrive even after Escape)."""

        def on_step(result: StepResult) -> None:
            self.post_message(self.StepChanged(result))

        results: list[StepResult] = []
        try:
            results = await self.service.journey(
                journey,
                self.connection,
                blueprint=self.blueprint,
                identity=identity,
                on_step=on_step,
                observer=post_deliveries_to(self.app),
            )
        finally:
            self.post_message(self.RunFinished(results, identity))
        return results

    @on(RunFinished)
    def _run_finished(self, message: RunFinished) -> None:
        self.finished = message
        self.running = False
        if not self.is_attached:  # the run outlived the screen (Escape while it ran)
            return
        try:
            self._show_finished(message)
        except NoMatches:  # closed while the run ended: the widgets are being taken down
            return

    def _show_finished(self, message: RunFinished) -> None:
        self.query_one("#journeys-run", Button).disabled = False
        self.results = message.results
        if not message.results:
            self.query_one("#journeys-summary", Static).update(
                Text("The run stopped before its first step.", style="bold red")
            )
            return
        ok = all(r.ok for r in message.results)
        self.query_one("#journeys-summary", Static).update(
            Text(
                self._hide(f"{summary_line(message.results)} · user_id {message.identity.user_id}"),
                style="bold green" if ok else "bold red",
            )
        )

    @on(StepChanged)
    def _step_changed(self, message: StepChanged) -> None:
        if not self.is_attached:
            return
        try:
            self._show_step_result(message.result)
        except NoMatches:  # closed mid-run: the widgets are being taken down
            return

    def _show_step_result(self, result: StepResult) -> None:
        table = self.query_one(DataTable)
        key = str(result.index)
        style = STATUS_STYLE.get(result.status, "")
        table.update_cell(key, "status", Text(result.status, style=style))
        if result.event_name:
            users = result.entry is not None and result.entry.endpoint.value == "users"
            table.update_cell(key, "sends", "user profile" if users else result.event_name)
        table.update_cell(key, "detail", self._detail(result), update_width=True)
        if result.status not in ("pending", "running"):
            self.query_one(ProgressBar).update(progress=result.index + 1)
        self.latest[result.index] = result
        if table.cursor_row == result.index or result.status in ("failed", "refused"):
            if table.cursor_row != result.index:
                table.move_cursor(row=result.index)
            self._show_step(result.index)

    @on(DataTable.RowHighlighted, "#journeys-steps")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_step(event.cursor_row)

    def _hide(self, text: str) -> str:
        return conceal(text, self.connection, presenting=is_presentation(self.app))

    def _show_step(self, index: int) -> None:
        """The highlighted step: its outcome and hint (a failure's fix first), then its event."""
        detail = self.query_one("#journeys-step-detail", Static)
        result = self.latest.get(index)
        text = Text()
        if result is not None and result.entry is not None and result.entry.hint is not None:
            hint = result.entry.hint
            style = "bold green" if result.ok else "bold red"
            text.append(f"{self._hide(hint.title)}\n", style=style)
            if not result.ok:
                text.append(f"Fix: {self._hide(hint.app_fix)}\n", style="yellow")
        elif result is not None and result.status == "refused":
            text.append("Not sent: the preview has errors.\n", style="bold red")
            for finding in result.findings:
                if finding.severity is Severity.ERROR:
                    text.append(f"{finding.path}: {finding.message}\n", style="red")
                    text.append(f"Fix: {finding.fix}\n", style="yellow")
        event = result.event if result is not None else None
        if event is None and 0 <= index < len(self.planned):
            event = self.planned[index]
            text.append("Signal event (ids are made up afresh for each run):\n", style="dim")
        elif event is not None:
            text.append("Signal event sent:\n", style="dim")
        if event is not None:
            text.append_text(json_text(event))
        detail.update(text)

    @staticmethod
    def _detail(result: StepResult) -> str:
        entry = result.entry
        if entry is not None and entry.outcome is not None:
            latency = f" · {entry.latency_ms:.0f} ms" if entry.latency_ms is not None else ""
            status = f" {entry.status}" if entry.status is not None else f" {entry.outcome.value}"
            return f"/{entry.endpoint.value}{status}{latency}"
        return {"refused": "not sent: errors", "skipped": "not sent"}.get(result.status, "")

    def action_close(self) -> None:
        self.dismiss(None)
