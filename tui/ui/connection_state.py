"""The connection's state, told honestly: untested, connected, changed since tested, or
reconnect needed (the connect / re-connect idea of WebEngage's connection guide).

A test (F7) or an accepted delivery says the credentials work; editing the key, license code or
data centre afterwards makes that verdict stale ("changed since tested"); a 401, 403 or 404 for
these credentials means they must be re-copied: "reconnect needed", with F7 to test again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rich.text import Text

from tui.webengage.entry import LogEntry
from tui.webengage.outcomes import Outcome
from tui.webengage.request import Connection


class State(StrEnum):
    UNTESTED = "untested"
    CONNECTED = "connected"
    FAILED = "test failed"
    CHANGED = "changed since tested"
    RECONNECT = "reconnect needed"


def _credentials(connection: Connection) -> tuple[object, ...]:
    """What a verdict is about: where requests go and with which license code and key."""
    return (connection.host, connection.license_code, connection.api_key.get_secret_value())


@dataclass
class ConnectionStatus:
    """What is known about the credentials; `state(current)` says what it means now."""

    verdict_for: tuple[object, ...] | None = None
    ok: bool = False
    reconnect: str | None = None  # what to re-copy, after a 401/403/404

    def tested(self, connection: Connection, ok: bool) -> None:
        self.verdict_for, self.ok, self.reconnect = _credentials(connection), ok, None

    def delivered(self, connection: Connection, entry: LogEntry) -> bool:
        """Learn from a finished delivery sent with `connection`; True when the state changed."""
        if entry.host != connection.host or entry.license_code != connection.license_code:
            return False  # sent before the credentials changed: says nothing about these
        before = (self.verdict_for, self.ok, self.reconnect)
        if entry.outcome is Outcome.ACCEPTED:
            self.tested(connection, True)
        elif entry.outcome is Outcome.AUTH:
            self.verdict_for, self.ok = _credentials(connection), False
            self.reconnect = "re-copy the REST API key (or pick the right data centre)"
        elif entry.outcome is Outcome.NOT_FOUND:
            self.verdict_for, self.ok = _credentials(connection), False
            self.reconnect = "re-copy the license code (or pick the right data centre)"
        return before != (self.verdict_for, self.ok, self.reconnect)

    def state(self, current: Connection) -> State:
        if self.verdict_for is None:
            return State.UNTESTED
        if self.verdict_for != _credentials(current):
            return State.CHANGED
        if self.reconnect is not None:
            return State.RECONNECT
        return State.CONNECTED if self.ok else State.FAILED

    def words(self, current: Connection) -> str:
        """The state in a sentence, for the credentials panel's verdict line."""
        state = self.state(current)
        if state is State.RECONNECT:
            return f"⚠ reconnect needed: {self.reconnect}, then F7 to test again"
        return self.badge(current).plain.strip()

    def badge(self, current: Connection) -> Text:
        """A short badge for the top bar (empty while untested)."""
        state = self.state(current)
        if state is State.CONNECTED:
            return Text(" ✓ connected ", style="bold black on green")
        if state is State.CHANGED:
            return Text(" changed since tested: F7 tests again ", style="bold black on yellow")
        if state is State.RECONNECT:
            return Text(" ⚠ reconnect needed: F7 ", style="bold white on red")
        if state is State.FAILED:
            return Text(" ✗ test failed: F7 tests again ", style="bold white on red")
        return Text("")
