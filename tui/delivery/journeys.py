"""Journeys: a named sequence of Signal events for one test user, delivered in order.

A journey shows a whole funnel arriving in WebEngage (anonymous browsing, sign-up, purchase) the way
a real visitor's events would: every step shares one `anonymous_id`, and from the first `identify`
onwards the steps also carry a `user_id`. The ids are always made up for the run from a prefix
(default `wedbg-test-`) and a random suffix, so a demo can never touch a real customer's profile.
"""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tui.mapping.blueprint import Blueprint
from tui.mapping.preview import preview_event
from tui.store.settings import AppSettings
from tui.webengage.api import ID_MAX
from tui.webengage.deliverer import Deliverer
from tui.webengage.entry import LogEntry
from tui.webengage.findings import Finding
from tui.webengage.request import Connection

DEFAULT_ID_PREFIX = "wedbg-test-"
JOURNEY_SUFFIX = ".toml"
PLACEHOLDERS = ("{user_id}", "{anonymous_id}", "{run_id}")
"""Tokens replaced in every string of a step's properties and traits (e.g. an email per run)."""

StepStatus = Literal["pending", "running", "accepted", "failed", "refused", "skipped"]


class JourneyError(Exception):
    """A journey file that cannot be used: names the file and the problem."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


class JourneyStep(BaseModel):
    """One Signal event of the journey, without identity or timestamp (the run supplies those)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    type: Literal["track", "page", "identify"] = "track"
    event: str | None = None
    name: str | None = None
    title: str = ""
    properties: dict[str, Any] = Field(default_factory=dict)
    traits: dict[str, Any] = Field(default_factory=dict)

    def label(self) -> str:
        """What the step is called in a list: its title, else the Signal event it sends."""
        if self.title:
            return self.title
        if self.type == "track":
            return self.event or "(unnamed track)"
        if self.type == "page":
            return f"page {self.name}" if self.name else "page view"
        return "identify"


class Journey(BaseModel):
    """A named funnel: the steps in the order WebEngage should receive them."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    name: str
    title: str = ""
    description: str = ""
    source: str = ""
    steps: list[JourneyStep]

    def display_title(self) -> str:
        return self.title or self.name


class JourneyIdentity(BaseModel):
    """The made-up visitor a journey run uses. Both ids start with the prefix."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    prefix: str
    run_id: str
    user_id: str
    anonymous_id: str


def make_identity(prefix: str = DEFAULT_ID_PREFIX, *, run_id: str | None = None) -> JourneyIdentity:
    """A fresh test visitor. An empty or over-long prefix is refused: it is the demo's safety catch."""
    prefix = prefix.strip()
    if not prefix:
        raise ValueError(
            "The test-user id prefix is empty: journeys need one so they never touch real profiles."
        )
    run_id = run_id or secrets.token_hex(4)
    anonymous_id = f"{prefix}anon-{run_id}"
    if len(anonymous_id) > ID_MAX:
        raise ValueError(
            f"The test-user id prefix is too long: ids must be at most {ID_MAX} characters."
        )
    return JourneyIdentity(
        prefix=prefix, run_id=run_id, user_id=f"{prefix}{run_id}", anonymous_id=anonymous_id
    )


def load_journey(path: Path) -> Journey:
    """Read one journey file. Raises JourneyError (file name + problem) for anything unusable."""
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise JourneyError(source, f"cannot read it ({error.strerror or error})") from error
    except UnicodeDecodeError as error:
        raise JourneyError(source, "it is not UTF-8 text") from error
    except tomllib.TOMLDecodeError as error:
        raise JourneyError(source, f"not valid TOML: {error}") from error
    data.setdefault("name", path.stem)
    data["source"] = source
    try:
        journey = Journey.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise JourneyError(source, f"{where}: {first['msg']}") from error
    if not journey.steps:
        raise JourneyError(source, "it has no [[steps]]")
    for number, step in enumerate(journey.steps, start=1):
        if step.type == "track" and not step.event:
            raise JourneyError(source, f"step {number} is a track without an event name")
    return journey


def load_journeys(directories: Iterable[Path]) -> tuple[list[Journey], list[JourneyError]]:
    """Every journey in the directories (sorted by name), and the files that could not be used.

    A broken file does not hide the good ones: its error is returned for the UI to show.
    """
    journeys: dict[str, Journey] = {}
    errors: list[JourneyError] = []
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob(f"*{JOURNEY_SUFFIX}")):
            try:
                journey = load_journey(path)
            except JourneyError as error:
                errors.append(error)
                continue
            journeys.setdefault(journey.name, journey)
    return sorted(journeys.values(), key=lambda j: j.name), errors


def bundled_journeys_dir() -> Path:
    """The journeys that ship in the package (`tui/delivery/bundled_journeys`, in every wheel)."""
    return Path(__file__).resolve().parent / "bundled_journeys"


