"""What the main screen, the screen openers and the sandbox control need of the app.

`WebEngageDebuggerApp` (app.py) is a `DebuggerApp`; the modules it wires import only this one, so
no import runs back from them to app.py (import-linter checks that tui.ui has no cycles).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.screen import Screen

from tui.delivery.service import DeliveryService
from tui.mapping.blueprint import Blueprint
from tui.mapping.preview import Preview
from tui.store.history import History
from tui.store.settings import AppSettings
from tui.webengage.request import Connection

if TYPE_CHECKING:
    from tui.sandbox import Sandbox
    from tui.ui.widgets.composer import ComposerPanel


class DebuggerApp(App[None]):
    """The app's shared parts: settings, the one delivery service, the blueprint, the history."""

    settings: AppSettings
    service: DeliveryService
    blueprint: Blueprint
    history: History | None
    sandbox: Sandbox | None
    own_sandbox: Sandbox | None
    clock: Callable[[], datetime] | None

    @property
    def main(self) -> Screen[Any]:
        """The screen the panels live on, also while a modal is on top."""
        raise NotImplementedError

    @property
    def connection(self) -> Connection:
        raise NotImplementedError

    @property
    def preview(self) -> Preview | None:
        raise NotImplementedError

    @property
    def composer(self) -> ComposerPanel:
        raise NotImplementedError

    def use_blueprint(self, blueprint: Blueprint) -> None:
        raise NotImplementedError
