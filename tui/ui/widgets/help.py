"""F1: every key, what it does, and the few words a new user needs to get a first delivery through."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# webengage-debugger

Compose a Signal event on the left, watch the exact WebEngage request on the right, send it, and
read the verdict in the delivery log below. No account? `webengage-debugger --sandbox`.

## Keys
Chosen so that tmux (ctrl+b) and zellij (ctrl+g/p/t/n/h/s/o/q) keep theirs.

| key | action |
|---|---|
| F1 | this help |
| F2 / F3 / F4 | go to credentials / event / delivery log |
| F5 or ctrl+r | send the event (refused while the preview has errors; also the Send button) |
| F6 | send anyway, to see how WebEngage reacts to the errors |
| F7 | test connection (a harmless request: POST /events with `{}`) |
| F8 | show / hide the REST API key |
| F9 | command palette: every action by name (also diagnose, replay, journeys, /users, blueprints, presentation mode) |
| F12 | mapping view: what the blueprint did to this event, field by field |
| ctrl+l | load events from a file |
| enter (log) | the delivery in full: request, attempts, response, hint |
| c / r (log) | copy as curl (key read from `$WEBENGAGE_API_KEY`) / resend |
| ctrl+q or F10 | quit |

## Reading a verdict
- **accepted (queued)**: WebEngage took it; processing is asynchronous.
- **auth** (401/403): wrong data centre for this account, or a key without the right permissions.
- **not_found** (404): wrong license code, or wrong data centre.
- **missing_identity** (400): neither `user_id` nor `anonymous_id`.

The key is masked everywhere; F8 reveals it in its field only, until you hide it again.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box") as box:
            box.border_title = "Help"
            with VerticalScroll():
                yield Markdown(HELP)
