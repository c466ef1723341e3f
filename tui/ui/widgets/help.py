"""F1: every key, what it does, and the few words a new user needs to get a first delivery through.

The key list is built from the command palette's table, so the help cannot drift from the app.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.ui.palette import all_commands
from tui.webengage.outcomes import Outcome

INTRO = (
    "Compose a Signal event (left), watch the exact WebEngage request (right), send it, and read "
    "the verdict and its fix in the delivery log (below). No account? "
    "`webengage-debugger --sandbox`.\n"
    "ctrl+p opens the command palette, as in every Textual app (F9 too, for zellij, whose "
    "ctrl+p is its pane mode); ctrl+q quits. The other keys leave tmux's prefix (ctrl+b) alone. "
    "The REST API key is masked everywhere; F8 reveals it in its own field until you hide it."
)
VERDICTS = {
    Outcome.ACCEPTED: "WebEngage queued it; processing is asynchronous (check the profile).",
    Outcome.AUTH: "401/403: wrong data centre for this account, or a key without the permissions.",
    Outcome.NOT_FOUND: "404: wrong license code, or wrong data centre.",
    Outcome.MISSING_IDENTITY: "400: neither user_id nor anonymous_id.",
    Outcome.RESERVED_NAME: "400: a name starting with we_, which WebEngage keeps for itself.",
    Outcome.BAD_REQUEST: "400: another problem with the body (the hint quotes WebEngage).",
    Outcome.RATE_LIMITED: "429 after retries: over the account's calls per minute.",
    Outcome.SERVER_ERROR: "5xx after retries: WebEngage's side; try again later.",
    Outcome.NETWORK: "no answer: DNS, firewall, proxy, TLS or a timeout (the hint says which).",
    Outcome.BAD_RESPONSE: "a 2xx that was not WebEngage's answer (a proxy or captive portal).",
}
"""Every outcome, in the order the log's filter lists them (a test checks none is missing)."""


def help_text() -> Text:
    text = Text(INTRO + "\n\n")
    text.append("Keys\n", style="bold underline")
    text.append(f"  {'ctrl+p, F9':<11}", style="bold yellow")
    text.append("Command palette", style="bold")
    text.append("  every action below, by name\n", style="dim")
    for command in all_commands():
        key = command.key or "ctrl+p"
        text.append(f"  {key:<11}", style="bold yellow")
        text.append(f"{command.title}", style="bold")
        text.append(f"  {command.help}\n", style="dim")
    text.append("\nVerdicts\n", style="bold underline")
    for outcome, meaning in VERDICTS.items():
        text.append(f"  {outcome.value:<17}", style="bold")
        text.append(f"{meaning}\n")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box") as box:
            box.border_title = "Help (escape closes)"
            with VerticalScroll():
                yield Static(help_text())
