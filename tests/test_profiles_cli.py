"""`webengage-debugger profiles` as a user runs it: a real process, the key never printed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from tui import exit_codes
from tui.store.profiles import Profile, default_profile_name, load_profiles, save_profile
from tui.store.settings import AppSettings

ROOT = Path(__file__).resolve().parents[1]
KEY = "we-secret-key-0123456789abcdef"


def profiles(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `webengage-debugger profiles ARGS` with the test's private home; the key never shows."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBENGAGE_")}
    env["WEBENGAGE_DEBUGGER_HOME"] = os.environ["WEBENGAGE_DEBUGGER_HOME"]
    result = subprocess.run(
        [sys.executable, "-m", "tui", "profiles", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert KEY not in result.stdout + result.stderr
    return result


@pytest.fixture
def settings() -> AppSettings:
    """`prod` (India, key stored, the default: saved first) and `staging` (a custom host)."""
    settings = AppSettings()
    prod = Profile(name="prod", data_centre="in", license_code="in~abc", api_key=SecretStr(KEY))
    save_profile(settings, prod, store_key=True)
    staging = Profile(
        name="staging", custom_host="https://api.eug.webengage.com", license_code="lc"
    )
    save_profile(settings, staging, store_key=False)
    return settings


def test_list_marks_the_default_and_says_whether_a_key_is_stored(settings: AppSettings) -> None:
    result = profiles("list")
    assert result.returncode == exit_codes.OK, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("* prod ") and "api.in.webengage.com" in lines[0]
    assert lines[0].endswith("key stored ••••••••cdef")
    assert lines[1].startswith("  staging ") and lines[1].endswith("key not stored")


def test_list_and_show_as_json(settings: AppSettings) -> None:
    listed = json.loads(profiles("list", "--json").stdout)
    assert [(p["name"], p["default"], p["key_stored"]) for p in listed] == [
        ("prod", True, True),
        ("staging", False, False),
    ]
    shown = json.loads(profiles("show", "staging", "--json").stdout)
    assert shown["custom_host"] == "https://api.eug.webengage.com"
    assert shown["host"] == "api.eug.webengage.com" and shown["key"] == "(no key)"


def test_show_masks_the_key(settings: AppSettings) -> None:
    result = profiles("show", "prod")
    assert result.returncode == exit_codes.OK, result.stderr
    assert "Profile prod (default)" in result.stdout
    assert "India (api.in.webengage.com)" in result.stdout
    assert "stored ••••••••cdef" in result.stdout


def test_rename_moves_the_key_and_the_default(settings: AppSettings) -> None:
    result = profiles("rename", "prod", "production")
    assert result.returncode == exit_codes.OK, result.stderr
    loaded = load_profiles(settings)
    assert sorted(loaded) == ["production", "staging"]
    key = loaded["production"].api_key
    assert key is not None and key.get_secret_value() == KEY
    assert default_profile_name(settings) == "production"
    assert stat.S_IMODE(settings.credentials_path.stat().st_mode) == 0o600


def test_default_then_delete(settings: AppSettings) -> None:
    assert profiles("default", "staging").returncode == exit_codes.OK
    assert default_profile_name(settings) == "staging"
    result = profiles("delete", "staging")
    assert result.returncode == exit_codes.OK, result.stderr
    assert "'prod' is now the default" in result.stdout
    assert sorted(load_profiles(settings)) == ["prod"]


def test_unknown_profile_exits_4_and_names_the_known_ones(settings: AppSettings) -> None:
    for args in (
        ("show", "nope"),
        ("rename", "nope", "x"),
        ("delete", "nope"),
        ("default", "nope"),
    ):
        result = profiles(*args)
        assert result.returncode == exit_codes.NOT_FOUND, args
        assert "no profile named 'nope' (profiles: prod, staging)" in result.stderr


def test_an_unusable_new_name_exits_2(settings: AppSettings) -> None:
    taken = profiles("rename", "prod", "staging")
    assert taken.returncode == exit_codes.UNREADABLE_INPUT
    assert "already exists" in taken.stderr
    assert profiles("rename", "prod", "x" * 65).returncode == exit_codes.UNREADABLE_INPUT
    assert sorted(load_profiles(settings)) == ["prod", "staging"]


def test_no_profiles_and_a_corrupt_file() -> None:
    empty = profiles("list")
    assert empty.returncode == exit_codes.OK and "No profiles saved yet" in empty.stdout
    assert profiles("list", "--json").stdout.strip() == "[]"
    settings = AppSettings()
    settings.config_dir.mkdir(parents=True)
    settings.profiles_path.write_text("[profiles\n")
    broken = profiles("list")
    assert broken.returncode == exit_codes.UNREADABLE_INPUT
    assert "profiles.toml" in broken.stderr and "Traceback" not in broken.stderr


def test_a_hostile_license_code_cannot_drive_the_terminal() -> None:
    settings = AppSettings()
    save_profile(settings, Profile(name="evil", license_code="lc\x1b[2J\u202e"), store_key=False)
    for args in (("list",), ("show", "evil")):
        out = profiles(*args).stdout
        assert "\x1b" not in out and "\u202e" not in out
