"""Where the tool keeps its files: config (profiles) and data (delivery history).

Paths follow the platform's conventions (platformdirs). `WEBENGAGE_DEBUGGER_HOME` puts both under one
folder, so a test or a demo never touches the user's real profiles or history.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platformdirs import PlatformDirs
from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "webengage-debugger"
ENV_PREFIX = "WEBENGAGE_DEBUGGER_"
HOME_ENV = f"{ENV_PREFIX}HOME"


def _platform_dirs() -> PlatformDirs:
    return PlatformDirs(APP_NAME, appauthor=False)


class AppSettings(BaseSettings):
    """The app's settings: env `WEBENGAGE_DEBUGGER_<FIELD>` overrides each one.

    `home` (env `WEBENGAGE_DEBUGGER_HOME`) is a shortcut: config in `home/config`, data in `home/data`,
    unless `config_dir` / `data_dir` are given explicitly.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    home: Path | None = None
    config_dir: Path = Path()
    data_dir: Path = Path()

    @model_validator(mode="before")
    @classmethod
    def _fill_dirs(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        home = values.get("home")
        if isinstance(home, str) and not home.strip():
            values["home"] = home = None  # an empty variable means "not set", not "here"
        dirs = _platform_dirs()
        if not values.get("config_dir"):
            values["config_dir"] = Path(home) / "config" if home else Path(dirs.user_config_dir)
        if not values.get("data_dir"):
            values["data_dir"] = Path(home) / "data" if home else Path(dirs.user_data_dir)
        return values

    @property
    def history_path(self) -> Path:
        """The SQLite delivery history."""
        return self.data_dir / "history.sqlite3"

    @property
    def profiles_path(self) -> Path:
        """Saved profiles (no keys): name, data centre or custom host, license code."""
        return self.config_dir / "profiles.toml"

    @property
    def credentials_path(self) -> Path:
        """REST API keys, only for profiles whose key the user asked to store; mode 0600."""
        return self.config_dir / "credentials.toml"

    @property
    def exports_dir(self) -> Path:
        """Where exports (HAR, evidence packs, mapping Markdown, curl files) are written, 0600."""
        return self.data_dir / "exports"

    @property
    def blueprints_dir(self) -> Path:
        """Where user-edited blueprints are kept."""
        return self.config_dir / "blueprints"

    @property
    def journeys_dir(self) -> Path:
        """Where the user's own journeys are kept (listed with the shipped ones)."""
        return self.config_dir / "journeys"

    @property
    def preferences_path(self) -> Path:
        """Choices the app remembers between runs (the theme); nothing secret."""
        return self.config_dir / "settings.toml"

    def ensure_dirs(self) -> None:
        """Create the config (0700: it may hold keys) and data folders."""
        self.config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.config_dir.chmod(0o700)
        self.data_dir.mkdir(parents=True, exist_ok=True)
