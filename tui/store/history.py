"""The delivery history: every log entry, in SQLite, written when the send starts and again when it ends.

Writing at the start is what makes the log honest: if the process dies mid-send (crash, kill -9,
closed laptop) the entry is still there on the next open, without an outcome, and is reported as
*interrupted* instead of silently vanishing. WAL mode with `synchronous=NORMAL` survives an
application crash (only a power cut can lose the last commit), and keeps readers (the TUI's log)
from blocking the writer (a `send` in another terminal).

The entry is stored whole as JSON (it never holds the API key: the request's headers are redacted),
next to indexed copies of the fields the log filters on, so a page of 10,000+ entries stays instant.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from tui.store.matching import (
    IN_FLIGHT,
    INTERRUPTED,
    INTERRUPTED_HINT,
    escape_like,
    haystack,
    is_interrupted,
    matches,
    outcome_label,
    status_range,
)
from tui.webengage.entry import LogEntry
from tui.webengage.outcomes import Outcome

__all__ = [
    "INTERRUPTED",
    "INTERRUPTED_HINT",
    "IN_FLIGHT",
    "History",
    "is_interrupted",
    "matches",
    "outcome_label",
    "status_range",
]

State = Literal["in_flight", "done", "interrupted"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    event_name TEXT NOT NULL,
    outcome TEXT,
    status INTEGER,
    host TEXT NOT NULL,
    data_centre TEXT NOT NULL,
    license_code TEXT NOT NULL,
    state TEXT NOT NULL,
    owner TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    haystack TEXT NOT NULL,
    entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_created ON deliveries (created_at);
CREATE INDEX IF NOT EXISTS deliveries_outcome ON deliveries (outcome);
CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries (state);
CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries (status);
CREATE INDEX IF NOT EXISTS deliveries_event ON deliveries (event_name);
CREATE INDEX IF NOT EXISTS deliveries_license ON deliveries (license_code);
"""