def journey_directories(settings: AppSettings) -> list[Path]:
    """Where journeys are found: the user's folder (`journeys` in the config folder), then the
    shipped ones; a user's journey named like a shipped one replaces it."""
    return [settings.journeys_dir, bundled_journeys_dir()]


def _substitute(value: Any, identity: JourneyIdentity) -> Any:
    if isinstance(value, str):
        return (
            value.replace("{user_id}", identity.user_id)
            .replace("{anonymous_id}", identity.anonymous_id)
            .replace("{run_id}", identity.run_id)
        )
    if isinstance(value, dict):
        return {key: _substitute(item, identity) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, identity) for item in value]
    return value


def materialise(
    journey: Journey, identity: JourneyIdentity, *, start: datetime
) -> list[dict[str, Any]]:
    """The raw Signal events of a run: shared anonymous_id, user_id from the first identify on.

    Timestamps are one second apart ending at `start`, so WebEngage's timeline (which has
    one-second resolution) shows the steps in order and none lies in the future.
    """
    events: list[dict[str, Any]] = []
    identified = False
    count = len(journey.steps)
    for index, step in enumerate(journey.steps):
        identified = identified or step.type == "identify"
        moment = start - timedelta(seconds=count - 1 - index)
        event: dict[str, Any] = {"type": step.type}
        if step.type == "track":
            event["event"] = step.event
        if step.type == "page" and step.name:
            event["name"] = step.name
        event["anonymous_id"] = identity.anonymous_id
        if identified:
            event["user_id"] = identity.user_id
        event["timestamp"] = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
        if step.type == "identify":
            event["traits"] = _substitute(step.traits, identity)
        else:
            event["properties"] = _substitute(step.properties, identity)
        events.append(event)
    return events


class StepResult(BaseModel):
    """Where one step of a run stands; `entry` is its delivery log entry once it was sent."""

    index: int
    label: str
    status: StepStatus = "pending"
    event: dict[str, Any] = Field(default_factory=dict)
    event_name: str = ""
    entry: LogEntry | None = None
    findings: list[Finding] = Field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "accepted"


async def run_journey(
    journey: Journey,
    connection: Connection,
    client: Deliverer,
    *,
    blueprint: Blueprint | None = None,
    identity: JourneyIdentity | None = None,
    now: datetime | None = None,
    on_step: Callable[[StepResult], None] | None = None,
    on_update: Callable[[LogEntry], None] | None = None,
    stop_on_failure: bool = True,
) -> list[StepResult]:
    """Deliver the journey's steps in order, one log entry each; the results, one per step.

    `on_step` hears each step start ("running") and end; `on_update` is passed to the client so
    history can record every entry from its first attempt. A step whose preview has errors is not
    sent ("refused"), and by default the rest are then "skipped": later steps assume the earlier
    ones arrived (a purchase by a user who never signed up proves nothing).
    """
    identity = identity or make_identity()
    start = now or datetime.now(UTC)
    events = materialise(journey, identity, start=start)
    results = [
        StepResult(index=i, label=step.label(), event=events[i])
        for i, step in enumerate(journey.steps)
    ]
    total = len(results)
    stopped = False
    for result in results:
        if stopped:
            result.status = "skipped"
            result.note = "an earlier step did not arrive"
            _tell(on_step, result)
            continue
        preview = preview_event(result.event, connection, blueprint, now=start)
        result.event_name = preview.event_name
        result.findings = list(preview.findings)
        if preview.has_errors:
            result.status = "refused"
            result.note = "not sent: the preview has errors"
            _tell(on_step, result)
            stopped = stop_on_failure
            continue
        result.status = "running"
        _tell(on_step, result)
        entry = await client.deliver(
            preview.request,
            event_name=preview.event_name,
            findings=preview.findings,
            source=f"journey {journey.name} step {result.index + 1}/{total}",
            on_update=on_update,
        )
        result.entry = entry
        result.status = "accepted" if entry.outcome is not None and entry.outcome.ok else "failed"
        if not result.ok:
            result.note = entry.hint.title if entry.hint else "not accepted"
            stopped = stop_on_failure
        _tell(on_step, result)
    return results


def _tell(on_step: Callable[[StepResult], None] | None, result: StepResult) -> None:
    if on_step is not None:
        on_step(result.model_copy(deep=True))


def summary_line(results: Sequence[StepResult]) -> str:
    """One line for the end of a run: how many steps were accepted, and the first that was not."""
    accepted = sum(1 for r in results if r.ok)
    first_bad = next((r for r in results if r.status in ("failed", "refused")), None)
    line = f"{accepted}/{len(results)} steps accepted"
    if first_bad is not None:
        line += (
            f"; step {first_bad.index + 1} ({first_bad.label}) {first_bad.status}: {first_bad.note}"
        )
    return line
