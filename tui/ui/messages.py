"""What happened, or what is asked, posted between workers, widgets and the app.

Workers never touch widgets: they call the domain and report here. Widgets never send: they ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump

from tui.delivery.service import DeliveryEvent, Observer
from tui.webengage.entry import LogEntry
from tui.webengage.request import Connection


@dataclass
class SendRequested(Message):
    """The user asked to send the composer's event; `forced` = despite findings of severity error."""

    forced: bool = False


@dataclass
class ResendRequested(Message):
    """The user asked to send a logged entry's request again. `retry`: with its x-request-id
    (WebEngage drops the repeat if the first one arrived); otherwise as a new delivery."""

    entry_id: str
    retry: bool = False


@dataclass
class EditRequested(Message):
    """The user asked to load a logged entry's event into the composer, to edit and send it."""

    entry_id: str


@dataclass
class DeliveryStarted(Message):
    """A delivery's entry exists (no attempt yet): the log shows it as in flight."""

    entry: LogEntry


@dataclass
class DeliveryUpdated(Message):
    """An attempt finished (and perhaps a backoff wait begins)."""

    entry: LogEntry


@dataclass
class DeliveryFinished(Message):
    """The delivery has its outcome; `learned`: the type memory learned new attribute types."""

    entry: LogEntry
    learned: bool = False


def post_deliveries_to(node: MessagePump) -> Observer:
    """The delivery service's observer for a screen or widget: each stage becomes a Delivery*
    message posted to `node` (thread-safe, and the entries are immutable, so nothing is copied)."""

    def observe(event: DeliveryEvent) -> None:
        if event.stage == "started":
            node.post_message(DeliveryStarted(event.entry))
        elif event.stage == "updated":
            node.post_message(DeliveryUpdated(event.entry))
        else:
            node.post_message(DeliveryFinished(event.entry, event.learned))

    return observe


@dataclass
class ConnectionChanged(Message):
    """The credentials panel changed where requests go (data centre, license code, key, route)."""

    connection: Connection


@dataclass
class ConnectionTested(Message):
    """The verdict of the harmless probe: `ok` means the license code and key were accepted."""

    ok: bool
    verdict: str
    detail: str


@dataclass
class EventEdited(Message):
    """The composer's event changed: `raw` is the Signal event, or None while the JSON is invalid."""

    raw: Any
    error: str | None = None
