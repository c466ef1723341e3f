"""How the extra screens tell the app about deliveries: the app's own Delivery* messages.

A pushed screen's messages bubble to the App (a screen's parent), so the App's handlers for
DeliveryStarted / DeliveryUpdated / DeliveryFinished log and record these deliveries exactly like
the composer's. Each message carries a copy: the client keeps mutating its entry while it retries.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode

from tui.ui.messages import DeliveryFinished, DeliveryStarted, DeliveryUpdated
from tui.webengage.client import WebEngageClient
from tui.webengage.entry import LogEntry
from tui.webengage.request import Connection

ClientFactory = Callable[[Connection], WebEngageClient]
"""Makes the client a screen sends with (the app's transport, retry policy and pacer inside)."""


class DeliveryReporter:
    """An `on_update` for the client that posts DeliveryStarted once, then DeliveryUpdated."""

    def __init__(self, node: DOMNode) -> None:
        self.node = node
        self.started: set[str] = set()

    def __call__(self, entry: LogEntry) -> None:
        copy = entry.model_copy(deep=True)
        if entry.id in self.started:
            self.node.post_message(DeliveryUpdated(copy))
        else:
            self.started.add(entry.id)
            self.node.post_message(DeliveryStarted(copy))

    def finished(self, entry: LogEntry) -> None:
        """Post the outcome (and DeliveryStarted first, if the client never announced it)."""
        if entry.id not in self.started:
            self.started.add(entry.id)
            self.node.post_message(DeliveryStarted(entry.model_copy(deep=True)))
        self.node.post_message(DeliveryFinished(entry.model_copy(deep=True)))
