"""The Textual app: credentials, composer, live preview and delivery log, over `tui.core`.

Built only by `create_app(settings, connection=..., transport=..., ...)`, so the CLI and every test
construct the same thing and a test can hand it a sandbox. Workers call the domain's client and
report by posting messages (messages.py); the handlers here are the only code that touches the log.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, Tab, Tabs
from textual.worker import Worker, WorkerState

from tui.mapping.blueprint import Blueprint, default_blueprint
from tui.mapping.preview import Preview, preview_event
from tui.store.history import History
from tui.store.profiles import (
    ProfileError,
    missing_credentials,
    resolve_connection,
)
from tui.store.settings import AppSettings
from tui.ui import delivery
from tui.ui.extras import open_extra
from tui.ui.layout import MainScreen, ResponsiveLayout, topbar_text
from tui.ui.messages import (
    ConnectionChanged,
    DeliveryFinished,
    DeliveryStarted,
    DeliveryUpdated,
    EditRequested,
    EventEdited,
    ResendRequested,
    SendRequested,
)
from tui.ui.palette import DebuggerCommands
from tui.ui.sandbox_control import sandbox_connection, start_sandbox, stop_sandbox
from tui.ui.themes import PRESENTATION_CSS, conceal_text, is_presentation, secrets_of
from tui.ui.widgets.composer import ComposerPanel, describe_error
from tui.ui.widgets.credentials import CredentialsPanel
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.ui.widgets.preview import PreviewPanel
from tui.webengage.entry import LogEntry
from tui.webengage.request import Connection

if TYPE_CHECKING:  # the client (httpx) and the sandbox (aiohttp) load when first needed
    import httpx

    from tui.sandbox import Sandbox
    from tui.webengage.client import RetryPolicy
from tui.ui.widgets.sandbox_offer import SandboxOfferScreen

MAIN_SCREEN_ACTIONS = frozenset(
    {"send", "send_anyway", "load_file", "test_connection", "toggle_key", "save_profile", "goto"}
)
"""App actions that act on the composer or the credentials panel: they only run while the main
screen is the one on top (see `WebEngageDebuggerApp.check_action`)."""

HISTORY_LOAD = 200
"""How many past deliveries the log shows on start (the rest stay searchable on disk)."""


class WebEngageDebuggerApp(App[None]):
    """See the module docstring; construct with `create_app`."""

    CSS_PATH = "app.tcss"
    CSS = PRESENTATION_CSS
    TITLE = "webengage-debugger"
    COMMAND_PALETTE_BINDING = "f9"
    COMMANDS = App.COMMANDS | {DebuggerCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("f2", "goto('credentials')", "Creds", show=False),
        Binding("f3", "goto('event')", "Event", show=False),
        Binding("f4", "goto('log')", "Log"),
        Binding("f5,ctrl+r", "send", "Send", priority=True),
        Binding("f6", "send_anyway", "Send anyway", priority=True),
        Binding("f7", "test_connection", "Test conn"),
        Binding("f8", "toggle_key", "Key", show=False),
        Binding("ctrl+l", "load_file", "Load", priority=True),
        Binding("f10", "quit", "Quit", show=False),
        Binding("f12", "open_screen('mapping')", "Mapping"),
    ]

    def __init__(
        self,
        settings: AppSettings,
        connection: Connection,
        *,
        transport: httpx.AsyncBaseTransport | None,
        sandbox: Sandbox | None,
        blueprint: Blueprint,
        history: History | None,
        notices: list[str],
        offer_sandbox: bool = False,
    ) -> None:
        super().__init__()
        self.offer_sandbox = offer_sandbox
        self.deferred_sandbox: socket.socket | None = None
        """Set by `webengage-debugger --sandbox`: a listening socket (its port is already in the
        connection) that the sandbox serves once the first screen is painted."""
        self.defer_hidden_panels = False
        """Set by `webengage-debugger`: a panel the first screen hides (the credentials, below
        WIDE_MIN columns) is mounted just after the first paint: ~40 widgets less to build first."""
        self._deferred_credentials: CredentialsPanel | None = None
        self.own_sandbox: Sandbox | None = None
        """A sandbox the app started itself (and stops on exit)."""
        self.settings = settings
        self.connection = connection
        self.transport = transport
        self.sandbox = sandbox
        self.blueprint = blueprint
        self.history = history
        self.types = delivery.TypeMemory(history)
        self.notices = notices
        self.retry: RetryPolicy | None = None
        """Tests set tiny backoff delays here; None = the client's defaults."""
        self.clock: Callable[[], datetime] | None = None
        """What "now" is for a blank timestamp (tests fix it so snapshots are stable)."""
        self.preview: Preview | None = None
        self.json_error: str | None = None
        self.responsive = ResponsiveLayout()
        self._preview_panel: PreviewPanel | None = None

    # ---- layout ----

    def get_default_screen(self) -> Screen[Any]:
        """The main screen, born with its layout classes: adding them once the widgets are
        mounted would restyle all of them (~30 ms of the first paint)."""
        return MainScreen(id="_default", classes=" ".join(self.responsive.classes(self.size.width)))

    def compose(self) -> ComposeResult:
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
                    self.settings,
                    transport=self.transport,
                    sandbox_url=self.sandbox.url
                    if self.sandbox is not None
                    else self.connection.route_to,
                    id="credentials-panel",
                )
                if self.defer_hidden_panels and "-wide" not in self.responsive.classes(
                    self.size.width
                ):
                    self._deferred_credentials = credentials  # see _mount_deferred
                else:
                    yield credentials
                yield ComposerPanel(self.blueprint.signal_events(), id="composer-panel")
            yield PreviewPanel(id="preview-panel")
        yield DeliveryLog(id="log-panel")
        yield Footer()

    def on_mount(self) -> None:
        if self.is_headless:  # tests and screenshots: a blinking cursor makes every frame differ
            for field in self.query(Input):
                field.cursor_blink = False
        self._arrange(self.size.width)
        self._update_topbar()
        self.watch(self, "theme", self._presentation_changed, init=False)
        self._load_history()
        for notice in self.notices:
            self.notify(notice, severity="warning", timeout=10)
        if self.offer_sandbox:
            self.push_screen(SandboxOfferScreen(), self._offer_answered)
        if self._deferred_credentials is not None:
            self.call_after_refresh(self._mount_deferred)
        if self.deferred_sandbox is not None:
            # `--sandbox`: paint first, then import and start the server on the socket already in
            # the connection (importing aiohttp costs more than everything else on screen).
            sock = self.deferred_sandbox
            self.call_after_refresh(start_sandbox, self, sock=sock, switch=False)

    async def _mount_deferred(self) -> None:
        """Mount the credentials panel that compose held back, first in its column (unless the
        app is already closing)."""
        panel, self._deferred_credentials = self._deferred_credentials, None
        main = self._main_screen()
        if panel is None or main is None:
            return
        for column in main.query("#left-col"):
            if column.is_attached:
                await column.mount(panel, before=0)

    def _offer_answered(self, use_sandbox: bool | None) -> None:
        if use_sandbox:
            start_sandbox(self)
        else:
            self.action_goto("credentials")

    def on_unmount(self) -> None:
        stop_sandbox(self)

    def on_resize(self, event: Resize) -> None:
        self._arrange(event.size.width)

    def _arrange(self, width: int) -> None:
        if not self.query("#nav"):
            return
        tabs = self.query_one("#nav", Tabs)
        self.responsive.arrange(tabs.screen, tabs, width)  # the main screen, even under a modal

    @property
    def mode(self) -> str:
        return self.responsive.mode

    @on(Tabs.TabActivated, "#nav")
    def _on_tab(self, event: Tabs.TabActivated) -> None:
        self.responsive.select(event.tab.id or "event")
        self._arrange(self.size.width)

    def _show_tab(self, tab: str) -> None:
        tab = self.responsive.select(tab)
        if self.responsive.mode != "wide":
            self.query_one("#nav", Tabs).active = tab
        self._arrange(self.size.width)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Send, load and the panels' keys belong to the main screen: while another screen (the
        help, a dialog, the replay) is on top, F5 / Ctrl+R / Ctrl+L fall through to that screen,
        so it can use the same keys for its own main action, and nothing hidden is sent."""
        return action not in MAIN_SCREEN_ACTIONS or self.screen is self._main_screen()

    def _main_screen(self) -> Screen[Any] | None:
        """The screen the panels live on, also while a modal is on top (None once closed)."""
        return self.screen_stack[0] if self.screen_stack else None

    def _update_topbar(self) -> None:
        main = self._main_screen()
        secrets = secrets_of(self.connection) if is_presentation(self) else []
        for bar in main.query("#topbar").results(Static) if main else ():  # none when closing
            bar.update(conceal_text(topbar_text(self.connection), secrets))

    def _presentation_changed(self) -> None:
        """Presentation mode toggled (it switches the theme): conceal or show the credentials in
        the texts that name them (the top bar, the request's URL, Host and Authorization)."""
        self._update_topbar()
        main = self._main_screen()
        for panel in main.query(PreviewPanel) if main else ():
            panel.refresh_presentation()

    # ---- preview ----

    @on(EventEdited)
    def _on_event_edited(self, message: EventEdited) -> None:
        if self._preview_panel is None:
            self._preview_panel = self.query_one(PreviewPanel)
        panel = self._preview_panel
        if not panel.is_attached:  # a late edit while the app shuts down
            return
        if message.raw is None:
            self.json_error = message.error
            panel.mark_stale(message.error or "invalid JSON")
            return
        self.json_error = None
        self.preview = preview_event(
            message.raw,
            self.connection,
            self.blueprint,
            now=self.clock() if self.clock else None,
            known_types=self.types.known_types(self.connection.license_code),
        )
        panel.show(self.preview)

    def _refresh_preview(self) -> None:
        main = self._main_screen()
        for composer in main.query(ComposerPanel) if main else ():  # none when closing
            composer.emit()

    @on(ConnectionChanged)
    def _on_connection_changed(self, message: ConnectionChanged) -> None:
        self.connection = message.connection
        self._update_topbar()
        self._refresh_preview()

    # ---- sending ----

    def action_send(self) -> None:
        self.post_message(SendRequested(forced=False))

    def action_send_anyway(self) -> None:
        self.post_message(SendRequested(forced=True))

    def _sync(self) -> None:
        """Read the panels now: a key press may overtake the Changed messages of the last edit."""
        if (panel := self.credentials_panel()) is not None:
            self.connection = panel.connection
        self._update_topbar()
        raw, error = self.query_one(ComposerPanel).raw_event()
        self._on_event_edited(EventEdited(raw, describe_error(error) if error else None))

    @on(SendRequested)
    def _on_send_requested(self, message: SendRequested) -> None:
        self._sync()
        panel = self.query_one(PreviewPanel)
        refusal = delivery.refusal(self.preview, self.json_error, self.connection, message.forced)
        panel.show_refusal(refusal)
        if refusal is not None:
            self.notify(refusal, title="Not sent", severity="error", timeout=8)
            return
        assert self.preview is not None
        composer = self.query_one(ComposerPanel)
        self._deliver(
            self.preview.request,
            event_name=self.preview.event_name,
            findings=list(self.preview.findings),
            forced=message.forced,
            source=composer.source,
        )

    @on(ResendRequested)
    def _on_resend(self, message: ResendRequested) -> None:
        entry = self.query_one(DeliveryLog).entries.get(message.entry_id)
        if entry is None:
            return
        request = entry.request.model_copy(
            update={
                "headers": {k: v for k, v in entry.request.headers.items() if k != "x-request-id"}
            }
        )
        self._deliver(
            request,
            event_name=entry.event_name,
            findings=list(entry.findings),
            forced=entry.forced,
            source=f"resend of {entry.id[:8]}",
        )

    @on(EditRequested)
    def _on_edit_requested(self, message: EditRequested) -> None:
        """Edit and resend: the entry's event back in the composer, on the Event tab."""
        from tui.mapping.unmap import NotEditable, signal_event_from_entry

        entry = self.query_one(DeliveryLog).entries.get(message.entry_id)
        if entry is None:
            return
        try:
            raw = signal_event_from_entry(entry, self.blueprint)
        except NotEditable as error:
            self.notify(f"Cannot edit this delivery: {error}", severity="warning")
            return
        self.composer.load_event(raw, f"edit of {entry.id[:8]}")
        self._show_tab("event")
        self.composer.query_one("#properties").focus()
        self.notify("Loaded into the composer: edit, then F5 to send.")

    @work(exclusive=False, group="deliveries", exit_on_error=False)
    async def _deliver(
        self, request: Any, *, event_name: str, findings: list[Any], forced: bool, source: str
    ) -> LogEntry:
        """Send in the background; the log hears about it only through messages."""
        return await delivery.deliver(
            self,
            self.connection,
            request,
            transport=self.transport,
            retry=self.retry,
            event_name=event_name,
            findings=findings,
            forced=forced,
            source=source,
        )

    def _delivery_log(self) -> DeliveryLog | None:
        found = self.query(DeliveryLog)
        return found.first() if found else None

    @on(DeliveryStarted)
    def _on_started(self, message: DeliveryStarted) -> None:
        self._record(message.entry, start=True)
        if log := self._delivery_log():
            log.upsert(message.entry, select=True)

    @on(DeliveryUpdated)
    def _on_updated(self, message: DeliveryUpdated) -> None:
        self._record(message.entry)
        if log := self._delivery_log():
            log.upsert(message.entry)

    @on(DeliveryFinished)
    def _on_finished(self, message: DeliveryFinished) -> None:
        entry = message.entry
        self._record(entry)
        log = self._delivery_log()
        if log is None:
            return
        log.upsert(entry)
        if self.types.learn(entry):
            self._refresh_preview()
        if entry.hint is not None:
            self.notify(
                entry.hint.title,
                title=entry.event_name or "delivery",
                severity="information" if entry.outcome and entry.outcome.ok else "error",
            )

    def _record(self, entry: LogEntry, *, start: bool = False) -> None:
        if self.history is None:
            return
        try:
            (self.history.start if start else self.history.update)(entry)
        except Exception as error:  # a full disk must not stop the debugging
            self.notify(f"history not saved: {error}", severity="warning")

    def _load_history(self) -> None:
        if self.history is None:
            return
        try:
            entries = self.history.latest(HISTORY_LOAD)
        except Exception as error:
            self.notify(f"history not loaded: {error}", severity="warning")
            return
        log = self.query_one(DeliveryLog)
        log.history = self.history  # the filter bar searches all of it
        log.show_history(entries)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's unexpected failure is reported (deliveries never raise)."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.notify(
                f"{type(error).__name__}: {delivery.scrub(str(error), self.connection)}",
                title=f"{event.worker.name} failed",
                severity="error",
                timeout=10,
            )

    # ---- connection test, profiles, files (the panels do the work) ----

    def credentials_panel(self) -> CredentialsPanel | None:
        """The credentials panel; None only in the moment before a deferred one is mounted."""
        main = self._main_screen()
        found = main.query(CredentialsPanel) if main else None
        return found.first() if found and found.first().is_mounted else None

    def action_test_connection(self) -> None:
        self._sync()
        if (panel := self.credentials_panel()) is not None:
            panel.test_connection()

    def action_save_profile(self) -> None:
        if (panel := self.credentials_panel()) is not None:
            panel.save_profile()

    def action_load_file(self) -> None:
        self.query_one(ComposerPanel).load_file()

    # ---- navigation and the log ----

    def action_help(self) -> None:
        from tui.ui.widgets.help import HelpScreen  # Markdown loads on first use

        self.push_screen(HelpScreen())

    def action_goto(self, where: str) -> None:
        self._show_tab(where)
        target = {
            "credentials": "#license-code",
            "event": "#properties",
            "request": "#request-body",
            "log": "#log-table",
        }.get(where)
        for widget in self.query(target) if target else ():  # none yet if still deferred
            widget.focus()

    def action_toggle_key(self) -> None:
        if (panel := self.credentials_panel()) is not None:
            panel.toggle_reveal()

    def action_open_entry(self) -> None:
        self.query_one(DeliveryLog).open_current()

    def action_copy_curl(self) -> None:
        self.query_one(DeliveryLog).copy_current()

    def action_export(self, kind: str) -> None:
        self.query_one(DeliveryLog).export(self.settings.data_dir / "exports", kind)

    def action_resend(self) -> None:
        self.query_one(DeliveryLog).resend_current()

    def action_edit_entry(self) -> None:
        self.query_one(DeliveryLog).edit_current()

    def action_filter_log(self) -> None:
        """Show the log and put the cursor in its search box."""
        self._show_tab("log")
        self.query_one(DeliveryLog).action_filter()

    def action_open_screen(self, name: str) -> None:
        """Push one of the screens in tui.ui.screens (see extras.py)."""
        open_extra(self, name)

    @property
    def composer(self) -> ComposerPanel:
        return self.query_one(ComposerPanel)

    def use_blueprint(self, blueprint: Blueprint) -> None:
        """Map with another blueprint from now on (the picker and preview follow)."""
        self.blueprint = blueprint
        self.composer.set_event_names(blueprint.signal_events())
        self.notify(f"Blueprint {blueprint.name!r} in use")


