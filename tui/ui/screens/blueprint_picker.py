"""Pick the active blueprint: the Default, a file from a known folder, or any path typed in.

The known folders are the user's (`blueprints` in the config folder) and the package's own
(`tui/mapping/blueprints`: the Default, listed once as "Default (built-in)", and sample blueprints).

Loading is all-or-nothing: a file that is not a usable blueprint shows BlueprintError's message
(which names the file and the problem) and the screen stays open, so the blueprint in use stays
in use. Only a blueprint that loaded is handed back (`dismiss(blueprint)`); Escape gives None.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Function
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.mapping.blueprint import Blueprint, BlueprintError, default_blueprint, load_blueprint

DEFAULT_OPTION = "default"


def bundled_blueprints_dir() -> Path:
    """The blueprints that ship in the package (the Default's folder, in every wheel)."""
    return Path(str(resources.files("tui.mapping").joinpath("blueprints"))).resolve()


DEFAULT_FILE = "default.toml"
"""The Default blueprint's file among the shipped ones: offered as "Default (built-in)"."""


def blueprint_files(directories: Sequence[Path]) -> list[Path]:
    """Every *.toml in the directories, in order, each once."""
    seen: dict[Path, None] = {}
    for directory in directories:
        if directory.is_dir():
            for path in sorted(directory.glob("*.toml")):
                seen.setdefault(path.resolve(), None)
    return list(seen)


def describe(blueprint: Blueprint) -> str:
    """One line about a blueprint: what it renames, for choosing between files."""
    renamed = sum(1 for s, w in blueprint.event_names.items() if s != w)
    return (
        f"{blueprint.name}: {len(blueprint.event_names)} events ({renamed} renamed), "
        f"{len(blueprint.property_renames)} property renames, page → {blueprint.page_event_name}"
    )


def _is_file(text: str) -> bool:
    """Input validation while typing: the field turns red until the path names a file."""
    return not text.strip() or Path(text.strip()).expanduser().is_file()


class BlueprintPickerScreen(ModalScreen[Blueprint | None]):
    """Choose a blueprint; the current one stays unless a new one loads cleanly."""

    DEFAULT_CSS = """
    BlueprintPickerScreen { align: center middle; }
    BlueprintPickerScreen > Vertical {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 2;
    }
    BlueprintPickerScreen #picker-title { text-style: bold; }
    BlueprintPickerScreen #picker-current { color: $text-muted; margin-bottom: 1; }
    BlueprintPickerScreen OptionList { height: auto; max-height: 10; }
    BlueprintPickerScreen #picker-about { height: auto; color: $text-muted; margin-bottom: 1; }
    BlueprintPickerScreen #picker-error { color: $error; text-style: bold; height: auto; }
    BlueprintPickerScreen #picker-error.-empty { display: none; }
    BlueprintPickerScreen #picker-path { margin-top: 1; background: $panel; }
    BlueprintPickerScreen #picker-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    BlueprintPickerScreen #picker-buttons Button { margin-left: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        current: Blueprint,
        *,
        directories: Sequence[Path] | None = None,
        name: str | None = None,
    ) -> None:
        """`directories` are searched for *.toml blueprints (default: the shipped ones)."""
        super().__init__(name=name)
        self.current = current
        self.directories = (
            list(directories) if directories is not None else [bundled_blueprints_dir()]
        )
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        shipped = bundled_blueprints_dir()
        files = [p for p in blueprint_files(self.directories) if p != shipped / DEFAULT_FILE]
        with Vertical():
            yield Label("Load a blueprint", id="picker-title")
            yield Static(
                f"In use: {self.current.name} ({self.current.source})", id="picker-current"
            )
            options = [Option(Text("Default (built-in)", style="bold"), id=DEFAULT_OPTION)]
            options += [Option(self._file_label(path), id=str(path)) for path in files]
            yield OptionList(*options, id="picker-list")
            yield Static("", id="picker-about")
            yield Label("Or a path to a blueprint file (TOML):")
            yield Input(
                placeholder="path/to/blueprint.toml",
                id="picker-path",
                compact=True,
                validators=[Function(_is_file, "no such file")],
                validate_on=["changed", "submitted"],
            )
            yield Static("", id="picker-error", classes="-empty")
            with Horizontal(id="picker-buttons"):
                yield Button("Load", variant="primary", id="picker-load")
                yield Button("Cancel", id="picker-cancel")

    @staticmethod
    def _file_label(path: Path) -> Text:
        if path.parent == bundled_blueprints_dir():
            return Text.assemble(path.name, (" (shipped sample)", "dim"))
        try:
            shown = path.relative_to(Path.cwd())
        except ValueError:
            shown = path
        return Text(str(shown))

    def _show_error(self, message: str | None) -> None:
        self.error = message
        error = self.query_one("#picker-error", Static)
        error.update(message or "")
        error.set_class(not message, "-empty")

    def load(self, choice: str) -> Blueprint | None:
        """Load the Default or a file; on failure say why (and return None)."""
        if choice == DEFAULT_OPTION:
            blueprint = default_blueprint()
        else:
            text = choice.strip()
            if not text:
                self._show_error("Type a path to a blueprint file, or pick one from the list.")
                return None
            try:
                blueprint = load_blueprint(Path(text).expanduser())
            except BlueprintError as error:
                self._show_error(f"{error}\nThe blueprint in use is still {self.current.name}.")
                return None
        self._show_error(None)
        return blueprint

    def _choose(self, choice: str) -> None:
        blueprint = self.load(choice)
        if blueprint is not None:
            self.dismiss(blueprint)

    @on(OptionList.OptionHighlighted, "#picker-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Say what the highlighted blueprint does (or what is wrong with it) before loading."""
        choice = event.option.id or ""
        about = self.query_one("#picker-about", Static)
        try:
            blueprint = (
                default_blueprint() if choice == DEFAULT_OPTION else load_blueprint(Path(choice))
            )
        except BlueprintError as error:
            about.update(Text(f"✗ {error.problem}", style="red"))
            return
        about.update(describe(blueprint))

    @on(OptionList.OptionSelected, "#picker-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._choose(event.option.id)

    @on(Input.Submitted, "#picker-path")
    def _submitted(self, event: Input.Submitted) -> None:
        self._choose(event.value)

    @on(Button.Pressed, "#picker-load")
    def _load_pressed(self) -> None:
        path = self.query_one("#picker-path", Input).value
        if path.strip():
            self._choose(path)
            return
        highlighted = self.query_one("#picker-list", OptionList).highlighted_option
        self._choose(highlighted.id if highlighted is not None and highlighted.id else "")

    @on(Button.Pressed, "#picker-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
