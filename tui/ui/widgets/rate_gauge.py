"""The rate-limit gauge: WebEngage's X-RateLimit headers for the current target, and a countdown
while a retry waits. Each (address, license code) has its own limit, so the gauge follows the
connection and starts empty for a target it has not heard from."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

from tui.webengage.entry import LogEntry


class RateGauge(Static):
    """A one-line gauge; `note(entry)` after each attempt, `use_target(...)` when credentials change."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._rates: dict[tuple[str, str], tuple[int | None, int]] = {}
        self.rate_target: tuple[str, str] = ("", "")
        """The (address, license code) the gauge is about: the current connection's."""
        self._backoffs: dict[tuple[str, str], float] = {}
        """Until when (time.monotonic) each target's delivery waits to retry: kept by target, so
        that a 429 noted before the gauge knows its target (a send in the app's first moment)
        still shows its countdown once it does."""

    def on_mount(self) -> None:
        self._show()
        self.set_interval(0.25, self._tick)

    def use_target(self, address: str, license_code: str) -> None:
        """The gauge follows the current connection: another target has a limit of its own."""
        if (address, license_code) != self.rate_target:
            self.rate_target = (address, license_code)
            self._show()

    @property
    def _rate(self) -> tuple[int | None, int] | None:
        return self._rates.get(self.rate_target)

    def note(self, entry: LogEntry) -> None:
        key = (entry.route or entry.host, entry.license_code)
        if entry.rate_limit_limit is not None:
            self._rates[key] = (entry.rate_limit_remaining, entry.rate_limit_limit)
        backoff = entry.attempts[-1].backoff_s if entry.attempts and not entry.finished else None
        if backoff:
            self._backoffs[key] = time.monotonic() + backoff
        else:
            self._backoffs.pop(key, None)
        if key == self.rate_target:
            self._show()

    @property
    def _backoff_until(self) -> float | None:
        return self._backoffs.get(self.rate_target)

    def _tick(self) -> None:
        if self._backoff_until is not None:
            if time.monotonic() >= self._backoff_until:
                del self._backoffs[self.rate_target]
            self._show()

    def _show(self) -> None:
        text = Text("rate limit ", style="bold")
        if self._rate is None:
            text.append("(no X-RateLimit headers seen yet)", style="dim")
        else:
            remaining, limit = self._rate
            left = limit if remaining is None else remaining
            width = 20
            filled = round(width * left / limit) if limit else 0
            style = "green" if left > limit * 0.2 else "yellow" if left > 0 else "red"
            text.append("▕" + "█" * filled + "░" * (width - filled) + "▏", style=style)
            text.append(f" {left:,} of {limit:,} left this minute")
        if self._backoff_until is not None:
            wait = max(0.0, self._backoff_until - time.monotonic())
            text.append(f"   backing off: next attempt in {wait:.1f} s", style="bold yellow")
        self.update(text)
