"""The type lock: the data type each attribute had when it was first delivered to an account.

WebEngage fixes an attribute's type at its first value; a later value of another type stops that
attribute's data flowing, silently. The tool cannot ask WebEngage what it fixed, but it can remember
what it delivered itself: only from accepted deliveries (a refused one fixed nothing), first value
wins, per license code. Event attributes are kept per event name (WebEngage keeps them per event,
and counts its 25 per data type per event), user attributes (the `attributes` of /users and
/bulk-users bodies) per account, apart from events'. The preview passes `known_types()` to
validation, which warns on a changed type and on crossing 25 of a type across deliveries.

Stored in the history's SQLite file, in its own table, through the History's connection and lock.
A file from before event names were kept has an `attribute_types` table (license code, name, type):
its rows are copied once, as event attributes of an unknown event (`any-event`), which still apply
to every event's type check, as they did, but to no user attribute and to no event's count. The old
table is left as it was, so an older version of the tool still opens the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.store.history import History
from tui.webengage.api import Endpoint
from tui.webengage.entry import LogEntry
from tui.webengage.types import AttributeType, KnownTypes, attribute_type

TABLE = "known_attributes"
LEGACY_TABLE = "attribute_types"
EVENT, USER, ANY_EVENT = "event", "user", "any-event"
"""The scopes: an event's attributes (with its name), the account's user attributes, and event
attributes of an unknown event (rows from `LEGACY_TABLE`)."""

_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    license_code TEXT NOT NULL,
    scope TEXT NOT NULL,
    event_name TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (license_code, scope, event_name, name)
) WITHOUT ROWID
"""
_MIGRATE = (
    f"INSERT OR IGNORE INTO {TABLE} (license_code, scope, event_name, name, type, first_seen_at) "
    f"SELECT license_code, '{ANY_EVENT}', '', name, type, first_seen_at FROM {LEGACY_TABLE}"
)

Owner = str | None
"""Whose attributes: an event's name, or None for a user's."""


def attributes_of(endpoint: Endpoint, body: Any) -> list[tuple[Owner, dict[str, Any]]]:
    """The attribute objects in a request body, each with its owner: eventData with its event's
    name (/events, each item of /bulk-events), user `attributes` with None (/users, /bulk-users)."""
    if not isinstance(body, dict):
        return []
    if endpoint.is_bulk:
        items = body.get("events" if endpoint is Endpoint.BULK_EVENTS else "users")
    else:
        items = [body]
    users = endpoint in (Endpoint.USERS, Endpoint.BULK_USERS)
    found: list[tuple[Owner, dict[str, Any]]] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        data = item.get("attributes" if users else "eventData")
        name = item.get("eventName")
        if isinstance(data, dict) and (users or (isinstance(name, str) and name)):
            found.append((None if users else name, data))
    return found


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return row.fetchone() is not None


class TypeLock:
    """Per license code: each attribute (of an event, or of users) → the AttributeType of its
    first accepted value."""

    def __init__(self, store: History | Path | str) -> None:
        self._history = store if isinstance(store, History) else History(store)
        with self._history.locked() as db:
            if not _has_table(db, TABLE):
                self._create(db)

    @staticmethod
    def _create(db: sqlite3.Connection) -> None:
        """The table, and the old table's rows in it: once, even with two processes opening."""
        db.execute("BEGIN IMMEDIATE")
        try:
            if not _has_table(db, TABLE):
                db.execute(_CREATE)
                if _has_table(db, LEGACY_TABLE):
                    db.execute(_MIGRATE)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def record_event(
        self, license_code: str, event_name: str, event_data: Mapping[str, Any]
    ) -> dict[str, AttributeType]:
        """Remember the types in an ACCEPTED event's `event_data` that its event does not know yet.

        Returns the newly locked attributes. Null values fix nothing (WebEngage drops them).
        """
        return self._record(license_code, EVENT, event_name, event_data)

    def record_user(
        self, license_code: str, attributes: Mapping[str, Any]
    ) -> dict[str, AttributeType]:
        """Remember the types in an ACCEPTED /users body's `attributes` not known for users yet."""
        return self._record(license_code, USER, "", attributes)

    def _record(
        self, license_code: str, scope: str, event_name: str, attributes: Mapping[str, Any]
    ) -> dict[str, AttributeType]:
        if not license_code:
            return {}
        new = {str(k): attribute_type(v) for k, v in attributes.items() if v is not None}
        if not new:
            return {}
        now = datetime.now(UTC).isoformat()
        locked: dict[str, AttributeType] = {}
        with self._history.locked() as db:
            for name, kind in new.items():
                cursor = db.execute(
                    f"INSERT OR IGNORE INTO {TABLE} "
                    "(license_code, scope, event_name, name, type, first_seen_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (license_code, scope, event_name, name, kind.value, now),
                )
                if cursor.rowcount:
                    locked[name] = kind
        return locked

    def learn(self, license_code: str, endpoint: Endpoint, body: Any) -> dict[str, AttributeType]:
        """Record every attribute object in an accepted request body (any of the four endpoints)."""
        locked: dict[str, AttributeType] = {}
        for owner, data in attributes_of(endpoint, body):
            if owner is None:
                locked.update(self.record_user(license_code, data))
            else:
                locked.update(self.record_event(license_code, owner, data))
        return locked

    def record_entry(self, entry: LogEntry) -> dict[str, AttributeType]:
        """Learn from a finished delivery, only if WebEngage accepted it."""
        if entry.outcome is None or not entry.outcome.ok:
            return {}
        return self.learn(entry.license_code, entry.endpoint, entry.request.body)

    def known_types(self, license_code: str) -> KnownTypes:
        """What `preview_event(..., known_types=...)` needs for this account."""
        with self._history.locked() as db:
            rows = db.execute(
                f"SELECT scope, event_name, name, type FROM {TABLE} WHERE license_code = ?",
                (license_code,),
            ).fetchall()
        events: dict[str, dict[str, str]] = {}
        users: dict[str, str] = {}
        any_event: dict[str, str] = {}
        for scope, event_name, name, kind in rows:
            if scope == EVENT:
                events.setdefault(event_name, {})[name] = kind
            elif scope == USER:
                users[name] = kind
            elif scope == ANY_EVENT:
                any_event[name] = kind
        return KnownTypes.of(events, users, any_event)

    def forget(self, license_code: str, name: str | None = None) -> None:
        """Drop one attribute's lock, of every event and of users (or the whole account's),
        e.g. after fixing it in WebEngage."""
        with self._history.locked() as db:
            if name is None:
                db.execute(f"DELETE FROM {TABLE} WHERE license_code = ?", (license_code,))
            else:
                db.execute(
                    f"DELETE FROM {TABLE} WHERE license_code = ? AND name = ?",
                    (license_code, name),
                )
