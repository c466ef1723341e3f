"""Blueprints: the mapping from Signal events to WebEngage requests, as a TOML file a user can edit.

The Default blueprint ships in the package (`blueprints/default.toml`) and reproduces the integration
spec exactly; a user copies it, edits it and loads it with `--blueprint FILE`. A file that is not
valid TOML, or names an unknown key, gets one `BlueprintError` naming the file and the problem.

User files (a blueprint, or events: `tui.mapping.signal`) are read by `read_bounded`, in chunks up to
a limit, so `/dev/zero` stops there and a pipe read off the UI thread always ends.
"""

from __future__ import annotations

import os
import select
import stat
import sys
import time
import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

USER_FIELDS = frozenset(
    {
        "email",
        "phone",
        "firstName",
        "lastName",
        "birthDate",
        "gender",
        "company",
        "hashedEmail",
        "hashedPhone",
        "emailOptIn",
        "smsOptIn",
        "whatsappOptIn",
        "rcsOptIn",
    }
)
"""The fields of WebEngage's /users body that a trait may fill (webengage-api.md)."""

DEFAULT_SOURCE = "built-in"
MAX_BYTES = 64 * 1024 * 1024
"""The most a file of events may hold (`--max-bytes` raises it)."""
BLUEPRINT_MAX_BYTES = 4 * 1024 * 1024
_CHUNK = 1024 * 1024


class TooLarge(Exception):
    """A file holding more than the limit: reading stopped there."""


def size_text(size: int) -> str:
    """`64 MiB`, `1.5 MiB`, `512 bytes`."""
    return f"{size / 2**20:.4g} MiB" if size >= 2**20 else f"{size:,} bytes"


STDIN = "-"
"""A FILE of `-` means standard input, as for most command-line tools."""


