"""Which panels show at which terminal width, and the top bar: one place for the responsive rules.

Wide (>= 150 columns): everything at once. Medium (>= 100): composer | preview with a short log,
tabs for the log and the credentials. Narrow: one panel per tab. The panels are mounted once; only
CSS classes on the main screen change (app.tcss says what each class shows), so a resize never
re-mounts a widget or loses what was typed.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Tabs

from tui.webengage.request import Connection

WIDE_MIN = 150
MEDIUM_MIN = 100
MODES = ("wide", "medium", "narrow")
TABS = ("event", "request", "log", "credentials", "live")
"""The tab bar's tabs; "live" only once the listener or the relay starts (live_control.py)."""


def mode_for(width: int) -> str:
    return "wide" if width >= WIDE_MIN else "medium" if width >= MEDIUM_MIN else "narrow"


class ResponsiveLayout:
    """The current mode and tab, applied to the main screen as `-<mode>` and `-tab-<tab>`."""

    def __init__(self) -> None:
        self.mode = ""
        self.tab = "event"

    def classes(self, width: int) -> tuple[str, str]:
        """The main screen's classes at this width (what `arrange` will settle on)."""
        mode = mode_for(width)
        tab = "event" if mode == "medium" and self.tab == "request" else self.tab
        return f"-{mode}", f"-tab-{tab}"

    def arrange(self, screen: Screen[Any], tabs: Tabs, width: int) -> None:
        mode = mode_for(width)
        if mode != self.mode:
            self.mode = mode
            if mode == "medium":  # the preview sits beside the composer: no tab of its own
                tabs.hide("request")
                if self.tab == "request":
                    self.tab = "event"
            else:
                tabs.show("request")
        wanted = {f"-{mode}", f"-tab-{self.tab}"}
        ours = {f"-{name}" for name in MODES} | {f"-tab-{name}" for name in TABS}
        stale = (set(screen.classes) & ours) - wanted
        missing = wanted - set(screen.classes)
        if stale or missing:  # each class change restyles every widget: do it once, only if needed
            screen.remove_class(*stale, update=not missing)
            if missing:
                screen.add_class(*missing)

    def select(self, tab: str) -> str:
        """Make `tab` current (the preview's tab means the event's in medium mode)."""
        self.tab = "event" if self.mode == "medium" and tab == "request" else tab
        return self.tab


def topbar_text(connection: Connection, status: Text | None = None) -> Text:
    """Where requests go, in one line: the sandbox badge and the connection's state first, so a
    narrow terminal keeps them."""
    text = Text.assemble((" webengage-debugger ", "bold reverse"), " ")
    if status is not None and status.plain:
        text.append_text(status)
        text.append(" ")
    if connection.route_to:
        text.append(" ⇄ SANDBOX ", style="bold black on yellow")
        text.append(" ")
    text.append(connection.data_centre_label, style="bold")
    text.append(
        f" · {connection.host} · license {connection.license_code or '(none)'}"
        f" · key {connection.redacted_key()}"
    )
    return text
