"""Saved connection profiles, and the one place credentials are resolved (profile, then environment).

Profiles live in `profiles.toml` (no keys in it: it may be shared or committed). A REST API key is
stored only when the user asks, in `credentials.toml`, created with mode 0600 inside a 0700 folder.
The key never appears in reprs, errors or logs: it is a SecretStr from the moment it is read.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from tui.masking import redact_key
from tui.store.files import write_private
from tui.store.settings import AppSettings
from tui.webengage.api import DataCentre
from tui.webengage.request import API_KEY_ENV, Connection

LICENSE_CODE_ENV = "WEBENGAGE_LICENSE_CODE"
DATA_CENTRE_ENV = "WEBENGAGE_DATA_CENTRE"
HOST_ENV = "WEBENGAGE_HOST"
PROFILE_ENV = "WEBENGAGE_PROFILE"
ROUTE_TO_ENV = "WEBENGAGE_ROUTE_TO"
"""Hidden, for tests and demos: connect to this base URL (a sandbox) while keeping the real Host."""

NAME_MAX = 64


class ProfileError(ValueError):
    """A profile or credential setting that cannot be used; the message says which and why."""


class InvalidDataCentre(ProfileError):
    """A data centre value that is not one of WebEngage's."""

    def __init__(self, value: str, source: str = "data centre") -> None:
        allowed = ", ".join(dc.value for dc in DataCentre)
        super().__init__(
            f"{source}: {value!r} is not a data centre; use one of {allowed} "
            "(or a custom host via WEBENGAGE_HOST / --host)"
        )
        self.value = value


_DATA_CENTRE_ALIASES = {
    "global": DataCentre.GLOBAL,
    "us": DataCentre.GLOBAL,
    "in": DataCentre.INDIA,
    "india": DataCentre.INDIA,
    "ksa": DataCentre.KSA,
    "sa": DataCentre.KSA,
}


def parse_data_centre(value: str, source: str = "data centre") -> DataCentre:
    """`global`, `in` or `ksa` (case-insensitive; `india` and API host names are accepted too)."""
    cleaned = value.strip().lower()
    found = _DATA_CENTRE_ALIASES.get(cleaned) or DataCentre.from_host(cleaned)
    if found is None:
        raise InvalidDataCentre(value, source)
    return found


def check_name(value: str) -> str:
    """A profile name, stripped: 1 to NAME_MAX printable characters (ValueError otherwise)."""
    value = value.strip()
    if not value or len(value) > NAME_MAX or not value.isprintable():
        raise ValueError(f"a profile name is 1 to {NAME_MAX} printable characters")
    return value


class Profile(BaseModel):
    """One named account: a data centre (or a custom host), a license code, maybe a stored key."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    name: str
    data_centre: DataCentre | None = DataCentre.GLOBAL
    custom_host: str | None = None
    license_code: str = ""
    api_key: SecretStr | None = None

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        return check_name(value)

    @field_validator("data_centre", mode="before")
    @classmethod
    def _check_data_centre(cls, value: Any) -> Any:
        if isinstance(value, str) and not isinstance(value, DataCentre):
            return parse_data_centre(value) if value.strip() else None
        return value

    def connection(self) -> Connection:
        """This profile as a Connection (a custom host, when set, wins over the data centre)."""
        host = (self.custom_host or "").strip()
        return Connection(
            data_centre=None if host else (self.data_centre or DataCentre.GLOBAL),
            custom_host=host or None,
            license_code=self.license_code.strip(),
            api_key=self.api_key or SecretStr(""),
        )


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        # The message of a TOML error never quotes values, so a key cannot leak through it.
        raise ProfileError(f"{path}: cannot read it ({error})") from None


def _write_private(path: Path, data: dict[str, Any]) -> None:
    """Write TOML readable by the owner only (0600), atomically, so a key is never world-readable."""
    write_private(path, tomli_w.dumps(data))


def _keep_private(path: Path) -> None:
    """Someone made the key file readable by others (a copy, a restore): make it 0600 again."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:
        pass


def _profiles_doc(settings: AppSettings) -> dict[str, Any]:
    doc = _read_toml(settings.profiles_path)
    if not isinstance(doc.get("profiles", {}), dict):
        raise ProfileError(f"{settings.profiles_path}: [profiles] must be a table")
    return doc


