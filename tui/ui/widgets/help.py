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

INTRO = (
    "Compose a Signal event (left), watch the exact WebEngage request (right), send it, and read "
    "the verdict and its fix in the delivery log (below). No account? "
    "`webengage-debugger --sandbox`.\n"
    "Keys avoid tmux's prefix (ctrl+b) and zellij's modes (ctrl+g/p/t/n/h/s/o/q). "
    "The REST API key is masked everywhere; F8 reveals it in its own field until you hide it."
)
VERDICTS = (
    ("accepted", "WebEngage queued it; processing is asynchronous (check the user's profile)."),
    ("auth", "401/403: wrong data centre for this account, or a key without the permissions."),
    ("not_found", "404: wrong license code, or wrong data centre."),
    ("missing_identity", "400: neither user_id nor anonymous_id."),
    ("network", "no answer: host misspelt, DNS, firewall or TLS (the hint says which)."),
)


def help_text() -> Text:
    text = Text(INTRO + "\n\n")
    text.append("Keys\n", style="bold underline")
    text.append(f"  {'F9':<11}", style="bold yellow")
    text.append("Command palette", style="bold")
    text.append("  every action below, by name\n", style="dim")
    for command in all_commands():
        key = command.key or "F9 → name"
        text.append(f"  {key:<11}", style="bold yellow")
        text.append(f"{command.title}", style="bold")
        text.append(f"  {command.help}\n", style="dim")
    text.append("\nVerdicts\n", style="bold underline")
    for outcome, meaning in VERDICTS:
        text.append(f"  {outcome:<17}", style="bold")
        text.append(f"{meaning}\n")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box") as box:
            box.border_title = "Help (escape closes)"
            with VerticalScroll():
                yield Static(help_text())
