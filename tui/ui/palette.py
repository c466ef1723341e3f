"""The command palette's provider: every action of the app, by name, with its key.

The same table feeds the palette and nothing else decides what exists: an action added to the app
belongs here too, so a user who forgets a key can always type its name.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True)
class Command:
    title: str
    action: str
    help: str
    key: str = ""
    live: str = ""
    """A Live tab command: run by tui/ui/live_control.py's provider, not as an app action."""


COMMANDS: tuple[Command, ...] = (
    Command(
        "Send event",
        "send",
        "Deliver the composed event (refused while it has errors)",
        "F5/ctrl+r",
    ),
    Command(
        "Send anyway", "send_anyway", "Deliver despite errors, to see WebEngage's answer", "F6"
    ),
    Command(
        "Test connection", "test_connection", "POST /events with {}: checks key and license", "F7"
    ),
    Command("Show / hide API key", "toggle_key", "Reveal the REST API key in its field", "F8"),
    Command("Load events from file", "load_file", "Read a .json / .ndjson event file", "ctrl+l"),
    Command(
        "Edit properties in $EDITOR",
        "external_editor",
        "Open the properties JSON in your editor; saved, it comes back here",
        "",
    ),
    Command("Go to credentials", "goto('credentials')", "Data centre, license code, key", "F2"),
    Command("Go to event", "goto('event')", "The Signal event composer", "F3"),
    Command(
        "Go to request preview",
        "goto('request')",
        "The exact request and its findings (narrow screens: F3 again from the Event tab)",
        "F3 F3",
    ),
    Command("Go to delivery log", "goto('log')", "Every delivery and its verdict", "F4"),
    Command(
        "Open selected delivery",
        "open_entry",
        "Request, attempts, response, hint (in the log)",
        "enter",
    ),
    Command(
        "Copy selected delivery as curl",
        "copy_curl",
        "Key read from $WEBENGAGE_API_KEY (in the log)",
        "c",
    ),
    Command(
        "Resend selected delivery as new",
        "resend",
        "Send the logged request again, with a new x-request-id (in the log)",
        "r",
    ),
    Command(
        "Retry selected delivery (same x-request-id)",
        "retry",
        "WebEngage drops the repeat if the first one arrived, within 4 hours (in the log)",
        "R",
    ),
    Command(
        "Edit and resend selected delivery",
        "edit_entry",
        "Load its event into the composer, to change it and send again (in the log)",
        "e",
    ),
    Command(
        "Filter the delivery log",
        "filter_log",
        "Search all of the history: words, outcome, event, status (401 or 4xx)",
        "/",
    ),
    Command(
        "Export selected delivery as evidence (Markdown)",
        "export('evidence')",
        "Request, response, hint and curl for a ticket; key and license code masked",
        "",
    ),
    Command("Export the log as HAR", "export('har')", "HAR 1.2 for browser dev tools", ""),
    Command("Save profile", "save_profile", "Save these credentials under a name", ""),
    Command("Help", "help", "Keys and how to read a verdict", "F1"),
    Command("Quit", "quit", "Leave webengage-debugger", "ctrl+q/F10"),
)

LIVE_COMMANDS: tuple[Command, ...] = (
    Command(
        "Start listener for SDKs (Segment / RudderStack)",
        "",
        "A collector on http://127.0.0.1:8788: point an SDK's host at it; events in the Live tab",
        live="listen",
    ),
    Command(
        "Start relay for WebEngage calls",
        "",
        "A proxy on http://127.0.0.1:8789 for a server-side integration's API host",
        live="relay",
    ),
    Command(
        "Go to Live", "", "What the listener and the relay received, newest first", live="show"
    ),
    Command(
        "Live: forward received events on / off",
        "",
        "Deliver what the listener receives to the account in use (on by default for the sandbox)",
        "f",
        live="forward",
    ),
    Command("Stop listener and relay", "", "Stop serving; what was received stays", live="stop"),
)

EXTRA_SCREENS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "mapping",
        "tui.ui.screens.mapping",
        "Mapping view",
        "What the blueprint did, field by field",
        "F12",
    ),
    (
        "diagnose",
        "tui.ui.screens.diagnose",
        "Diagnose credentials",
        "Probe all three data centres",
        "",
    ),
    (
        "replay",
        "tui.ui.screens.replay",
        "Replay a file",
        "Send a file's events, paced under the rate limit",
        "",
    ),
    (
        "journeys",
        "tui.ui.screens.journeys",
        "Journeys",
        "Send a scripted funnel as one test visitor",
        "",
    ),
    (
        "user_profile",
        "tui.ui.screens.user_profile",
        "User profile (/users)",
        "Compose and send an identify",
        "",
    ),
    (
        "blueprint",
        "tui.ui.screens.blueprint_picker",
        "Choose blueprint",
        "Switch the mapping blueprint",
        "",
    ),
    (
        "profiles",
        "tui.ui.screens.profiles",
        "Profiles…",
        "Saved profiles: load, make default, rename, delete (keys masked)",
        "",
    ),
    ("presentation", "tui.ui.themes", "Presentation mode", "High contrast, credentials hidden", ""),
)
"""Screens written apart: offered only when their module is installed (see extras.py)."""


def available_extras() -> list[Command]:
    found = []
    for name, module, title, help_text, key in EXTRA_SCREENS:
        if importlib.util.find_spec(module) is not None:
            found.append(Command(title, f"open_screen({name!r})", help_text, key))
    return found


def all_commands() -> list[Command]:
    return [*COMMANDS, *available_extras(), *LIVE_COMMANDS]


class DebuggerCommands(Provider):
    """Every action, matched fuzzily by title."""

    def _commands(self) -> Iterator[Command]:
        yield from (command for command in all_commands() if not command.live)

    def _display(self, command: Command) -> str:
        return f"{command.title}  ({command.key})" if command.key else command.title

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(
                self._display(command),
                partial(self.app.run_action, command.action),
                help=command.help,
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            text = self._display(command)
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(self.app.run_action, command.action),
                    help=command.help,
                )
