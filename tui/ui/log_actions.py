"""What the log's keys do with an entry: send it again (as new, or retried with its own
x-request-id), or load its event back into the composer to edit and resend."""

from __future__ import annotations

from typing import Any, Protocol

from tui.ui.host import DebuggerApp
from tui.ui.widgets.composer import ComposerPanel
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.webengage.api import DEDUPLICATION_WINDOW_H
from tui.webengage.entry import utc_now
from tui.webengage.request import WebEngageRequest


class LogHost(Protocol):
    """What these actions need of the main screen."""

    @property
    def debugger(self) -> DebuggerApp: ...

    @property
    def composer(self) -> ComposerPanel: ...

    def delivery_log(self) -> DeliveryLog | None: ...

    def show_tab(self, tab: str) -> None: ...

    def deliver(
        self,
        request: WebEngageRequest,
        *,
        event_name: str,
        findings: list[Any],
        forced: bool,
        source: str,
    ) -> None: ...


def resend(screen: LogHost, entry_id: str, *, retry: bool = False) -> None:
    """Send a logged entry's request again: as a new delivery (a new x-request-id), or
    (`retry`) with its own x-request-id, so WebEngage drops it if the first one arrived."""
    log = screen.delivery_log()
    entry = log.entries.get(entry_id) if log else None
    if entry is None:
        return
    request = entry.request
    if retry:
        age_h = (utc_now() - entry.created_at).total_seconds() / 3600
        if age_h > DEDUPLICATION_WINDOW_H:
            screen.debugger.notify(
                f"This delivery is {age_h:.0f} hours old: WebEngage drops a repeated "
                f"x-request-id only within {DEDUPLICATION_WINDOW_H} hours, so it may be "
                "ingested twice.",
                severity="warning",
                timeout=10,
            )
    else:
        headers = {k: v for k, v in request.headers.items() if k != "x-request-id"}
        request = request.model_copy(update={"headers": headers})
    screen.deliver(
        request,
        event_name=entry.event_name,
        findings=list(entry.findings),
        forced=entry.forced,
        source=f"{'retry' if retry else 'resend'} of {entry.id[:8]}",
    )


def edit(screen: LogHost, entry_id: str) -> None:
    """Edit and resend: the entry's event back in the composer, on the Event tab."""
    from tui.mapping.unmap import NotEditable, signal_event_from_entry

    log = screen.delivery_log()
    entry = log.entries.get(entry_id) if log else None
    if entry is None:
        return
    try:
        raw = signal_event_from_entry(entry, screen.debugger.blueprint)
    except NotEditable as error:
        screen.debugger.notify(f"Cannot edit this delivery: {error}", severity="warning")
        return
    screen.composer.load_event(raw, f"edit of {entry.id[:8]}")
    screen.show_tab("event")
    screen.composer.query_one("#properties").focus()
    screen.debugger.notify("Loaded into the composer: edit, then F5 to send.")