def load_profiles(settings: AppSettings) -> dict[str, Profile]:
    """Every saved profile by name, with its key when one was stored."""
    doc = _profiles_doc(settings)
    keys = _read_toml(settings.credentials_path)
    if keys:
        _keep_private(settings.credentials_path)
    profiles: dict[str, Profile] = {}
    for name, raw in doc.get("profiles", {}).items():
        if not isinstance(raw, dict):
            raise ProfileError(f"{settings.profiles_path}: profile {name!r} must be a table")
        stored = keys.get(name, {})
        key = stored.get("api_key") if isinstance(stored, dict) else None
        try:
            profiles[name] = Profile(
                name=name,
                data_centre=raw.get("data_centre", DataCentre.GLOBAL.value),
                custom_host=raw.get("custom_host") or None,
                license_code=str(raw.get("license_code", "")),
                api_key=SecretStr(key) if isinstance(key, str) and key else None,
            )
        except ValueError as error:
            raise ProfileError(
                f"{settings.profiles_path}: profile {name!r}: {_first_error(error)}"
            ) from None
    return profiles


def _first_error(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        ctx = first.get("ctx", {}).get("error")
        return str(ctx) if ctx else str(first.get("msg", error))
    return str(error)


def default_profile_name(settings: AppSettings) -> str | None:
    """The profile used when none is named (None when there is none)."""
    name = _profiles_doc(settings).get("default")
    return name if isinstance(name, str) and name else None


def save_profile(
    settings: AppSettings, profile: Profile, *, store_key: bool, make_default: bool = False
) -> None:
    """Save `profile` (replacing one of the same name).

    With `store_key` its key (if any) goes to the 0600 credentials file; without, any key stored for
    that name is forgotten: the key is kept on disk only while the user asks for it.
    The first profile saved becomes the default.
    """
    doc = _profiles_doc(settings)
    table: dict[str, Any] = dict(doc.get("profiles", {}))
    entry: dict[str, Any] = {"license_code": profile.license_code}
    if profile.custom_host:
        entry["custom_host"] = profile.custom_host
    else:
        entry["data_centre"] = (profile.data_centre or DataCentre.GLOBAL).value
    table[profile.name] = entry
    doc["profiles"] = table
    if make_default or not doc.get("default") or doc.get("default") not in table:
        doc["default"] = profile.name
    _write_private(settings.profiles_path, doc)

    keys = _read_toml(settings.credentials_path)
    if store_key and profile.api_key is not None and profile.api_key.get_secret_value():
        keys[profile.name] = {"api_key": profile.api_key.get_secret_value()}
        _write_private(settings.credentials_path, keys)
    elif profile.name in keys:
        del keys[profile.name]
        _write_private(settings.credentials_path, keys)


def _no_such_profile(name: str, table: Mapping[str, Any]) -> ProfileError:
    known = ", ".join(sorted(table)) or "none saved yet"
    return ProfileError(f"no profile named {name!r} (profiles: {known})")


def set_default_profile(settings: AppSettings, name: str) -> None:
    doc = _profiles_doc(settings)
    if name not in doc.get("profiles", {}):
        raise _no_such_profile(name, doc.get("profiles", {}))
    doc["default"] = name
    _write_private(settings.profiles_path, doc)


def delete_profile(settings: AppSettings, name: str) -> bool:
    """Remove a profile and its stored key. False when there was no such profile."""
    doc = _profiles_doc(settings)
    table: dict[str, Any] = dict(doc.get("profiles", {}))
    if name not in table:
        return False
    del table[name]
    doc["profiles"] = table
    if doc.get("default") == name:
        doc.pop("default")
        if table:
            doc["default"] = next(iter(table))
    _write_private(settings.profiles_path, doc)
    keys = _read_toml(settings.credentials_path)
    if name in keys:
        del keys[name]
        _write_private(settings.credentials_path, keys)
    return True


def rename_profile(settings: AppSettings, old: str, new: str) -> str:
    """Rename a profile (its stored key and the default follow); the new name, stripped.

    Each file is replaced atomically (0600), and in an order that never loses the key: it is
    copied to the new name first, the profile renamed, and only then the old copy removed.
    """
    try:
        new = check_name(new)
    except ValueError as error:
        raise ProfileError(f"{new!r}: {error}") from None
    doc = _profiles_doc(settings)
    table: dict[str, Any] = dict(doc.get("profiles", {}))
    if old not in table:
        raise _no_such_profile(old, table)
    if new == old:
        return new
    if new in table:
        raise ProfileError(f"a profile named {new!r} already exists")
    keys = _read_toml(settings.credentials_path)
    if old in keys or new in keys:  # a key left under the new name belongs to no profile
        keys.pop(new, None)
        if old in keys:
            keys[new] = keys[old]
        _write_private(settings.credentials_path, keys)
    doc["profiles"] = {(new if name == old else name): entry for name, entry in table.items()}
    if doc.get("default") == old:
        doc["default"] = new
    _write_private(settings.profiles_path, doc)
    if old in keys:
        del keys[old]
        _write_private(settings.credentials_path, keys)
    return new


class ProfileSummary(BaseModel):
    """A profile as a list shows it: whether a key is stored and its redaction, never the key."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    name: str
    default: bool
    data_centre: str | None
    custom_host: str | None
    host: str
    license_code: str
    key_stored: bool
    key: str


def list_profiles(settings: AppSettings) -> list[ProfileSummary]:
    """Every saved profile, by name, the default marked."""
    default = default_profile_name(settings)
    summaries = []
    for name, profile in sorted(load_profiles(settings).items()):
        connection = profile.connection()
        key = profile.api_key.get_secret_value() if profile.api_key is not None else ""
        summaries.append(
            ProfileSummary(
                name=name,
                default=name == default,
                data_centre=connection.data_centre.value if connection.data_centre else None,
                custom_host=connection.custom_host,
                host=connection.host,
                license_code=profile.license_code,
                key_stored=bool(key),
                key=redact_key(key),
            )
        )
    return summaries


def resolve_connection(
    settings: AppSettings,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    *,
    use_profiles: bool = True,
    lenient: bool = False,
) -> Connection:
    """The connection to use: the named (or default) profile, overridden by the environment.

    `WEBENGAGE_API_KEY`, `WEBENGAGE_LICENSE_CODE`, `WEBENGAGE_DATA_CENTRE` (global|in|ksa) and
    `WEBENGAGE_HOST` (a custom host; wins over a data centre) each override the profile's value;
    `WEBENGAGE_PROFILE` names the profile when `profile` is not given. The key never comes from argv.
    `use_profiles=False`: the environment alone; `lenient`: an unknown data centre is ignored
    instead of raised (for `preview`, which must show something whatever the configuration).
    """
    env = os.environ if env is None else env
    name = (profile or env.get(PROFILE_ENV) or None) if use_profiles else None
    wanted = use_profiles and (name or settings.profiles_path.exists())
    profiles = load_profiles(settings) if wanted else {}
    if name is not None and name not in profiles:
        raise _no_such_profile(name, profiles)
    if name is None and use_profiles:
        name = default_profile_name(settings)
    base = profiles[name].connection() if name in profiles else Connection()

    updates: dict[str, Any] = {}
    if env.get(API_KEY_ENV):
        updates["api_key"] = SecretStr(env[API_KEY_ENV].strip())
    if env.get(LICENSE_CODE_ENV):
        updates["license_code"] = env[LICENSE_CODE_ENV].strip()
    if env.get(HOST_ENV, "").strip():
        updates["data_centre"] = None
        updates["custom_host"] = env[HOST_ENV].strip()
    elif env.get(DATA_CENTRE_ENV, "").strip():
        try:
            updates["data_centre"] = parse_data_centre(env[DATA_CENTRE_ENV], DATA_CENTRE_ENV)
            updates["custom_host"] = None
        except InvalidDataCentre:
            if not lenient:
                raise
    if env.get(ROUTE_TO_ENV, "").strip():
        updates["route_to"] = env[ROUTE_TO_ENV].strip()
    return base.model_copy(update=updates) if updates else base


def missing_credentials(connection: Connection, *, in_app: bool = False) -> list[str]:
    """What is missing before anything can be sent: each with where to set it on the command
    line, or (`in_app`) as the TUI's credentials panel names it."""
    missing = []
    if not connection.license_code:
        missing.append(
            "the license code"
            if in_app
            else f"license code (set {LICENSE_CODE_ENV}, --license, or a profile)"
        )
    if not connection.api_key.get_secret_value():
        missing.append(
            "the REST API key"
            if in_app
            else f"REST API key (set {API_KEY_ENV} or store it in a profile)"
        )
    if connection.data_centre is None and not (connection.custom_host or "").strip():
        missing.append(
            "the host (pick a data centre)"
            if in_app
            else f"host (set {DATA_CENTRE_ENV}, {HOST_ENV} or --data-centre/--host)"
        )
    return missing