def _process_tag(pid: int) -> str:
    """`pid:start-time` (Linux), so a pid reused after a crash or reboot is not mistaken for the
    sender; plain `pid` elsewhere. Empty when no such process runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return ""
    except OSError:
        pass  # exists, but belongs to someone else
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return str(pid)
    return f"{pid}:{stat.rsplit(')', 1)[-1].split()[19]}"


_OWNER = _process_tag(os.getpid())


def _and(where: str, clause: str) -> str:
    """`where` (from History._where, maybe empty) with `clause` added."""
    return f"{where} AND {clause}" if where else f" WHERE {clause}"


class History:
    """The delivery log on disk. One connection guarded by a lock, so a Textual worker thread,
    the UI thread and an asyncio task can all use the same instance."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=10.0
        )
        self._db.row_factory = sqlite3.Row
        if str(path) != ":memory:":
            # Bodies hold user ids, emails, phones: owner-only, like the credentials file.
            # (SQLite gives the -wal and -shm files the database file's mode.)
            with contextlib.suppress(OSError):
                self.path.chmod(0o600)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(deliveries)")}
            for column in ("owner", "target"):  # a file from before process tags or targets
                if column not in columns:
                    self._db.execute(
                        f"ALTER TABLE deliveries ADD COLUMN {column} TEXT NOT NULL DEFAULT ''"
                    )
            self._mark_orphans()

    @classmethod
    def open(cls, path: Path | str) -> History:
        return cls(path)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The shared connection (for TypeLock's table in the same file); use under `locked()`."""
        return self._db

    @contextmanager
    def locked(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    def _mark_orphans(self) -> None:
        """Entries left in flight by a process that is gone become interrupted (kept, not deleted)."""
        rows = self._db.execute(
            "SELECT DISTINCT owner FROM deliveries WHERE state = 'in_flight'"
        ).fetchall()
        for (owner,) in rows:
            pid = owner.split(":")[0]
            if owner != _OWNER and (not pid.isdigit() or _process_tag(int(pid)) != owner):
                self._db.execute(
                    "UPDATE deliveries SET state = 'interrupted', outcome = NULL "
                    "WHERE state = 'in_flight' AND owner = ?",
                    (owner,),
                )

    # --- writing ---------------------------------------------------------------------------

    def start(self, entry: LogEntry) -> None:
        """Record a delivery as it begins (before the first byte goes out)."""
        self._write(entry)

    def update(self, entry: LogEntry) -> None:
        """Record the entry's latest state (after an attempt, or when it finishes)."""
        self._write(entry)

    finish = update

    def record(self, entry: LogEntry) -> None:
        """Suits `WebEngageClient.deliver(on_update=history.record)`: called at start and after each attempt."""
        self._write(entry)

    def _write(self, entry: LogEntry) -> None:
        state: State = "done" if entry.outcome is not None else "in_flight"
        values = (
            entry.id,
            entry.created_at.isoformat(),
            entry.event_name,
            entry.outcome.value if entry.outcome else None,
            entry.status,
            entry.host,
            entry.data_centre,
            entry.license_code,
            state,
            _OWNER,
            entry.target.value if entry.target else "",
            haystack(entry),
            entry.model_dump_json(),
        )
        with self._lock:
            self._db.execute(
                "INSERT INTO deliveries (id, created_at, event_name, outcome, status, host, "
                "data_centre, license_code, state, owner, target, haystack, entry) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET created_at = excluded.created_at, "
                "event_name = excluded.event_name, outcome = excluded.outcome, "
                "status = excluded.status, host = excluded.host, "
                "data_centre = excluded.data_centre, license_code = excluded.license_code, "
                "state = excluded.state, owner = excluded.owner, target = excluded.target, "
                "haystack = excluded.haystack, "
                "entry = excluded.entry",
                values,
            )

    def write_many(self, entries: builtins.list[LogEntry]) -> None:
        """Bulk import (one transaction): for tests, benchmarks and imports."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for entry in entries:
                    self._write(entry)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def delete(self, entry_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM deliveries WHERE id = ?", (entry_id,))

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM deliveries")

    # --- reading ---------------------------------------------------------------------------

    @staticmethod
    def _load(row: sqlite3.Row) -> LogEntry:
        entry = LogEntry.model_validate_json(row["entry"])
        if row["state"] == "interrupted":
            entry = entry.model_copy(update={"outcome": None, "hint": INTERRUPTED_HINT})
        return entry

    def get(self, entry_id: str) -> LogEntry | None:
        with self._lock:
            row = self._db.execute(
                "SELECT state, entry FROM deliveries WHERE id = ?", (entry_id,)
            ).fetchone()
        return self._load(row) if row else None

    @staticmethod
    def _where(
        text: str | None,
        outcome: str | None,
        status: int | str | None,
        event: str | None,
        target: str | None = None,
    ) -> tuple[str, builtins.list[Any]]:
        clauses: builtins.list[str] = []
        params: builtins.list[Any] = []
        if text and text.strip():
            for word in text.lower().split():
                clauses.append("haystack LIKE ? ESCAPE '\\'")
                params.append(f"%{escape_like(word)}%")
        if outcome:
            if outcome == INTERRUPTED:
                clauses.append("state = 'interrupted'")
            elif outcome in (IN_FLIGHT, "in_flight"):
                clauses.append("state = 'in_flight'")
            else:
                clauses.append("outcome = ?")
                params.append(Outcome(outcome).value)
        low_high = status_range(status)
        if low_high is not None:
            clauses.append("status BETWEEN ? AND ?")
            params.extend(low_high)
        if event:
            clauses.append("event_name = ?")
            params.append(event)
        if target:
            clauses.append("target = ?")
            params.append(target)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def query(
        self,
        text: str | None = None,
        outcome: str | None = None,
        status: int | str | None = None,
        event: str | None = None,
        limit: int = 100,
        offset: int = 0,
        target: str | None = None,
        anchor: str | None = None,
        oldest: bool = False,
    ) -> builtins.list[LogEntry]:
        """A page of entries, newest first. `text` matches every word anywhere (name, ids, URL, body,
        response); `outcome` is an Outcome value, "interrupted" or "in flight". `oldest`: the
        page at the oldest end (`offset` counted from there), read without walking past every
        newer row: the log's ctrl+home.

        With `anchor` (the id of a matching entry) `offset` counts from that entry, not from the
        newest: 0 starts the page at it, a negative offset that many matching entries newer. Deep
        in a long history that is an indexed lookup: SQLite's OFFSET reads every row it skips
        (~140 ms at 100,000), so the log pages relative to the entries it shows."""
        if oldest and anchor is not None:
            raise ValueError("a page is counted from the oldest end or from an anchor, not both")
        where, params = self._where(text, outcome, status, event, target)
        with self._lock:
            if anchor is not None:
                start = self._seq_from(anchor, offset, where, params)
                if start is None:
                    return []
                where, params, offset = _and(where, "seq <= ?"), [*params, start], 0
            order = "ASC" if oldest else "DESC"
            sql = (
                f"SELECT state, entry FROM deliveries{where} ORDER BY seq {order} LIMIT ? OFFSET ?"
            )
            rows = self._db.execute(sql, [*params, limit, offset]).fetchall()
        return [self._load(row) for row in (reversed(rows) if oldest else rows)]

    def _seq_from(
        self, anchor: str, offset: int, where: str, params: builtins.list[Any]
    ) -> int | None:
        """The seq of the matching entry `offset` places older than `anchor` (negative: newer;
        past the newest: the newest); None past the oldest, or if `anchor` is not in the history."""
        row = self._db.execute("SELECT seq FROM deliveries WHERE id = ?", (anchor,)).fetchone()
        if row is None:
            return None
        if offset >= 0:
            sql = f"SELECT seq FROM deliveries{_and(where, 'seq <= ?')} ORDER BY seq DESC"
            skip = offset
        else:
            sql = f"SELECT seq FROM deliveries{_and(where, 'seq > ?')} ORDER BY seq ASC"
            skip = -offset - 1
        found = self._db.execute(f"{sql} LIMIT 1 OFFSET ?", [*params, row[0], skip]).fetchone()
        if found is None:
            return sys.maxsize if offset < 0 else None  # (fewer newer: from the newest)
        return int(found[0])

    def count(
        self,
        text: str | None = None,
        outcome: str | None = None,
        status: int | str | None = None,
        event: str | None = None,
        target: str | None = None,
    ) -> int:
        where, params = self._where(text, outcome, status, event, target)
        with self._lock:
            row = self._db.execute(f"SELECT COUNT(*) FROM deliveries{where}", params).fetchone()
        return int(row[0])

    def latest(self, n: int = 50) -> builtins.list[LogEntry]:
        return self.query(limit=n)

    def search(self, text: str, *, limit: int = 100, offset: int = 0) -> builtins.list[LogEntry]:
        return self.query(text=text, limit=limit, offset=offset)

    def list(
        self,
        *,
        outcome: str | None = None,
        status: int | None = None,
        event: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[LogEntry]:
        return self.query(outcome=outcome, status=status, event=event, limit=limit, offset=offset)

    def event_names(self) -> builtins.list[str]:
        """The distinct event names in the log (for a filter picker)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT event_name FROM deliveries ORDER BY event_name"
            ).fetchall()
        return [row[0] for row in rows]

    def __len__(self) -> int:
        return self.count()
