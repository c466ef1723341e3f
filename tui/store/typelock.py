"""The type lock: the data type each event attribute had when it was first delivered to an account.

WebEngage fixes an attribute's type at its first value; a later value of another type stops that
attribute's data flowing, silently. The tool cannot ask WebEngage what it fixed, but it can remember
what it delivered itself: only from accepted deliveries (a refused one fixed nothing), first value
wins, per license code. The preview passes `known_types()` to validation, which warns on a change.

Stored in the history's SQLite file, in its own table, through the History's connection and lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.store.history import History
from tui.webengage.api import Endpoint
from tui.webengage.entry import LogEntry
from tui.webengage.types import AttributeType, attribute_type

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attribute_types (
    license_code TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (license_code, name)
) WITHOUT ROWID;
"""


def event_data_of(body: Any) -> list[dict[str, Any]]:
    """The eventData objects in a request body: one for /events, one per item for /bulk-events."""
    if not isinstance(body, dict):
        return []
    items = body.get("events") if isinstance(body.get("events"), list) else [body]
    found = []
    for item in items or []:
        data = item.get("eventData") if isinstance(item, dict) else None
        if isinstance(data, dict):
            found.append(data)
    return found


class TypeLock:
    """Per license code: attribute name → the AttributeType of its first accepted value."""

    def __init__(self, store: History | Path | str) -> None:
        self._history = store if isinstance(store, History) else History(store)
        with self._history.locked() as db:
            db.executescript(_SCHEMA)

    def record(self, license_code: str, event_data: Mapping[str, Any]) -> dict[str, AttributeType]:
        """Remember the types in `event_data` (of an ACCEPTED delivery) that are not known yet.

        Returns the newly locked attributes. Null values fix nothing (WebEngage drops them).
        """
        if not license_code:
            return {}
        new = {
            str(name): attribute_type(value)
            for name, value in event_data.items()
            if value is not None
        }
        if not new:
            return {}
        now = datetime.now(UTC).isoformat()
        locked: dict[str, AttributeType] = {}
        with self._history.locked() as db:
            for name, kind in new.items():
                cursor = db.execute(
                    "INSERT OR IGNORE INTO attribute_types (license_code, name, type, first_seen_at) "
                    "VALUES (?, ?, ?, ?)",
                    (license_code, name, kind.value, now),
                )
                if cursor.rowcount:
                    locked[name] = kind
        return locked

    def learn(self, license_code: str, body: Any) -> dict[str, AttributeType]:
        """Record every eventData in an accepted request body (/events or /bulk-events)."""
        locked: dict[str, AttributeType] = {}
        for data in event_data_of(body):
            locked.update(self.record(license_code, data))
        return locked

    def record_entry(self, entry: LogEntry) -> dict[str, AttributeType]:
        """Learn from a finished delivery, only if WebEngage accepted it."""
        if entry.outcome is None or not entry.outcome.ok:
            return {}
        if entry.endpoint not in (Endpoint.EVENTS, Endpoint.BULK_EVENTS):
            return {}
        return self.learn(entry.license_code, entry.request.body)

    def known_types(self, license_code: str) -> dict[str, AttributeType]:
        """What `preview_event(..., known_types=...)` needs for this account."""
        with self._history.locked() as db:
            rows = db.execute(
                "SELECT name, type FROM attribute_types WHERE license_code = ?", (license_code,)
            ).fetchall()
        return {row[0]: AttributeType(row[1]) for row in rows}

    def forget(self, license_code: str, name: str | None = None) -> None:
        """Drop one attribute's lock (or the whole account's), e.g. after fixing it in WebEngage."""
        with self._history.locked() as db:
            if name is None:
                db.execute("DELETE FROM attribute_types WHERE license_code = ?", (license_code,))
            else:
                db.execute(
                    "DELETE FROM attribute_types WHERE license_code = ? AND name = ?",
                    (license_code, name),
                )
