"""The delivery log's filter bar: words to search, an outcome, an event name, a status or class.

It only says what is asked (`LogFilter.Changed` with a `LogQuery`); the log runs the query on the
whole history on disk, so a match from last week is found even though only a page is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select, Static

from tui.store.history import IN_FLIGHT, INTERRUPTED, status_range
from tui.ui.widgets.static_text import show_text
from tui.webengage.entry import Target
from tui.webengage.outcomes import Outcome

OUTCOME_CHOICES: tuple[str, ...] = (*(o.value for o in Outcome), INTERRUPTED, IN_FLIGHT)
ALL = "__all__"


@dataclass(frozen=True)
class LogQuery:
    """The filters as History.query takes them; all empty = the normal, unfiltered log."""

    text: str = ""
    outcome: str = ""
    status: str = ""
    event: str = ""
    target: str = ""

    @property
    def active(self) -> bool:
        return bool(
            self.text.strip()
            or self.outcome
            or self.status.strip()
            or self.event.strip()
            or self.target
        )

    def kwargs(self) -> dict[str, Any]:
        """For `History.query`/`count`/`matches` (raises ValueError for a status like "4x")."""
        status_range(self.status)
        return {
            "text": self.text.strip() or None,
            "outcome": self.outcome or None,
            "status": self.status.strip() or None,
            "event": self.event.strip() or None,
            "target": self.target or None,
        }


class LogFilter(Horizontal):
    """Search box, outcome picker, event and status fields, and the "N of M" count."""

    SCOPED_CSS = False  # one rule is about the screen's layout classes
    DEFAULT_CSS = """
    LogFilter {
        height: 1;
    }
    Screen.-medium.-tab-event LogFilter {
        display: none;  /* four rows of log under the composer: filtering is on the Log tab */
    }
    LogFilter #log-search {
        width: 2fr;
    }
    LogFilter #log-outcome {
        width: 22;
    }
    LogFilter #log-target {
        width: 15;
    }
    LogFilter #log-event {
        width: 1fr;
    }
    LogFilter #log-status {
        width: 16;
    }
    LogFilter #log-count {
        width: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    @dataclass
    class Changed(Message):
        query: LogQuery

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/ search: words, all must match", compact=True, id="log-search")
        yield Select(
            [("all outcomes", ALL), *((name, name) for name in OUTCOME_CHOICES)],
            value=ALL,
            allow_blank=False,
            compact=True,
            id="log-outcome",
        )
        yield Select(
            [("all targets", ALL), *((t.value, t.value) for t in Target)],
            value=ALL,
            allow_blank=False,
            compact=True,
            id="log-target",
        )
        yield Input(placeholder="event", compact=True, id="log-event")
        yield Input(placeholder="status 401/4xx", compact=True, id="log-status")
        yield Static("", id="log-count")

    def on_mount(self) -> None:
        if self.app.is_headless:
            for field in self.query(Input):
                field.cursor_blink = False

    @property
    def value(self) -> LogQuery:
        outcome = self.query_one("#log-outcome", Select).value
        target = self.query_one("#log-target", Select).value
        return LogQuery(
            target="" if target == ALL or not isinstance(target, str) else target,
            text=self.query_one("#log-search", Input).value,
            outcome="" if outcome == ALL or not isinstance(outcome, str) else outcome,
            status=self.query_one("#log-status", Input).value,
            event=self.query_one("#log-event", Input).value,
        )

    def show_count(self, text: str) -> None:
        show_text(self.query_one("#log-count", Static), text)

    def focus_search(self) -> None:
        self.query_one("#log-search", Input).focus()

    def clear(self) -> None:
        """Back to the normal view (one Changed, not one per field)."""
        with self.prevent(Input.Changed, Select.Changed):
            for field in self.query(Input):
                field.value = ""
            self.query_one("#log-outcome", Select).value = ALL
            self.query_one("#log-target", Select).value = ALL
        self.post_message(self.Changed(self.value))

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self, event: Input.Changed | Select.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self.value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter in a field goes to the matches."""
        event.stop()
        self.screen.query_one("#log-table").focus()
