"""The main screen: credentials, composer, live preview and delivery log, and the state they share.

It owns the connection, the composed event's preview and its JSON error as reactives; the panels
report by messages (ConnectionChanged, EventEdited, SendRequested, ...) and the watchers here
update the top bar and the preview, so no code reaches into a panel to read its state at send
time. Sending goes through the app's one `DeliveryService`; the log hears of each delivery through
the Delivery* messages every sender's observer posts to the app, which hands them to this screen.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize, ScreenResume
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Static, Tab, Tabs

from tui.delivery.service import refusal
from tui.mapping.preview import Preview, preview_event
from tui.safe_text import visible
from tui.ui import log_actions, startup
from tui.ui.connection_state import ConnectionStatus, State
from tui.ui.host import DebuggerApp
from tui.ui.layout import ResponsiveLayout, topbar_text
from tui.ui.messages import (
    ConnectionChanged,
    ConnectionTested,
    EventEdited,
    SendRequested,
    post_deliveries_to,
)
from tui.ui.themes import conceal_text, entry_secrets, is_presentation, secrets_of
from tui.ui.widgets.composer import ComposerPanel, describe_error
from tui.ui.widgets.credentials import CredentialsPanel
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.ui.widgets.preview import PreviewPanel, findings_summary
from tui.webengage.entry import LogEntry
from tui.webengage.request import Connection, WebEngageRequest

PRESENTING_NOTE = (
    "Presentation mode: the credentials stay hidden. Turn it off from the palette (ctrl+p) first."
)

W = TypeVar("W", bound=Widget)

HISTORY_LOAD = 200
"""How many past deliveries the log shows on start (the rest stay searchable on disk)."""

FOCUS_OF_TAB = {
    "credentials": "#license-code",
    "event": "#properties",
    "request": "#request-body",
    "log": "#log-table",
}


class MainScreen(Screen[None]):
    """See the module docstring. Built by the app with its layout classes already set."""

    connection: reactive[Connection] = reactive(Connection, init=False)
    # Nothing draws from these on the screen itself: their watchers update the widgets, so a
    # change need not repaint the whole screen (a full repaint on every keystroke cost a frame).
    preview: reactive[Preview | None] = reactive(
        None, init=False, always_update=True, repaint=False
    )
    json_error: reactive[str | None] = reactive(None, init=False, repaint=False)

    def __init__(
        self, connection: Connection, *, defer_hidden: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.set_reactive(MainScreen.connection, connection)
        self.responsive = ResponsiveLayout()
        self.defer_hidden = defer_hidden
        """Mount what the first screen hides just after it is painted (startup.after_first_paint)."""
        self._panels: dict[type[Widget], Widget | None] = {}  # (see `_one`)
        self._ready = False
        self.status = ConnectionStatus()

    @property
    def debugger(self) -> DebuggerApp:
        assert isinstance(self.app, DebuggerApp)
        return self.app

    # ---- layout ----

    def panels(self) -> ComposeResult:
        """This screen's widgets. The app mounts them in its own compose step (`App.compose`),
        which Textual awaits before the app counts as ready: a screen's own compose would run
        after that, so the first keys and the first frame could find no panels."""
        app = self.debugger
        # Below WIDE_MIN columns the first screen shows neither the credentials panel nor the
        # log's filter row (app.tcss, log_filter.py): they can wait until it is painted.
        defer = self.defer_hidden and not self.has_class("-wide")
        yield Static("", id="topbar")
        yield Tabs(
            Tab("Event", id="event"),
            Tab("Request", id="request"),
            Tab("Log", id="log"),
            Tab("Credentials", id="credentials"),
            id="nav",
        )
        with Horizontal(id="workspace"):
            with Vertical(id="left-col"):
                credentials = CredentialsPanel(
                    self.connection,
                    app.settings,
                    sandbox_url=app.sandbox.url if app.sandbox else self.connection.route_to,
                    id="credentials-panel",
                )
                yield startup.after_first_paint(credentials, defer)
                yield ComposerPanel(app.blueprint.signal_events(), id="composer-panel")
            yield PreviewPanel(id="preview-panel")
        yield DeliveryLog(id="log-panel", defer_filter=defer)
        yield Footer()

    def ready(self) -> None:
        """Arrange the panels, fill the top bar and the log, once the whole tree is mounted."""
        self._ready = True
        if self.app.is_headless:  # tests, screenshots: a blinking cursor makes every frame differ
            for field in self.query(Input):
                field.cursor_blink = False
        self.apply_layout(self.app.size.width)
        self.update_topbar()
        self._follow_rate_target()
        self._load_history()
        if self.json_error is not None:  # the composer spoke before the preview panel was there
            self.watch_json_error(self.json_error)
        elif self.preview is not None:
            self.watch_preview(self.preview)

    def _on_screen_resume(self, event: ScreenResume) -> None:
        startup.first_resume(self, event)
        super()._on_screen_resume(event)

    def on_resize(self, event: Resize) -> None:
        self.apply_layout(event.size.width)

    def apply_layout(self, width: int) -> None:
        if not self._ready:  # a resize at start: `ready` arranges once the tabs are there
            return
        for tabs in self.query("#nav").results(Tabs):
            self.responsive.arrange(self, tabs, width)

    @on(Tabs.TabActivated, "#nav")
    def _on_tab(self, event: Tabs.TabActivated) -> None:
        self.responsive.select(event.tab.id or "event")
        self.apply_layout(self.app.size.width)

    def show_tab(self, tab: str) -> None:
        tab = self.responsive.select(tab)
        if self.responsive.mode != "wide":
            self.query_one("#nav", Tabs).active = tab
        self.apply_layout(self.app.size.width)

    def goto(self, where: str) -> None:
        """Show a tab and put the cursor in its main field."""
        if where == "credentials" and is_presentation(self.app):
            self.notify(PRESENTING_NOTE, severity="warning")
            return
        narrow = self.responsive.mode == "narrow"
        if where == "event" and narrow and self.responsive.tab == "event":
            where = (
                "request"  # F3 again: the request and its findings, a narrow screen's other half
            )
        self.show_tab(where)
        target = FOCUS_OF_TAB.get(where)
        for widget in self.query(target) if target else ():  # none yet if still deferred
            widget.focus()

    def update_topbar(self) -> None:
        secrets = secrets_of(self.connection) if is_presentation(self.app) else []
        text = topbar_text(self.connection, self.status.badge(self.connection))
        for bar in self.query("#topbar").results(Static):
            bar.update(conceal_text(text, secrets))
        state = self.status.state(self.connection)
        panel = self.credentials_panel()
        if panel is not None and state in (State.CHANGED, State.RECONNECT):
            words = self.status.words(self.connection)
            panel.show_state(words, "yellow" if state is State.CHANGED else "red")

    @on(ConnectionTested)
    def _on_tested(self, message: ConnectionTested) -> None:
        self.status.tested(self.connection, message.ok)
        self.update_topbar()

    def presentation_changed(self) -> None:
        """Presentation mode toggled: conceal or show the credentials in the texts that name them;
        the Credentials tab goes away (at every width), and the key is masked again."""
        presenting = is_presentation(self.app)
        self.update_topbar()
        for panel in self.query(PreviewPanel):
            panel.refresh_presentation()
        for log in self.query(DeliveryLog):
            log.refresh_presentation()
        for tabs in self.query("#nav").results(Tabs):
            if presenting:
                tabs.hide("credentials")
            else:
                tabs.show("credentials")
        if presenting:
            if (credentials := self.credentials_panel()) is not None:
                credentials.set_revealed(False)
            if self.responsive.tab == "credentials":
                self.show_tab("event")

    # ---- state ----

    def watch_connection(self) -> None:
        self.update_topbar()
        self._follow_rate_target()
        self.refresh_preview()

    def _follow_rate_target(self) -> None:
        """The gauge shows the current target's rate limit (another account has its own)."""
        connection = self.connection
        if log := self.delivery_log():
            log.use_rate_target(connection.route_to or connection.host, connection.license_code)
        self.refresh_preview()

    def watch_preview(self, preview: Preview | None) -> None:
        if preview is not None and (composer := self._composer()) is not None:
            composer.show_findings(findings_summary(list(preview.findings)), preview.has_errors)
        if preview is not None and (panel := self._panel()) is not None:
            panel.show(preview)
            if panel.refusal_shown and refusal(self.connection, preview) is None:
                panel.show_refusal(None)  # fixed: the "not sent" banner goes

    def watch_json_error(self, error: str | None) -> None:
        if error is not None and (panel := self._panel()) is not None:
            panel.mark_stale(error)

    def _composer(self) -> ComposerPanel | None:
        return self._one(ComposerPanel)

    def _panel(self) -> PreviewPanel | None:
        return self._one(PreviewPanel)

    def _one(self, kind: type[W]) -> W | None:
        """The screen's `kind` panel, attached, found once (a query walks the whole tree, and
        this runs on every keystroke)."""
        panel = self._panels.get(kind)
        if panel is None or not panel.is_attached:
            found = self.query(kind)
            panel = self._panels[kind] = found.first() if found else None
        return panel if isinstance(panel, kind) and panel.is_attached else None

    def on_event_edited(self, message: EventEdited) -> None:
        if message.raw is None:
            self.json_error = message.error or "invalid JSON"
            return
        self.json_error = None
        app = self.debugger
        self.preview = preview_event(
            message.raw,
            self.connection,
            app.blueprint,
            now=app.clock() if app.clock else None,
            known_types=app.service.recorder.known_types(self.connection.license_code),
        )

    def refresh_preview(self) -> None:
        """Preview the composer's event again (the connection or the type memory changed)."""
        for composer in self.query(ComposerPanel):
            composer.emit()

    @on(ConnectionChanged)
    def _on_connection_changed(self, message: ConnectionChanged) -> None:
        self.connection = message.connection

    def sync(self) -> None:
        """Read the panels now: a key press may overtake the Changed messages of the last edit."""
        if (panel := self.credentials_panel()) is not None:
            self.connection = panel.connection
        raw, error = self.composer.raw_event()
        self.on_event_edited(EventEdited(raw, describe_error(error) if error else None))

    @property
    def composer(self) -> ComposerPanel:
        return self.query_one(ComposerPanel)

    def credentials_panel(self) -> CredentialsPanel | None:
        """The credentials panel; None only in the moment before a deferred one is mounted."""
        found = self.query(CredentialsPanel)
        return found.first() if found and found.first().is_mounted else None

    def delivery_log(self) -> DeliveryLog | None:
        found = self.query(DeliveryLog)
        return found.first() if found else None

    # ---- sending ----

    @on(SendRequested)
    def _on_send_requested(self, message: SendRequested) -> None:
        self.sync()
        refused = refusal(
            self.connection, self.preview, json_error=self.json_error, forced=message.forced
        )
        reason = refused.message() if refused is not None else None
        self.query_one(PreviewPanel).show_refusal(reason)
        if reason is not None:
            self.notify(reason, title="Not sent", severity="error", timeout=8)
            return
        assert self.preview is not None
        self.deliver(
            self.preview.request,
            event_name=self.preview.event_name,
            findings=list(self.preview.findings),
            forced=message.forced,
            source=self.composer.source,
        )

    def resend(self, entry_id: str, *, retry: bool = False) -> None:
        """Send a logged entry again: as new, or (`retry`) with its own x-request-id."""
        log_actions.resend(self, entry_id, retry=retry)

    def edit(self, entry_id: str) -> None:
        """Edit and resend: the entry's event back in the composer, on the Event tab."""
        log_actions.edit(self, entry_id)

    def deliver(
        self,
        request: WebEngageRequest,
        *,
        event_name: str,
        findings: list[Any],
        forced: bool,
        source: str,
    ) -> None:
        """Send in the background (an app worker: its one error handler hears of a failure);
        the log hears about the delivery only through messages."""
        send = self.debugger.service.deliver(
            self.connection,
            request,
            event_name=event_name,
            findings=findings,
            forced=forced,
            source=source,
            observer=post_deliveries_to(self.app),
        )
        self.app.run_worker(send, name="_deliver", group="deliveries", exit_on_error=False)

    def delivery_started(self, entry: LogEntry) -> None:
        if log := self.delivery_log():
            log.upsert(entry, select=True)

    def delivery_updated(self, entry: LogEntry) -> None:
        if log := self.delivery_log():
            log.upsert(entry)

    def delivery_finished(self, entry: LogEntry, learned: bool) -> None:
        log = self.delivery_log()
        if log is None:
            return
        log.upsert(entry)
        if self.status.delivered(self.connection, entry):
            self.update_topbar()
        if learned:
            self.refresh_preview()
        if entry.hint is not None:
            title = visible(entry.hint.title)
            if is_presentation(self.app):
                title = conceal_text(Text(title), entry_secrets(entry)).plain
            self.notify(
                title,
                markup=False,
                title=entry.event_name or "delivery",
                severity="information" if entry.outcome and entry.outcome.ok else "error",
            )

    def _load_history(self) -> None:
        history = self.debugger.history
        if history is None:
            return
        try:
            entries = history.latest(HISTORY_LOAD)
        except Exception as error:
            self.notify(f"history not loaded: {error}", severity="warning")
            return
        self.query_one(DeliveryLog).load_history(history, entries)  # filter and paging: all of it
