"""No credentials yet: offer the embedded sandbox, so a first run still shows a full round trip."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

OFFER = (
    "No WebEngage credentials were found (no saved profile, no WEBENGAGE_LICENSE_CODE / "
    "WEBENGAGE_API_KEY).\n\n"
    "Try it against the built-in sandbox: a WebEngage-compatible server on this machine with a "
    "demo account, where every hint (wrong data centre, license code, key) can be seen for real. "
    "Nothing leaves your computer.\n\n"
    "Or enter your own credentials (F2): data centre, license code and REST API key from "
    "Data Platform > Integrations > REST API."
)


class SandboxOfferScreen(ModalScreen[bool]):
    """Returns True to start the sandbox, False to enter credentials."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Enter credentials")
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="offer-box") as box:
            box.border_title = "Welcome to webengage-debugger"
            yield Static(OFFER, id="offer-text")
            with Horizontal(id="offer-buttons"):
                yield Button("Use the demo sandbox", variant="success", id="use-sandbox")
                yield Button("Enter credentials", id="enter-credentials")

    def on_mount(self) -> None:
        self.query_one("#use-sandbox", Button).focus()

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "use-sandbox")