def create_app(
    settings: AppSettings,
    *,
    connection: Connection | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    sandbox: Sandbox | None = None,
    blueprint: Blueprint | None = None,
    history: History | None = None,
) -> WebEngageDebuggerApp:
    """The app, from its settings and its HTTP transport. The CLI and every test build it here.

    Without `connection`: the sandbox's demo account when a (started) sandbox is given, else the
    saved profile and the environment (`resolve_connection`). Without `history`: the SQLite file
    under `settings.data_dir` (a history that cannot be opened is reported, not fatal).
    """
    notices: list[str] = []
    offer_sandbox = False
    if connection is None:
        if sandbox is not None:
            connection = sandbox_connection(sandbox.url)
        else:
            try:
                connection = resolve_connection(settings)
            except ProfileError as error:
                notices.append(str(error))
                connection = Connection()
            missing = missing_credentials(connection)
            if missing and connection == Connection():
                offer_sandbox = True  # nothing configured at all: maybe a first run (see below)
            elif missing:
                notices.append(
                    "Incomplete credentials: "
                    + "; ".join(missing)
                    + ". F2 to complete them, or `webengage-debugger --sandbox` for a demo account."
                )
    if history is None:
        try:
            settings.ensure_dirs()
            history = History.open(settings.history_path)
        except Exception as error:
            notices.append(f"delivery history unavailable: {error}")
    if offer_sandbox and history is not None and history.count() > 0:
        offer_sandbox = False  # used before: a reminder is enough, no dialog in the way
        notices.append(
            "No credentials: F2 to enter them, or `webengage-debugger --sandbox` for a demo account."
        )
    return WebEngageDebuggerApp(
        settings,
        connection,
        transport=transport,
        sandbox=sandbox,
        blueprint=blueprint or default_blueprint(),
        history=history,
        notices=notices,
        offer_sandbox=offer_sandbox,
    )
