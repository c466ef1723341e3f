"""The listener and the relay inside the app: started from the command line (`--listen [PORT]`,
`--relay [PORT]`) or the palette, each in a thread of its own, reporting into the Live tab.

The Live tab (its tab and its widget) is mounted the first time one starts, so an app that never
listens pays nothing for it. The listener forwards to the account the app uses when forwarding is
on: on by default for the sandbox (`--sandbox`), off for a real account until `f` says so, so
pointing an SDK at the app never sends to WebEngage by surprise. The relay always forwards (it is
a proxy): to the sandbox when the app uses one, else to the data centre's API host.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.widgets import Footer, Tab, Tabs

from tui.ui.palette import LIVE_COMMANDS, Command
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.webengage.api import DataCentre
from tui.webengage.entry import LogEntry, Target, target_of
from tui.webengage.request import BULK_KEY, Connection

if TYPE_CHECKING:  # the Live tab's modules load when it is first used, not at start-up
    from tui.ui.host import DebuggerApp
    from tui.ui.widgets.live import LiveView
    from tui.ui.widgets.live_rows import LiveRow

LISTEN_PORT, RELAY_PORT = 8788, 8789
"""The defaults of `listen` and `relay` (tui/live/listen.py, tui/live/relay.py)."""


def live_view(app: DebuggerApp) -> LiveView | None:
    from tui.ui.widgets.live import LiveView

    found = app.main.query(LiveView)
    return found.first() if found else None


def ensure_view(app: DebuggerApp) -> LiveView:
    """The Live tab's widget, mounted (with its tab) the first time it is needed."""
    from tui.ui.widgets.live import LiveView

    view = live_view(app)
    if view is not None:
        return view
    main = app.main
    view = LiveView(id="live-panel")
    view.forwarding = target_of(app.connection.route_to) is Target.SANDBOX
    view.opener = partial(open_mapping, app)
    view.editor = partial(load_in_composer, app)
    view.toggler = partial(toggle_forwarding, app)
    view.on_deliveries = partial(_into_the_log, app)
    footers = main.query(Footer)
    main.mount(view, before=footers.first() if footers else None)
    for tabs in main.query("#nav").results(Tabs):
        tabs.add_tab(Tab("Live", id="live"))
    main.watch(main, "connection", partial(_connection_changed, view), init=False)
    return view


def _into_the_log(app: DebuggerApp, entries: list[LogEntry]) -> None:
    """The listener's forwarded events and the relay's calls, in the delivery log with the app's
    own sends (each is in the history already: the log bounds what it holds, the rest pages in)."""
    for log in app.main.query(DeliveryLog).results(DeliveryLog):
        for entry in entries:
            log.upsert(entry)


def show_live(app: DebuggerApp) -> None:
    """Show the Live tab, its rows focused."""
    view = ensure_view(app)
    main: Any = app.main
    main.show_tab("live")
    for tabs in main.query("#nav").results(Tabs):
        tabs.active = "live"  # also at wide widths, where the tab bar appears for the Live tab
    app.call_after_refresh(lambda: [table.focus() for table in view.query("#live-table")])


def _connection_changed(view: LiveView, connection: Connection) -> None:
    if view.forwarding and view.listener is not None:
        view.listener.forward(connection)
    view.refresh_texts()


def start_listener(app: DebuggerApp, port: int = LISTEN_PORT) -> None:
    """Start the listener on `port` (in a thread: aiohttp loads there), reporting to the tab."""
    view = ensure_view(app)
    if view.listener is not None and view.listener.running:
        app.notify(f"Already listening on {view.listener.url}.")
        return
    connection = app.connection
    forward_to = connection if view.forwarding else None

    def start() -> None:
        from tui.live.listen import ListenConfig, Listener, ListenerError

        config = ListenConfig(
            port=port,
            forward_to=forward_to,
            preview_connection=connection,
            blueprint=app.blueprint,
            history_path=app.settings.history_path,
        )
        feed = view.feed
        listener = Listener(
            config, on_event=feed.append, on_refused=feed.append, on_error=feed.append
        )
        try:
            listener.start()
        except ListenerError as error:
            app.call_from_thread(app.notify, f"Listener not started: {error}", severity="error")
            return
        app.call_from_thread(_started, app, view, listener, "listener")

    app.run_worker(start, name="listener", group="live", thread=True, exit_on_error=False)


def start_relay(app: DebuggerApp, port: int = RELAY_PORT) -> None:
    """Start the relay on `port`: to the sandbox the app uses, else the data centre's host."""
    view = ensure_view(app)
    if view.relay is not None and view.relay.running:
        app.notify(f"The relay already runs on {view.relay.url}.")
        return
    connection = app.connection
    upstream = connection.route_to or (connection.base_url if connection.custom_host else None)

    def start() -> None:
        from tui.live.relay import Relay, RelayConfig, RelayError

        config = RelayConfig(
            port=port,
            data_centre=connection.data_centre or DataCentre.GLOBAL,
            upstream=upstream,
            history_path=app.settings.history_path,
        )
        try:
            relay = Relay(config, on_exchange=view.feed.append, on_error=view.feed.append)
            relay.start()
        except RelayError as error:
            app.call_from_thread(app.notify, f"Relay not started: {error}", severity="error")
            return
        app.call_from_thread(_started, app, view, relay, "relay")

    app.run_worker(start, name="relay", group="live", thread=True, exit_on_error=False)


