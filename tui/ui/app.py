"""The Textual app: wiring only. The factory, the keys, the screens and the one delivery service.

Built only by `create_app(settings, connection=..., transport=..., ...)`, so the CLI and every test
construct the same thing and a test can hand it a sandbox. What the user sees and edits lives in
`MainScreen` (main_screen.py), which owns its state; every screen sends through `self.service`.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import TextArea
from textual.worker import Worker, WorkerState

from tui.delivery.service import DeliveryService
from tui.mapping.blueprint import Blueprint, default_blueprint
from tui.mapping.preview import Preview
from tui.masking import mask_secrets
from tui.store.history import History
from tui.store.preferences import load_theme, theme_saver
from tui.store.profiles import ProfileError, missing_credentials, resolve_connection
from tui.store.recorder import Recorder
from tui.store.settings import AppSettings
from tui.ui.extras import open_extra
from tui.ui.host import DebuggerApp
from tui.ui.live_control import LiveCommands, live_action
from tui.ui.main_screen import PRESENTING_NOTE, MainScreen
from tui.ui.messages import (
    DeliveryFinished,
    DeliveryStarted,
    DeliveryUpdated,
    EditRequested,
    ResendRequested,
    SendRequested,
)
from tui.ui.palette import DebuggerCommands
from tui.ui.sandbox_control import sandbox_connection, start_sandbox, stop_sandbox
from tui.ui.startup import settle
from tui.ui.themes import PRESENTATION_CSS, PRESENTATION_THEME_NAME, is_presentation
from tui.ui.widgets.composer import ComposerPanel
from tui.ui.widgets.credentials import CredentialsPanel
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.webengage.request import Connection

if TYPE_CHECKING:  # the client (httpx) and the sandbox (aiohttp) load when first needed
    import httpx

    from tui.sandbox import Sandbox
from tui.ui.widgets.sandbox_offer import SandboxOfferScreen

MAIN_SCREEN_ACTIONS = frozenset(
    {"send", "send_anyway", "load_file", "test_connection", "toggle_key", "save_profile", "goto"}
)
"""App actions that act on the composer or the credentials panel: they only run while the main
screen is the one on top (see `WebEngageDebuggerApp.check_action`)."""


class WebEngageDebuggerApp(DebuggerApp):
    """See the module docstring; construct with `create_app`."""

    CSS_PATH = "app.tcss"
    CSS = PRESENTATION_CSS
    TITLE = "webengage-debugger"
    COMMAND_PALETTE_BINDING = "ctrl+p"  # as in every Textual app; F9 is an alias (below)
    COMMANDS = App.COMMANDS | {DebuggerCommands, LiveCommands}
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
        # Textual adds ctrl+p itself only when no binding opens the palette: both keys, here.
        Binding("ctrl+p,f9", "command_palette", "Palette", show=False, priority=True),
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
        """Set by `webengage-debugger`: what the first screen hides (below WIDE_MIN columns, the
        credentials panel and the log's filter row) is mounted just after the first paint."""
        self.live_start: tuple[int | None, int | None] = (None, None)  # --listen, --relay ports
        self.own_sandbox: Sandbox | None = None
        """A sandbox the app started itself (and stops on exit)."""
        self.settings = settings
        self.initial_connection = connection
        self.transport = transport
        self.sandbox = sandbox
        self.blueprint = blueprint
        self.history = history
        self.notices = notices
        self.service = DeliveryService(
            transport=transport,
            recorder=Recorder(history, on_error=partial(self.notify, severity="warning")),
        )
        """The one delivery path: every screen of this app sends through it (tests set its retry)."""
        self.clock: Callable[[], datetime] | None = None
        """What "now" is for a blank timestamp (tests fix it so snapshots are stable)."""

    # ---- the main screen ----

    def get_default_screen(self) -> Screen[Any]:
        """The main screen, born with its layout classes: adding them once the widgets are
        mounted would restyle all of them (~30 ms of the first paint)."""
        from tui.ui.layout import ResponsiveLayout

        classes = " ".join(ResponsiveLayout().classes(self.size.width))
        return MainScreen(
            self.initial_connection,
            defer_hidden=self.defer_hidden_panels,
            id="_default",
            classes=classes,
        )

    @property
    def main(self) -> MainScreen:
        """The screen the panels live on, also while a modal is on top."""
        screen = self.screen_stack[0] if self.screen_stack else None
        assert isinstance(screen, MainScreen), "the app has no main screen (not running?)"
        return screen

    def _main_or_none(self) -> MainScreen | None:
        screen = self.screen_stack[0] if self.screen_stack else None
        return screen if isinstance(screen, MainScreen) else None

    @property
    def connection(self) -> Connection:
        """Where requests go now (the main screen's)."""
        main = self._main_or_none()
        return main.connection if main is not None else self.initial_connection

    @property
    def preview(self) -> Preview | None:
        main = self._main_or_none()
        return main.preview if main is not None else None

    @property
    def composer(self) -> ComposerPanel:
        return self.main.composer

    @property
    def mode(self) -> str:
        return self.main.responsive.mode

    def credentials_panel(self) -> CredentialsPanel | None:
        main = self._main_or_none()
        return main.credentials_panel() if main is not None else None

    def compose(self) -> ComposeResult:
        yield from self.main.panels()

    def on_mount(self) -> None:
        self.main.ready()
        if (saved := load_theme(self.settings)) in self.available_themes:
            self.theme = saved  # the theme chosen last time (presentation mode is never saved)
        saver = theme_saver(self.settings, ignore={PRESENTATION_THEME_NAME})
        self.watch(self, "theme", saver, init=False)
        self.watch(self, "theme", self._presentation_changed, init=False)
        for notice in self.notices:
            self.notify(notice, severity="warning", timeout=10)
        if self.offer_sandbox:
            self.push_screen(SandboxOfferScreen(), self._offer_answered)
        if self.deferred_sandbox is not None:
            # --sandbox: paint first, then serve the connection's socket (aiohttp imports slowly).
            self.call_after_refresh(start_sandbox, self, sock=self.deferred_sandbox, switch=False)
        self.call_after_refresh(live_action, self, "start")  # --listen / --relay (live_control.py)

    async def action_quit(self) -> None:
        """Quit (ctrl+q, F10, the palette), once what the first screen deferred is mounted."""
        if (main := self._main_or_none()) is not None:
            await settle(main)
        self.exit()

    def _offer_answered(self, use_sandbox: bool | None) -> None:
        if use_sandbox:
            start_sandbox(self)
        else:
            self.action_goto("credentials")

    async def on_unmount(self) -> None:
        stop_sandbox(self)
        await self.service.aclose()

    def on_resize(self, event: Resize) -> None:
        if (main := self._main_or_none()) is not None:
            main.apply_layout(event.size.width)  # the main screen, even under a modal

    def _presentation_changed(self) -> None:
        if (main := self._main_or_none()) is not None:
            main.presentation_changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Send, load and the panels' keys belong to the main screen: while another screen (the
        help, a dialog, the replay) is on top, F5 / Ctrl+R / Ctrl+L fall through to that screen,
        so it can use the same keys for its own main action, and nothing hidden is sent."""
        return action not in MAIN_SCREEN_ACTIONS or self.screen is self._main_or_none()

    # Every sender (this screen's composer, each extra screen) posts its Delivery* messages to the
    # app, so a delivery outliving its screen (Escape during a replay) still reaches the log.
    @on(DeliveryStarted)
    def _on_started(self, message: DeliveryStarted) -> None:
        if (main := self._main_or_none()) is not None:
            main.delivery_started(message.entry)

    @on(DeliveryUpdated)
    def _on_updated(self, message: DeliveryUpdated) -> None:
        if (main := self._main_or_none()) is not None:
            main.delivery_updated(message.entry)

    @on(DeliveryFinished)
    def _on_finished(self, message: DeliveryFinished) -> None:
        if (main := self._main_or_none()) is not None:
            main.delivery_finished(message.entry, message.learned)

    @on(ResendRequested)
    def _on_resend(self, message: ResendRequested) -> None:
        """From the log or the entry detail screen (which is on top of the main screen)."""
        self.main.resend(message.entry_id, retry=message.retry)

    @on(EditRequested)
    def _on_edit(self, message: EditRequested) -> None:
        self.main.edit(message.entry_id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's unexpected failure is reported (deliveries never raise)."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            key = self.connection.api_key.get_secret_value()
            self.notify(
                f"{type(error).__name__}: {mask_secrets(str(error), [key])}",
                title=f"{event.worker.name} failed",
                severity="error",
                timeout=10,
            )

    # ---- actions: each key or palette entry hands over to the screen that does the work ----

    def action_send(self) -> None:
        self.main.post_message(SendRequested(forced=False))

    def action_send_anyway(self) -> None:
        self.main.post_message(SendRequested(forced=True))

    def action_test_connection(self) -> None:
        self.main.sync()
        if (panel := self.credentials_panel()) is not None:
            panel.test_connection()

    def action_save_profile(self) -> None:
        if (panel := self.credentials_panel()) is not None:
            panel.save_profile()

    def action_load_file(self) -> None:
        self.main.composer.pick_file()

    def action_external_editor(self) -> None:
        """Edit the properties in $EDITOR; what is saved comes back into the composer."""
        from tui.ui.external_editor import edit_properties

        edit_properties(self, self.main.composer.query_one("#properties", TextArea))

    def action_help(self) -> None:
        from tui.ui.widgets.help import HelpScreen  # Markdown loads on first use

        self.push_screen(HelpScreen())

    def action_goto(self, where: str) -> None:
        self.main.goto(where)

    def action_toggle_key(self) -> None:
        if is_presentation(self):  # the key is never revealed on a projector
            self.notify(PRESENTING_NOTE, severity="warning")
        elif (panel := self.credentials_panel()) is not None:
            panel.toggle_reveal()

    def _delivery_log(self) -> DeliveryLog:
        return self.main.query_one(DeliveryLog)

    def action_open_entry(self) -> None:
        self._delivery_log().open_current()

    def action_copy_curl(self) -> None:
        self._delivery_log().copy_current()

    def action_export(self, kind: str) -> None:
        self._delivery_log().export(self.settings.exports_dir, kind)

    def action_resend(self) -> None:
        self._delivery_log().resend_current()

    def action_retry(self) -> None:
        self._delivery_log().resend_current(retry=True)

    def action_edit_entry(self) -> None:
        self._delivery_log().edit_current()

    def action_filter_log(self) -> None:
        """Show the log and put the cursor in its search box."""
        self.main.show_tab("log")
        self._delivery_log().action_filter()

    def action_open_screen(self, name: str) -> None:
        """Push one of the screens in tui.ui.screens (see extras.py)."""
        open_extra(self, name)

    def use_blueprint(self, blueprint: Blueprint) -> None:
        """Map with another blueprint from now on (the picker and preview follow)."""
        self.blueprint = blueprint
        self.main.composer.set_event_names(blueprint.signal_events())
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
