"""Checkpoints of backfills: which bulk calls of which file were started and which confirmed.

A backfill (`tui.delivery.backfill`) records each call before its first byte goes out (state
`started`, with its x-request-id) and again when it ends (`confirmed` when WebEngage accepted it,
`failed` otherwise). After a crash, `kill -9` or ctrl+c, a resumed run skips the confirmed calls and
sends every other one again with its SAME x-request-id, which WebEngage (and the sandbox) drop when
they ingested it already: no event lost, none ingested twice.

A run is known by its file's identity (resolved path, size, mtime and a hash of the first MiB), the
account (license code and host) and its plan (blueprint and options: the same plan cuts the same
calls). Stored in the history's SQLite file, in tables of their own, through the History's lock.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tui.store.history import History

_SCHEMA = """
CREATE TABLE IF NOT EXISTS backfill_runs (
    id TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    license_code TEXT NOT NULL,
    host TEXT NOT NULL,
    plan TEXT NOT NULL,
    total_events INTEGER NOT NULL,
    total_calls INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS backfill_runs_file ON backfill_runs (file, license_code);
CREATE TABLE IF NOT EXISTS backfill_calls (
    run_id TEXT NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    items INTEGER,
    request_id TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, first)
) WITHOUT ROWID;
"""
HEAD_BYTES = 2**20
STARTED, CONFIRMED, FAILED = "started", "confirmed", "failed"


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True, slots=True)
class FileIdentity:
    """What makes "the same file": resolved path, size, mtime and the first MiB's SHA-256."""

    path: str
    size: int
    mtime_ns: int
    head: str

    @classmethod
    def of(cls, path: Path) -> FileIdentity | None:
        """The identity of a regular file; None for standard input, a pipe or a device."""
        if str(path) == "-":
            return None
        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):
                return None
            with open(path, "rb") as file:
                head = hashlib.sha256(file.read(HEAD_BYTES)).hexdigest()
        except OSError:
            return None
        return cls(str(Path(path).resolve()), info.st_size, info.st_mtime_ns, head)

    @property
    def key(self) -> str:
        return f"{self.path}\0{self.size}\0{self.mtime_ns}\0{self.head}"


@dataclass(frozen=True, slots=True)
class CallState:
    first: int
    last: int
    request_id: str
    state: str


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: str
    plan: str
    total_events: int
    total_calls: int
    created_at: str


class Checkpoints:
    """The backfill checkpoints in the history's file (or a History given)."""

    def __init__(self, store: History | Path | str) -> None:
        self._history = store if isinstance(store, History) else History(store)
        self._owns = not isinstance(store, History)
        with self._history.locked() as db:
            db.executescript(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(backfill_calls)")}
            if "items" not in columns:  # (a history from before calls counted their items)
                db.execute("ALTER TABLE backfill_calls ADD COLUMN items INTEGER")

    def close(self) -> None:
        if self._owns:
            self._history.close()

    def unfinished(self, file: FileIdentity, license_code: str, host: str) -> RunRecord | None:
        """The latest run of this file to this account that did not finish, if any."""
        with self._history.locked() as db:
            row = db.execute(
                "SELECT id, plan, total_events, total_calls, created_at FROM backfill_runs "
                "WHERE file = ? AND license_code = ? AND host = ? AND finished_at IS NULL "
                "ORDER BY created_at DESC LIMIT 1",
                (file.key, license_code, host),
            ).fetchone()
        return RunRecord(*row) if row else None

    def begin(
        self,
        file: FileIdentity,
        license_code: str,
        host: str,
        plan: str,
        total_events: int,
        total_calls: int,
    ) -> RunRecord:
        record = RunRecord(secrets.token_hex(8), plan, total_events, total_calls, _now())
        with self._history.locked() as db:
            db.execute(
                "INSERT INTO backfill_runs (id, file, license_code, host, plan, total_events, "
                "total_calls, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (record.id, file.key, license_code, host, plan, total_events, total_calls, _now()),
            )
        return record

    def calls(self, run_id: str) -> dict[int, CallState]:
        """Every call recorded for the run, by the index of its first event."""
        with self._history.locked() as db:
            rows = db.execute(
                "SELECT first, last, request_id, state FROM backfill_calls WHERE run_id = ?",
                (run_id,),
            ).fetchall()
        return {row[0]: CallState(*row) for row in rows}

    def started(self, run_id: str, first: int, last: int, request_id: str, items: int) -> None:
        """Before the call's first byte goes out (committed: WAL survives a kill -9). `items`:
        how many events it carries (others may lie between `first` and `last`)."""
        with self._history.locked() as db:
            db.execute(
                "INSERT INTO backfill_calls (run_id, first, last, items, request_id, state, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, first) DO UPDATE "
                "SET last = excluded.last, items = excluded.items, "
                "request_id = excluded.request_id, state = excluded.state, "
                "updated_at = excluded.updated_at",
                (run_id, first, last, items, request_id, STARTED, _now()),
            )

    def ended(self, run_id: str, first: int, *, confirmed: bool, outcome: str) -> None:
        with self._history.locked() as db:
            db.execute(
                "UPDATE backfill_calls SET state = ?, outcome = ?, updated_at = ? "
                "WHERE run_id = ? AND first = ?",
                (CONFIRMED if confirmed else FAILED, outcome, _now(), run_id, first),
            )

    def finish(self, run_id: str) -> None:
        """Every call confirmed (or the run given up with `--restart`): not offered again."""
        with self._history.locked() as db:
            db.execute(
                "UPDATE backfill_runs SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
                (_now(), run_id),
            )

    def last_call_at(self, run_id: str) -> datetime | None:
        """When the run last started or ended a call."""
        with self._history.locked() as db:
            row = db.execute(
                "SELECT MAX(updated_at) FROM backfill_calls WHERE run_id = ?", (run_id,)
            ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def confirmed_events(self, run_id: str) -> int:
        """How many events the run's confirmed calls carried."""
        with self._history.locked() as db:
            row = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(COALESCE(items, last - first + 1)), 0) "
                "FROM backfill_calls "
                "WHERE run_id = ? AND state = ?",
                (run_id, CONFIRMED),
            ).fetchone()
        return int(row[1])
