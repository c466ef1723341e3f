"""The theme the user picks is remembered (tui.store.preferences), presentation mode's is not."""

from __future__ import annotations

import tomllib

from textual.app import App

from tui.store.preferences import load_theme, save_theme, theme_saver
from tui.store.settings import AppSettings
from tui.ui.themes import PRESENTATION_THEME_NAME, register_themes, set_presentation


def test_no_theme_saved_yet() -> None:
    assert load_theme(AppSettings()) is None


def test_a_saved_theme_is_loaded_next_time_and_other_preferences_are_kept() -> None:
    settings = AppSettings()
    settings.config_dir.mkdir(parents=True)
    settings.preferences_path.write_text('other = "kept"\n')
    assert save_theme(settings, "nord")
    assert load_theme(AppSettings()) == "nord"
    assert save_theme(settings, "gruvbox")
    doc = tomllib.loads(settings.preferences_path.read_text())
    assert doc == {"other": "kept", "theme": "gruvbox"}
    assert settings.preferences_path.parent == settings.config_dir


def test_an_unreadable_or_odd_file_means_no_theme_and_is_not_overwritten() -> None:
    settings = AppSettings()
    settings.config_dir.mkdir(parents=True)
    settings.preferences_path.write_text("theme = [")
    assert load_theme(settings) is None
    assert not save_theme(settings, "nord")
    assert settings.preferences_path.read_text() == "theme = ["
    settings.preferences_path.write_text("theme = 3\n")
    assert load_theme(settings) is None
    settings.preferences_path.write_bytes(b"theme = '\xff'")
    assert load_theme(settings) is None


def test_a_name_that_is_no_theme_name_is_not_saved() -> None:
    settings = AppSettings()
    for bad in ("", "  ", "a\nb", "x" * 65):
        assert not save_theme(settings, bad)
    assert not settings.preferences_path.exists()


def test_a_folder_that_cannot_be_written_is_not_an_error() -> None:
    settings = AppSettings()
    settings.config_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.config_dir.write_text("not a folder")
    assert not save_theme(settings, "nord")


def test_the_watcher_ignores_presentation_mode_switching_on_and_off() -> None:
    settings = AppSettings()
    saver = theme_saver(settings, ignore={"webengage-present"})
    saver("textual-dark", "nord")
    assert load_theme(settings) == "nord"
    saver("nord", "webengage-present")  # presentation on
    saver("webengage-present", "textual-dark")  # presentation off (back to a fixed theme)
    assert load_theme(settings) == "nord"


class ThemedApp(App[None]):
    """The hook proposed for tui/ui/app.py's on_mount, on a bare app."""

    def __init__(self, settings: AppSettings) -> None:
        super().__init__()
        self.settings = settings

    def on_mount(self) -> None:
        register_themes(self)
        if (saved := load_theme(self.settings)) in self.available_themes:
            self.theme = saved
        ignore = {PRESENTATION_THEME_NAME}
        self.watch(self, "theme", theme_saver(self.settings, ignore=ignore), init=False)


async def test_the_hook_remembers_a_chosen_theme_across_starts() -> None:
    settings = AppSettings()
    app = ThemedApp(settings)
    async with app.run_test() as pilot:
        assert app.theme == "textual-dark"
        app.theme = "nord"  # what the palette's "Change theme" does
        await pilot.pause()
        set_presentation(app, True)
        await pilot.pause()
        set_presentation(app, False)
        await pilot.pause()
    assert load_theme(settings) == "nord"
    again = ThemedApp(AppSettings())
    async with again.run_test() as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_a_saved_theme_that_no_longer_exists_is_ignored() -> None:
    settings = AppSettings()
    assert save_theme(settings, "no-such-theme")
    app = ThemedApp(settings)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