def read_bounded(
    path: Path,
    max_bytes: int = MAX_BYTES,
    *,
    wait_s: float | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """The bytes at `path`, read in chunks, never more than `max_bytes` (TooLarge past it): a
    regular file, a pipe or a device alike. OSError as `open` raises it.

    Without `wait_s` a pipe blocks as `cat` would. With it (an app's thread), nothing blocks: a
    pipe with nothing written (or no writer) for `wait_s` seconds, or `cancelled()`, is a
    TimeoutError, so the thread always ends; and a terminal is refused (the app reads its keys).
    """
    if str(path) == STDIN:  # `preview -`, `send -`: standard input, with the same limit
        fd = os.dup(sys.stdin.fileno())
    else:
        fd = os.open(path, os.O_RDONLY | (0 if wait_s is None else os.O_NONBLOCK))
    try:
        info = os.fstat(fd)
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if stat.S_ISREG(mode) and info.st_size > max_bytes:
            raise TooLarge
        if wait_s is not None and os.isatty(fd):
            raise OSError("it is a terminal, not a file of events")
        chunks: list[bytes] = []
        size, idle_since = 0, time.monotonic()
        while size <= max_bytes:
            try:
                chunk: bytes | None = os.read(fd, min(_CHUNK, max_bytes + 1 - size))
            except BlockingIOError:
                chunk = None
            if chunk:
                chunks.append(chunk)
                size, idle_since = size + len(chunk), time.monotonic()
                continue
            if wait_s is None or (chunk == b"" and (size or not stat.S_ISFIFO(mode))):
                break  # the end (a pipe read without waiting may not have a writer yet)
            if time.monotonic() - idle_since > wait_s or (cancelled and cancelled()):
                raise TimeoutError(f"nothing to read for {wait_s:g} s (a pipe nobody writes to?)")
            if chunk is None:
                select.select([fd], [], [], 0.05)  # a writer, and nothing written yet
            else:
                time.sleep(0.05)  # no writer yet
        if size > max_bytes:
            raise TooLarge
        return b"".join(chunks)
    finally:
        os.close(fd)


class BlueprintError(Exception):
    """A blueprint file that cannot be used; `str()` names the file and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"


class Blueprint(BaseModel):
    """How Signal events become WebEngage requests. Mirrors the TOML file, key for key."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str
    description: str = ""
    source: str = DEFAULT_SOURCE
    page_event_name: str = "Page Viewed"
    flatten_separator: str = "_"
    rewrite_dates: bool = True
    drop_nulls: bool = True
    event_names: dict[str, str] = Field(default_factory=dict)
    property_renames: dict[str, str] = Field(default_factory=dict)
    user_fields: dict[str, str] = Field(default_factory=dict)

    @field_validator("name", "page_event_name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("event_names", "property_renames")
    @classmethod
    def _no_blank_targets(cls, value: dict[str, str]) -> dict[str, str]:
        blank = [key for key, target in value.items() if not target.strip()]
        if blank:
            raise ValueError(f"{blank[0]!r} maps to an empty name")
        return value

    @field_validator("user_fields")
    @classmethod
    def _known_user_fields(cls, value: dict[str, str]) -> dict[str, str]:
        for trait, field in value.items():
            if field not in USER_FIELDS:
                known = ", ".join(sorted(USER_FIELDS))
                raise ValueError(f"{trait!r} maps to {field!r}, not a /users field ({known})")
        return value

    def signal_events(self) -> list[str]:
        """The Signal event names this blueprint knows, for the composer's picker: 'page' first."""
        return ["page", *self.event_names]

    def webengage_event_name(self, signal_type: str, event: str | None) -> tuple[str, bool]:
        """The WebEngage event name, and whether the blueprint lists it (False: a custom event)."""
        if signal_type == "page":
            return self.page_event_name, True
        name = event or ""
        mapped = self.event_names.get(name)
        return (name, False) if mapped is None else (mapped, True)


def _problem(error: ValidationError) -> str:
    """The first problem pydantic found, in the file's own words (`event_names.Page`, not `loc`)."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        return f"unknown key {where!r} (known: {', '.join(_KNOWN_KEYS)})"
    if first["type"] == "missing":
        return f"missing key {where!r}"
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


_KNOWN_KEYS = [name for name in Blueprint.model_fields if name != "source"]


def blueprint_from_toml(text: str, source: str) -> Blueprint:
    """A Blueprint from TOML text; BlueprintError names `source` and the problem."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BlueprintError(source, f"not valid TOML: {error}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise BlueprintError(source, "nested too deeply to read (not a blueprint)") from None
    if "source" in data:
        raise BlueprintError(source, "unknown key 'source' (set by the loader, not the file)")
    try:
        return Blueprint.model_validate({**data, "source": source})
    except ValidationError as error:
        raise BlueprintError(source, _problem(error)) from None
    except RecursionError:
        raise BlueprintError(source, "nested too deeply to read (not a blueprint)") from None


def load_blueprint(path: Path) -> Blueprint:
    """The blueprint in the TOML file at `path`; BlueprintError for anything wrong with it."""
    source = str(path)
    try:
        text = read_bounded(path, BLUEPRINT_MAX_BYTES).decode("utf-8")
    except TooLarge:
        too_large = f"is larger than {size_text(BLUEPRINT_MAX_BYTES)}: too large for a blueprint"
        raise BlueprintError(source, too_large) from None
    except FileNotFoundError:
        raise BlueprintError(source, "no such file") from None
    except IsADirectoryError:
        raise BlueprintError(source, "is a directory, not a blueprint file") from None
    except UnicodeDecodeError:
        raise BlueprintError(source, "not UTF-8 text") from None
    except OSError as error:
        raise BlueprintError(source, f"cannot read: {error.strerror or error}") from None
    return blueprint_from_toml(text, source)


def default_blueprint_text() -> str:
    """The Default blueprint's TOML, for a user to copy and edit."""
    return resources.files("tui.mapping").joinpath("blueprints/default.toml").read_text("utf-8")


@cache
def default_blueprint() -> Blueprint:
    """The Default blueprint that ships with the package (frozen, so safe to share)."""
    return blueprint_from_toml(default_blueprint_text(), DEFAULT_SOURCE)
