"""Opening the screens written apart (tui.ui.screens.*) from the app, with what each needs.

Each screen is imported only when asked for (start-up stays light), so a screen that fails to
import costs the user that one screen (with a message), never the app. Any other error is a bug
and goes to the app's one worker/exception handling like every other.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.widgets import Input, Select

from tui.store.preferences import load_theme

if TYPE_CHECKING:
    from tui.ui.host import DebuggerApp


def _typed_path(app: DebuggerApp) -> Path | None:
    value = app.main.query_one("#file-path", Input).value.strip()
    return Path(value).expanduser() if value else None


def _mapping(app: DebuggerApp, module: Any) -> None:
    raw, _ = app.composer.raw_event()
    app.push_screen(
        module.MappingScreen(
            app.blueprint, app.preview, event=raw, export_dir=app.settings.exports_dir
        )
    )


def _diagnose(app: DebuggerApp, module: Any) -> None:
    def done(result: Any) -> None:
        use = getattr(result, "use_data_centre", None)
        if use is not None:
            app.main.query_one("#data-centre", Select).value = use.value
            app.notify(f"Data centre switched to {use.label}")

    app.push_screen(module.DiagnoseScreen(app.connection, service=app.service), done)


def _replay(app: DebuggerApp, module: Any) -> None:
    app.push_screen(
        module.ReplayScreen(app.connection, app.blueprint, app.service, path=_typed_path(app))
    )


def _journeys(app: DebuggerApp, module: Any) -> None:
    app.push_screen(module.JourneysScreen(app.connection, app.blueprint, app.service))


def _user_profile(app: DebuggerApp, module: Any) -> None:
    app.push_screen(module.UserProfileScreen(app.connection, app.blueprint, app.service))


def _blueprint_picker(app: DebuggerApp, module: Any) -> None:
    def done(blueprint: Any) -> None:
        if blueprint is not None:
            app.use_blueprint(blueprint)

    directories = [app.settings.blueprints_dir, module.bundled_blueprints_dir()]
    app.push_screen(module.BlueprintPickerScreen(app.blueprint, directories=directories), done)


OPENERS: dict[str, tuple[str, Callable[[DebuggerApp, Any], None]]] = {
    "mapping": ("tui.ui.screens.mapping", _mapping),
    "diagnose": ("tui.ui.screens.diagnose", _diagnose),
    "replay": ("tui.ui.screens.replay", _replay),
    "journeys": ("tui.ui.screens.journeys", _journeys),
    "user_profile": ("tui.ui.screens.user_profile", _user_profile),
    "blueprint": ("tui.ui.screens.blueprint_picker", _blueprint_picker),
    "profiles": ("tui.ui.screens.profiles", lambda app, module: module.open_profiles(app)),
}


def open_extra(app: DebuggerApp, name: str) -> None:
    """Push screen `name`, or say why it cannot be opened."""
    if name == "presentation":
        toggle_presentation(app)
        return
    if name not in OPENERS:
        app.notify(f"no screen called {name!r}", severity="warning")
        return
    module_name, opener = OPENERS[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:  # a missing optional dependency costs that screen, not the app
        app.notify(f"{name} is not available: {error}", severity="warning")
        return
    opener(app, module)


def toggle_presentation(app: DebuggerApp) -> None:
    """High contrast, more air, and the credentials panel removed from the screen."""
    try:
        themes = importlib.import_module("tui.ui.themes")
    except ImportError as error:
        app.notify(f"presentation mode is not available: {error}", severity="warning")
        return
    enabled = not themes.is_presentation(app)
    normal = load_theme(app.settings) or "textual-dark"  # back to the user's theme afterwards
    themes.set_presentation(app, enabled, normal_theme=normal)
    app.notify("Presentation mode " + ("on: credentials hidden" if enabled else "off"))
