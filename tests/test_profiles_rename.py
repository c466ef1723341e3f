"""Renaming and listing profiles (tui.store.profiles): the key follows, and is never lost."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tui.store import profiles as store
from tui.store.profiles import (
    Profile,
    ProfileError,
    default_profile_name,
    list_profiles,
    load_profiles,
    rename_profile,
    save_profile,
)
from tui.store.settings import AppSettings

KEY = "we-secret-key-0123456789abcdef"


@pytest.fixture
def settings() -> AppSettings:
    settings = AppSettings()
    prod = Profile(name="prod", data_centre="ksa", license_code="lc", api_key=SecretStr(KEY))
    save_profile(settings, prod, store_key=True)
    save_profile(settings, Profile(name="dev", license_code="dev~1"), store_key=False)
    save_profile(settings, Profile(name="zed", license_code="z"), store_key=False)
    return settings


def test_rename_moves_the_key_and_the_default_and_keeps_the_order(settings: AppSettings) -> None:
    assert rename_profile(settings, "prod", "  live  ") == "live"
    loaded = load_profiles(settings)
    assert list(loaded) == ["live", "dev", "zed"]
    key = loaded["live"].api_key
    assert key is not None and key.get_secret_value() == KEY
    assert loaded["live"].license_code == "lc"
    assert default_profile_name(settings) == "live"
    text = settings.credentials_path.read_text()
    assert "[live]" in text and "prod" not in text
    for path in (settings.credentials_path, settings.profiles_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_rename_of_a_profile_without_a_key_leaves_the_key_file_alone(
    settings: AppSettings,
) -> None:
    before = settings.credentials_path.read_text()
    rename_profile(settings, "dev", "development")
    assert settings.credentials_path.read_text() == before
    assert default_profile_name(settings) == "prod"
    assert load_profiles(settings)["development"].api_key is None


def test_a_stray_key_under_the_new_name_is_not_inherited(settings: AppSettings) -> None:
    """A key left in credentials.toml under a name no profile has must not attach itself."""
    path = settings.credentials_path
    path.write_text(path.read_text() + '\n[development]\napi_key = "stray-key-000000000000"\n')
    rename_profile(settings, "dev", "development")
    assert load_profiles(settings)["development"].api_key is None
    assert "stray-key" not in path.read_text()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("nope", "x", "no profile named 'nope' (profiles: dev, prod, zed)"),
        ("dev", "zed", "a profile named 'zed' already exists"),
        ("dev", "   ", "1 to 64 printable characters"),
        ("dev", "a\nb", "1 to 64 printable characters"),
    ],
)
def test_rename_refusals_change_nothing(
    settings: AppSettings, old: str, new: str, message: str
) -> None:
    before = (settings.profiles_path.read_text(), settings.credentials_path.read_text())
    with pytest.raises(ProfileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rename_profile(settings, old, new)
    assert (settings.profiles_path.read_text(), settings.credentials_path.read_text()) == before


def test_rename_to_the_same_name_is_a_no_op(settings: AppSettings) -> None:
    assert rename_profile(settings, "prod", "prod") == "prod"
    assert list(load_profiles(settings)) == ["prod", "dev", "zed"]


def test_a_rename_cut_short_never_loses_the_key(
    settings: AppSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key is copied to the new name before the profile is renamed: a failure in between
    leaves the profile under its old name, still with its key."""
    real = store._write_private

    def failing(path: Path, data: dict[str, Any]) -> None:
        if path == settings.profiles_path:
            raise OSError("disk full")
        real(path, data)

    monkeypatch.setattr(store, "_write_private", failing)
    with pytest.raises(OSError):
        rename_profile(settings, "prod", "live")
    key = load_profiles(settings)["prod"].api_key
    assert key is not None and key.get_secret_value() == KEY


def test_list_profiles_masks_the_key_and_marks_the_default(settings: AppSettings) -> None:
    listed = list_profiles(settings)
    assert [(p.name, p.default, p.key_stored) for p in listed] == [
        ("dev", False, False),
        ("prod", True, True),
        ("zed", False, False),
    ]
    prod = listed[1]
    assert prod.host == "api.ksa.webengage.com" and prod.data_centre == "ksa"
    assert prod.key == "••••••••cdef" and listed[0].key == "(no key)"
    for summary in listed:
        assert KEY not in summary.model_dump_json() and KEY not in repr(summary)


def test_list_profiles_with_none_saved() -> None:
    assert list_profiles(AppSettings()) == []
