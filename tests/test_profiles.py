"""Profiles and credential resolution: env overrides, 0600 key file, the key never shown."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from tui.store.profiles import (
    InvalidDataCentre,
    Profile,
    ProfileError,
    default_profile_name,
    delete_profile,
    load_profiles,
    missing_credentials,
    parse_data_centre,
    resolve_connection,
    save_profile,
    set_default_profile,
)
from tui.store.settings import AppSettings
from tui.webengage.api import DataCentre

KEY = "we-secret-key-0123456789abcdef"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppSettings:
    monkeypatch.setenv("WEBENGAGE_DEBUGGER_HOME", str(tmp_path / "home"))
    return AppSettings()


def test_home_env_puts_config_and_data_under_one_folder(
    settings: AppSettings, tmp_path: Path
) -> None:
    assert settings.config_dir == tmp_path / "home" / "config"
    assert settings.data_dir == tmp_path / "home" / "data"
    assert settings.history_path == tmp_path / "home" / "data" / "history.sqlite3"


def test_no_profiles_and_no_env_gives_an_empty_global_connection(settings: AppSettings) -> None:
    connection = resolve_connection(settings, env={})
    assert connection.data_centre is DataCentre.GLOBAL
    assert connection.license_code == ""
    assert len(missing_credentials(connection)) == 2


def test_saved_profile_round_trips_without_the_key_unless_asked(settings: AppSettings) -> None:
    profile = Profile(name="prod", data_centre="in", license_code="in~abc", api_key=SecretStr(KEY))
    save_profile(settings, profile, store_key=False)
    loaded = load_profiles(settings)["prod"]
    assert loaded.data_centre is DataCentre.INDIA
    assert loaded.license_code == "in~abc"
    assert loaded.api_key is None
    assert KEY not in settings.profiles_path.read_text()
    assert not settings.credentials_path.exists()
    assert default_profile_name(settings) == "prod"


def test_stored_key_is_in_a_0600_file_and_never_in_reprs(settings: AppSettings) -> None:
    profile = Profile(name="prod", data_centre="ksa", license_code="lc", api_key=SecretStr(KEY))
    save_profile(settings, profile, store_key=True)
    assert stat.S_IMODE(settings.credentials_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.config_dir.stat().st_mode) == 0o700
    assert KEY not in settings.profiles_path.read_text()
    loaded = load_profiles(settings)["prod"]
    assert loaded.api_key is not None and loaded.api_key.get_secret_value() == KEY
    connection = resolve_connection(settings, env={})
    assert connection.api_key.get_secret_value() == KEY
    for text in (repr(loaded), str(loaded), repr(connection), connection.model_dump_json()):
        assert KEY not in text
    # Saving again without store_key forgets the key.
    save_profile(settings, profile, store_key=False)
    assert load_profiles(settings)["prod"].api_key is None


def test_env_overrides_the_profile(settings: AppSettings) -> None:
    save_profile(
        settings,
        Profile(name="p", data_centre="global", license_code="lc1", api_key=SecretStr(KEY)),
        store_key=True,
    )
    connection = resolve_connection(
        settings,
        env={
            "WEBENGAGE_LICENSE_CODE": "lc2",
            "WEBENGAGE_DATA_CENTRE": "IN",
            "WEBENGAGE_API_KEY": "k2",
        },
    )
    assert connection.license_code == "lc2"
    assert connection.data_centre is DataCentre.INDIA
    assert connection.api_key.get_secret_value() == "k2"
    custom = resolve_connection(settings, env={"WEBENGAGE_HOST": "api.eug.webengage.com"})
    assert custom.data_centre is None
    assert custom.host == "api.eug.webengage.com"
    assert custom.license_code == "lc1"


def test_route_to_env_keeps_the_real_host(settings: AppSettings) -> None:
    connection = resolve_connection(
        settings,
        env={"WEBENGAGE_ROUTE_TO": "http://127.0.0.1:9", "WEBENGAGE_DATA_CENTRE": "ksa"},
    )
    assert connection.route_to == "http://127.0.0.1:9"
    assert connection.host == "api.ksa.webengage.com"


def test_invalid_data_centre_names_the_allowed_values(settings: AppSettings) -> None:
    with pytest.raises(InvalidDataCentre) as caught:
        resolve_connection(settings, env={"WEBENGAGE_DATA_CENTRE": "europe"})
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert "'europe'" in message and "global, in, ksa" in message
    assert "WEBENGAGE_DATA_CENTRE" in message
    assert parse_data_centre("api.in.webengage.com") is DataCentre.INDIA


def test_unknown_profile_lists_the_known_ones(settings: AppSettings) -> None:
    save_profile(settings, Profile(name="a", license_code="x"), store_key=False)
    with pytest.raises(ProfileError, match=r"no profile named 'b' \(profiles: a\)"):
        resolve_connection(settings, profile="b", env={})


def test_default_and_delete(settings: AppSettings) -> None:
    save_profile(
        settings, Profile(name="a", license_code="x", api_key=SecretStr(KEY)), store_key=True
    )
    save_profile(
        settings,
        Profile(name="b", custom_host="https://proxy.example:8443", license_code="y"),
        store_key=False,
    )
    assert default_profile_name(settings) == "a"
    set_default_profile(settings, "b")
    connection = resolve_connection(settings, env={})
    assert connection.host == "proxy.example:8443"
    assert connection.data_centre_label == "custom"
    assert delete_profile(settings, "a") is True
    assert delete_profile(settings, "a") is False
    assert KEY not in settings.credentials_path.read_text()
    assert set(load_profiles(settings)) == {"b"}


def test_corrupt_profiles_file_gives_a_clear_error(settings: AppSettings) -> None:
    settings.config_dir.mkdir(parents=True)
    settings.profiles_path.write_text('[profiles.a]\ndata_centre = "moon"\n')
    with pytest.raises(ProfileError, match=r"profile 'a'.*'moon' is not a data centre"):
        load_profiles(settings)
    settings.profiles_path.write_text("not = = toml")
    with pytest.raises(ProfileError, match=r"profiles\.toml: cannot read it"):
        load_profiles(settings)


def test_empty_home_variable_means_the_platform_dirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBENGAGE_DEBUGGER_HOME", "")
    settings = AppSettings()
    assert settings.home is None
    assert settings.config_dir.name == "webengage-debugger"


def test_a_key_file_opened_up_is_made_private_again(settings: AppSettings) -> None:
    save_profile(settings, Profile(name="a", api_key=SecretStr(KEY)), store_key=True)
    settings.credentials_path.chmod(0o644)
    load_profiles(settings)
    assert stat.S_IMODE(settings.credentials_path.stat().st_mode) == 0o600
