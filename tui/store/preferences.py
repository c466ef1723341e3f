"""What the app remembers between runs: for now, the theme the user chose.

Kept in `settings.toml` in the config folder (nothing secret: no 0600 needed). Reading never
fails (a missing, unreadable or odd file means "no preference"), and neither does saving: a
theme that could not be remembered is not worth interrupting the user for.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Collection
from typing import Any

import tomli_w

from tui.store.settings import AppSettings

THEME_KEY = "theme"
THEME_NAME_MAX = 64


def _valid_theme(value: Any) -> str | None:
    """`value` as a theme name: a short printable string (else None)."""
    name = value.strip() if isinstance(value, str) else ""
    return name if name and len(name) <= THEME_NAME_MAX and name.isprintable() else None


def _read(settings: AppSettings) -> dict[str, Any] | None:
    """The preferences file as a table ({} when absent), or None when it cannot be read."""
    path = settings.preferences_path
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def load_theme(settings: AppSettings) -> str | None:
    """The theme saved last time, or None (none saved, or the file unreadable)."""
    doc = _read(settings)
    return _valid_theme(doc.get(THEME_KEY)) if doc else None


def save_theme(settings: AppSettings, name: str) -> bool:
    """Remember `name` for the next start (other preferences kept); False if it was not saved.

    A file that exists but cannot be read is left alone rather than replaced.
    """
    theme = _valid_theme(name)
    doc = _read(settings)
    if theme is None or doc is None:
        return False
    if doc.get(THEME_KEY) == theme:
        return True
    doc[THEME_KEY] = theme
    path = settings.preferences_path
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp.write_text(tomli_w.dumps(doc), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a reader never sees half a file
    except OSError:
        return False
    return True


def theme_saver(
    settings: AppSettings, *, ignore: Collection[str] = ()
) -> Callable[[str, str], None]:
    """A watcher for `app.theme` (old, new): saves each theme the user picks.

    A change from or to a theme in `ignore` (presentation mode's) is not a choice: not saved.
    """

    def saver(old: str, new: str) -> None:
        if old not in ignore and new not in ignore:
            save_theme(settings, new)

    return saver
