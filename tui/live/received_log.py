"""Every event the listener received, on disk: a `received` table in the history's SQLite file.

The delivery history (`deliveries`) holds deliveries: an event the listener forwarded is there,
recorded by the delivery service like every other send, and this table links to it
(`delivery_id`). An event it did not forward (forwarding off, refused for its findings, an alias
WebEngage has no call for) was never sent, so it has no delivery entry: written there without an
outcome it would read as a send that was interrupted, which would be untrue. It is written here,
with why it was not sent, so the history still holds every event received.

Rows are written off the listener's loop, by one thread, many to a transaction (1,000 events a
second cost a few transactions, not a thousand). Bodies hold user ids and emails: the file is
owner-only (the history makes it so); the write key is masked before an event gets here.
"""

from __future__ import annotations

import contextlib
import json
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.live.received import Received, finding_record

EVENT_STORED_MAX = 64 * 1024
"""An event's JSON is kept up to this many characters (events over 32 KB are refused anyway)."""
BATCH = 5000
GATHER_S = 0.1
_STOP = object()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL,
    path TEXT NOT NULL,
    signal_event TEXT NOT NULL,
    webengage_event TEXT NOT NULL,
    identity TEXT NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    delivery_id TEXT,
    event TEXT NOT NULL,
    findings TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS received_at ON received (received_at);
"""
_COLUMNS = (
    "id, received_at, path, signal_event, webengage_event, identity, errors, warnings, outcome, "
    "delivery_id, event, findings"
)
_UPSERT = (
    f"INSERT INTO received ({_COLUMNS}) "
    "SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, "
    "value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11 "
    "FROM json_each(?) WHERE true "
    "ON CONFLICT(id) DO UPDATE SET outcome = excluded.outcome, delivery_id = excluded.delivery_id"
)
"""One statement for a whole batch (its rows as one JSON array): executemany would step once per
row, and each step hands the GIL over and waits to take it back from the listener's loop."""


def _row(item: Received) -> tuple[Any, ...]:
    event = json.dumps(item.raw, ensure_ascii=False, default=str)[:EVENT_STORED_MAX]
    findings = json.dumps([finding_record(f) for f in item.findings], ensure_ascii=False)
    return (
        item.id,
        item.at.isoformat(),
        item.path,
        item.signal_name,
        item.webengage_name,
        item.identity,
        item.errors,
        item.warnings,
        item.outcome_label(),
        item.delivery.id if item.delivery is not None else None,
        event,
        findings,
    )


class ReceivedLog:
    """The `received` table of the history file at `path`; `add` never blocks on the disk."""

    def __init__(self, path: Path, *, on_error: Callable[[str], None] | None = None) -> None:
        self.path = path
        self.on_error = on_error
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=10.0
        )
        with contextlib.suppress(OSError):
            path.chmod(0o600)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._write, name="received-writer", daemon=True)
        self._thread.start()

    def add(self, item: Received) -> None:
        """Write (or, for an id already there, update the outcome of) one received event."""
        self._queue.put(item)

    def _write(self) -> None:
        """Wake for the first row, let more gather for GATHER_S, write them all at once: a thread
        woken for every event would take the GIL from the listener's loop a thousand times a
        second (each wake-up can cost the loop a switch interval)."""
        while True:
            items = [self._queue.get()]
            time.sleep(GATHER_S)
            while len(items) < BATCH:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(item is _STOP for item in items)
            rows = [_row(item) for item in items if isinstance(item, Received)]
            if rows:
                self._commit(rows)
            if stop:
                return

    def _commit(self, rows: list[tuple[Any, ...]]) -> None:
        try:
            batch = json.dumps(rows, ensure_ascii=False)
            with self._lock:
                self._db.execute(_UPSERT, (batch,))
        except Exception as error:  # a full disk must not stop the listening
            if self.on_error is not None:
                self.on_error(f"received events not saved: {error}")

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM received").fetchone()[0])

    def latest(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest rows first, as dicts (for tests and exports)."""
        with self._lock:
            cursor = self._db.execute("SELECT * FROM received ORDER BY seq DESC LIMIT ?", (limit,))
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        """Write what is queued, then close (idempotent)."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        with self._lock, contextlib.suppress(sqlite3.ProgrammingError):
            self._db.close()


def read_received(path: Path, limit: int = 50) -> list[dict[str, Any]]:
    """The newest rows of the `received` table in the history file at `path` (none: [])."""
    if not path.exists():
        return []
    with contextlib.closing(sqlite3.connect(str(path))) as db:
        try:
            cursor = db.execute("SELECT * FROM received ORDER BY seq DESC LIMIT ?", (limit,))
        except sqlite3.OperationalError:  # no such table: nothing was ever received
            return []
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
