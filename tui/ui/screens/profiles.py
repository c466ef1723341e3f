"""The saved profiles: load one into the credentials panel, make one the default, rename, delete.

The key is never on this screen, only whether one is stored and its redaction (`redact_key`); the
table is marked `secret`, so presentation mode takes it off the screen, and the screen does not
open at all while presenting. Every change is written at once (tui.store.profiles); the result
handed back is the profile to load (or None), and `renamed` says which names changed, so the
credentials panel can follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Input, Label, Static

from tui.safe_text import visible
from tui.store.profiles import (
    ProfileError,
    ProfileSummary,
    delete_profile,
    list_profiles,
    rename_profile,
    set_default_profile,
)
from tui.store.settings import AppSettings
from tui.ui.themes import is_presentation
from tui.ui.widgets.credentials import CredentialsPanel

if TYPE_CHECKING:
    from tui.ui.host import DebuggerApp

DEFAULT_MARK = "★"


def _cell(text: str, style: str = "") -> Text:
    """A table cell as plain text: a name cannot bring markup or control characters with it."""
    return Text(visible(text, one_line=True), style=style)


class ProfilesScreen(ModalScreen[str | None]):
    """The profiles in a table; keys (and buttons) act on the highlighted one."""

    DEFAULT_CSS = """
    ProfilesScreen { align: center middle; }
    ProfilesScreen > Vertical {
        width: 90%; max-width: 110; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 2;
    }
    ProfilesScreen #profiles-title { text-style: bold; }
    ProfilesScreen #profiles-where { color: $text-muted; margin-bottom: 1; }
    ProfilesScreen DataTable { height: auto; max-height: 14; }
    ProfilesScreen #profiles-rename-row { height: auto; margin-top: 1; display: none; }
    ProfilesScreen #profiles-rename-row.-renaming { display: block; }
    ProfilesScreen #profiles-rename-row Label { padding: 0 1 0 0; }
    ProfilesScreen #profiles-rename { width: 1fr; }
    ProfilesScreen #profiles-message { height: auto; margin-top: 1; }
    ProfilesScreen #profiles-buttons { height: auto; margin-top: 1; }
    ProfilesScreen #profiles-buttons Button { margin-right: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("l", "load", "Load"),
        Binding("d", "make_default", "Make default"),
        Binding("r", "rename", "Rename"),
        Binding("delete,x", "delete", "Delete"),
    ]

    def __init__(self, settings: AppSettings, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.settings = settings
        self.profiles: list[ProfileSummary] = []
        self.renamed: dict[str, str] = {}
        """Every rename made here, old name -> current name."""
        self.confirming: str | None = None
        """The profile a first Delete asked about: a second Delete on it deletes it."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Profiles", id="profiles-title")
            yield Static(
                Text(f"Saved in {self.settings.profiles_path} (keys: only when asked, 0600)"),
                id="profiles-where",
            )
            yield DataTable(id="profiles-table", cursor_type="row", classes="secret")
            with Horizontal(id="profiles-rename-row"):
                yield Label("New name")
                yield Input(id="profiles-rename", compact=True)
            yield Static("", id="profiles-message")
            with Horizontal(id="profiles-buttons"):
                yield Button("Load  l", variant="primary", id="profiles-load", compact=True)
                yield Button("Make default  d", id="profiles-default", compact=True)
                yield Button("Rename  r", id="profiles-rename-button", compact=True)
                yield Button("Delete  x", variant="error", id="profiles-delete", compact=True)
                yield Button("Close", id="profiles-close", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("", key="default", width=1)
        table.add_column("Name", key="name")
        table.add_column("Sends to", key="host")
        table.add_column("License code", key="license")
        table.add_column("REST API key", key="key")
        self.reload()
        table.focus()

    # ---- the table ----

    def reload(self, select: str | None = None) -> None:
        """Read the profiles again and show them, the cursor on `select` (else where it was)."""
        table = self.query_one(DataTable)
        keep = select or self.highlighted()
        try:
            self.profiles = list_profiles(self.settings)
        except (ProfileError, OSError) as error:
            self.profiles = []
            self.say(str(error), error=True)
        table.clear()
        for profile in self.profiles:
            key = f"stored {profile.key}" if profile.key_stored else "not stored"
            table.add_row(
                _cell(DEFAULT_MARK if profile.default else "", "bold yellow"),
                _cell(profile.name, "bold" if profile.default else ""),
                _cell(profile.host),
                _cell(profile.license_code or "(none)"),
                _cell(key, "" if profile.key_stored else "dim"),
                key=profile.name,
            )
        names = [p.name for p in self.profiles]
        if keep in names:
            table.move_cursor(row=names.index(keep))
        if not self.profiles and not self.query_one("#profiles-message", Static).content:
            self.say("No profiles saved yet: fill in the credentials (F2), then Save as.")

    def highlighted(self) -> str | None:
        """The name of the profile under the cursor (None when there is none)."""
        table = self.query_one(DataTable)
        if not self.profiles or not 0 <= table.cursor_row < len(self.profiles):
            return None
        return self.profiles[table.cursor_row].name

    def say(self, message: str, *, error: bool = False) -> None:
        style = "bold red" if error else ""
        self.query_one("#profiles-message", Static).update(_cell(message, style))

    @on(DataTable.RowHighlighted, "#profiles-table")
    def _moved(self) -> None:
        self.confirming = None

    @on(DataTable.RowSelected, "#profiles-table")
    def _selected(self) -> None:
        self.action_load()

    # ---- the actions ----

    @on(Button.Pressed, "#profiles-load")
    def action_load(self) -> None:
        name = self.highlighted()
        if name is not None:
            self.dismiss(name)

    @on(Button.Pressed, "#profiles-default")
    def action_make_default(self) -> None:
        if (name := self.highlighted()) is None:
            return
        try:
            set_default_profile(self.settings, name)
        except (ProfileError, OSError) as error:
            self.say(f"Not changed: {error}", error=True)
            return
        self.reload(name)
        self.say(f"{name!r} is now the default profile (used when none is named).")

    @on(Button.Pressed, "#profiles-rename-button")
    def action_rename(self) -> None:
        if (name := self.highlighted()) is None:
            return
        self.confirming = None
        field = self.query_one("#profiles-rename", Input)
        field.value = name
        self.query_one("#profiles-rename-row").add_class("-renaming")
        field.focus()
        self.say(f"Rename {name!r}: type the new name, Enter to rename, Escape to cancel.")

    @on(Input.Submitted, "#profiles-rename")
    def _rename_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        old = self.highlighted()
        if old is None:
            return
        try:
            new = rename_profile(self.settings, old, event.value)
        except (ProfileError, OSError) as error:
            self.say(f"Not renamed: {error}", error=True)
            return
        for before, after in self.renamed.items():
            if after == old:
                self.renamed[before] = new
        if new != old:
            self.renamed[old] = new
        self._stop_renaming()
        self.reload(new)
        self.say(f"Renamed {old!r} to {new!r} (its stored key too).")

    def _stop_renaming(self) -> None:
        self.query_one("#profiles-rename-row").remove_class("-renaming")
        self.query_one(DataTable).focus()

    @on(Button.Pressed, "#profiles-delete")
    def action_delete(self) -> None:
        if (name := self.highlighted()) is None:
            return
        if self.confirming != name:
            self.confirming = name
            self.say(
                f"Delete {name!r} and any key stored for it? Delete (x) again to confirm, "
                "Escape to keep it.",
                error=True,
            )
            return
        self.confirming = None
        try:
            delete_profile(self.settings, name)
        except (ProfileError, OSError) as error:
            self.say(f"Not deleted: {error}", error=True)
            return
        self.reload()
        self.say(f"Deleted {name!r}.")

    @on(Button.Pressed, "#profiles-close")
    def action_close(self) -> None:
        """Escape cancels a rename or a delete first; then it closes the screen."""
        if self.query_one("#profiles-rename-row").has_class("-renaming"):
            self._stop_renaming()
            self.say("Not renamed.")
        elif self.confirming is not None:
            self.say(f"Kept {self.confirming!r}.")
            self.confirming = None
        else:
            self.dismiss(None)


def open_profiles(app: DebuggerApp) -> None:
    """Push the screen; on the way back the credentials panel re-reads the profiles (following
    renames) and loads the one chosen. Refused in presentation mode: it shows license codes."""
    if is_presentation(app):
        app.notify(
            "Presentation mode: profiles stay hidden. Turn it off from the palette (F9) first.",
            severity="warning",
        )
        return
    screen = ProfilesScreen(app.settings)

    def done(name: Any) -> None:
        for panel in app.main.query(CredentialsPanel):
            panel.refresh_profiles(screen.renamed)
            if isinstance(name, str):
                panel.switch_profile(name)

    app.push_screen(screen, done)