def _started(app: DebuggerApp, view: LiveView, server: Any, what: str) -> None:
    if what == "listener":
        view.listener = server
        app.notify(f"Listening on {server.url}: point an SDK's host at it.", markup=False)
    else:
        view.relay = server
        app.notify(f"Relay on {server.url}: set the API host to it.", markup=False)
    view.refresh_texts()
    show_live(app)


def stop_all(app: DebuggerApp) -> None:
    """Stop the listener and the relay (in a thread: each waits for its last deliveries)."""
    view = live_view(app)
    if view is None or (view.listener is None and view.relay is None):
        app.notify("Neither the listener nor the relay is running.")
        return
    servers = [s for s in (view.listener, view.relay) if s is not None]
    view.listener = view.relay = None

    def stop() -> None:
        for server in servers:
            server.stop()
        app.call_from_thread(view.refresh_texts)
        app.call_from_thread(app.notify, "Listener and relay stopped.")

    app.run_worker(stop, name="live-stop", group="live", thread=True, exit_on_error=False)


def toggle_forwarding(app: DebuggerApp) -> None:
    view = ensure_view(app)
    view.forwarding = not view.forwarding
    if view.listener is not None:
        view.listener.forward(app.connection if view.forwarding else None)
    where = "the account in use" if view.forwarding else "nowhere: preview only"
    app.notify(f"Received events now go to {where}.")
    view.refresh_texts()


def live_action(app: DebuggerApp, what: str) -> None:
    """One palette command (or, for "start", what `--listen` / `--relay` asked for)."""
    if what == "start":
        listen, relay = getattr(app, "live_start", (None, None))
        if listen is not None:
            start_listener(app, listen)
        if relay is not None:
            start_relay(app, relay)
    elif what == "listen":
        start_listener(app)
    elif what == "relay":
        start_relay(app)
    elif what == "forward":
        toggle_forwarding(app)
    elif what == "stop":
        stop_all(app)
    else:
        show_live(app)


# ---- a row, elsewhere in the app ----


def _event_of(app: DebuggerApp, row: LiveRow) -> Any:
    """What a row's event was, as given: the SDK's event, or the relayed WebEngage body (the
    first item of a bulk call)."""
    from tui.live.exchange import Exchange
    from tui.live.received import Received

    payload = row.payload
    if isinstance(payload, Received):
        return payload.preview.raw
    assert isinstance(payload, Exchange)
    request = payload.request
    body = request.body if request is not None else None
    endpoint = payload.endpoint
    if endpoint is not None and endpoint.is_bulk and isinstance(body, dict):
        items = body.get(BULK_KEY[endpoint]) or [None]
        app.notify("A bulk call: showing its first item.")
        return items[0] if isinstance(items, list) else None
    return body


def open_mapping(app: DebuggerApp, row: LiveRow) -> None:
    """The row's event in the mapping view (the same preview the listener made)."""
    from tui.live.received import Received
    from tui.mapping.preview import preview_event
    from tui.ui.screens.mapping import MappingScreen

    payload = row.payload
    event = _event_of(app, row)
    if isinstance(payload, Received):
        preview = payload.preview
    else:
        preview = preview_event(event, app.connection, app.blueprint)
    exports = app.settings.exports_dir
    app.push_screen(MappingScreen(app.blueprint, preview, event=event, export_dir=exports))


def load_in_composer(app: DebuggerApp, row: LiveRow) -> None:
    """The row's event, read into the tool's own dialect, in the composer to edit and send."""
    from tui.mapping.formats import normalise

    reading = normalise(_event_of(app, row), app.blueprint)
    if reading.not_delivered is not None or not isinstance(reading.event, dict):
        app.notify("This event has no WebEngage call to compose.", severity="warning")
        return
    app.composer.load_event(reading.event, f"live {row.source} {row.path}")
    main: Any = app.main
    main.show_tab("event")
    for area in app.composer.query("#properties"):
        area.focus()
    app.notify("Loaded into the composer: edit, then F5 to send.")


class LiveCommands(Provider):
    """The Live tab's commands in the palette (listed in tui/ui/palette.py with the others)."""

    def _commands(self) -> Iterator[Command]:
        yield from LIVE_COMMANDS

    def _run(self, command: Command) -> Any:
        app: Any = self.app
        return partial(live_action, app, command.live)

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.title, self._run(command), help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            if (score := matcher.match(command.title)) > 0:
                yield Hit(
                    score, matcher.highlight(command.title), self._run(command), help=command.help
                )
