"""How an outcome and its hint read on screen: one look for the log, the detail and the exports."""

from __future__ import annotations

from rich.text import Text

from tui.safe_text import visible
from tui.webengage.entry import LogEntry, Target, sent_to
from tui.webengage.outcomes import Outcome

OUTCOME_STYLE = {
    Outcome.ACCEPTED: "bold green",
    Outcome.RATE_LIMITED: "bold yellow",
    Outcome.SERVER_ERROR: "bold yellow",
}


TARGET_STYLE = {
    Target.SANDBOX: ("sandbox", "bold black on yellow"),
    Target.ROUTED: ("routed", "bold black on cyan"),
    Target.REAL: ("real", "bold"),
}


def target_text(entry: LogEntry) -> Text:
    """Where the delivery went, as a badge: a sandbox delivery never passes for a real one."""
    if entry.target is None:
        return Text("?", style="dim")
    label, style = TARGET_STYLE[entry.target]
    return Text(label, style=style)


def target_words(entry: LogEntry) -> str:
    """Where the delivery went, in a sentence's words."""
    return sent_to(entry)


def outcome_text(entry: LogEntry, *, interrupted: bool = False) -> Text:
    if entry.outcome is not None:
        return Text(entry.outcome.value, style=OUTCOME_STYLE.get(entry.outcome, "bold red"))
    if interrupted:
        return Text("interrupted", style="dim italic")
    return Text("⋯ in flight", style="italic cyan")


def hint_text(entry: LogEntry, *, interrupted: bool = False) -> Text:
    """The verdict, then the fix (what a compact log must not cut off), then why."""
    if entry.hint is None:
        if interrupted:
            return Text("Interrupted: the app stopped before this delivery finished.", style="dim")
        host = visible(entry.host, one_line=True)
        return Text(f"Sending to {host} (attempt {len(entry.attempts) + 1})…", style="italic")
    ok = entry.outcome is Outcome.ACCEPTED
    style = "bold green" if ok else OUTCOME_STYLE.get(entry.outcome or Outcome.NETWORK, "bold red")
    return Text.assemble(
        (visible(entry.hint.title), style),
        "\n",
        ("Fix: ", "bold"),
        visible(entry.hint.app_fix),
        "\n",
        (visible(entry.hint.detail), "dim"),
    )
