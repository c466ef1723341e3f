"""The delivery history: written at send start, completed at the end, survives kill -9, fast at 10k."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tui.store.history import INTERRUPTED, History, is_interrupted, outcome_label
from tui.webengage.api import DataCentre, Endpoint
from tui.webengage.entry import Attempt, LogEntry
from tui.webengage.outcomes import Outcome, hint_for
from tui.webengage.request import Connection, build_request

KEY = "hist-key-0123456789abcdef"


def make_entry(
    n: int = 0,
    *,
    event: str = "Order Completed",
    outcome: Outcome | None = None,
    status: int | None = None,
    user: str = "u-1",
    created_at: datetime | None = None,
) -> LogEntry:
    connection = Connection(
        data_centre=DataCentre.INDIA, license_code="in~abc123", api_key=SecretStr(KEY)
    )
    body = {"userId": user, "eventName": event, "eventData": {"orderId": f"o-{n}", "amount": n}}
    request = build_request(connection, Endpoint.EVENTS, body)
    entry = LogEntry(
        event_name=event,
        data_centre=connection.data_centre_label,
        host=connection.host,
        license_code=connection.license_code,
        request=request,
        created_at=created_at or datetime.now(UTC),
    )
    if outcome is not None:
        entry = finish(entry, outcome, status)
    return entry


def finish(entry: LogEntry, outcome: Outcome, status: int | None) -> LogEntry:
    return entry.model_copy(
        update={
            "outcome": outcome,
            "status": status,
            "finished_at": datetime.now(UTC),
            "attempts": (
                Attempt(number=1, started_at=entry.created_at, latency_ms=12.5, status=status),
            ),
            "hint": hint_for(
                outcome, host=entry.host, license_code=entry.license_code, status=status
            ),
            "response_body": '{"response":{"status":"queued"}}' if outcome.ok else None,
        }
    )


def test_start_then_finish_keeps_one_entry(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as history:
        entry = make_entry()
        history.start(entry)
        assert history.count() == 1
        got = history.get(entry.id)
        assert got is not None and got.outcome is None and outcome_label(got) == "in flight"

        history.finish(finish(entry, Outcome.ACCEPTED, 200))
        assert history.count() == 1
        got = history.get(entry.id)
        assert got is not None and got.outcome is Outcome.ACCEPTED and got.status == 200
        assert got.attempts[0].latency_ms == 12.5
        assert outcome_label(got) == "accepted"
    assert History(tmp_path / "h.db").get(entry.id) == got


def test_wal_mode(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    mode = history.connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_query_filters_and_pages_newest_first(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    base = datetime(2026, 6, 6, tzinfo=UTC)
    entries = [
        make_entry(0, outcome=Outcome.ACCEPTED, status=200, created_at=base),
        make_entry(1, event="Searched", outcome=Outcome.AUTH, status=401, created_at=base),
        make_entry(2, outcome=Outcome.NOT_FOUND, status=404, user="alice-42", created_at=base),
        make_entry(3, event="Searched", outcome=Outcome.ACCEPTED, status=201, created_at=base),
    ]
    history.write_many(entries)
    history.start(make_entry(4, event="Page Viewed"))

    newest = history.latest(2)
    assert [e.event_name for e in newest] == ["Page Viewed", "Searched"]
    assert history.count() == 5
    assert history.count(outcome="accepted") == 2
    assert history.count(status=401) == 1
    assert history.count(event="Searched") == 2
    assert history.count(event="Searched", outcome="accepted") == 1
    assert history.count(outcome="in flight") == 1
    assert [e.status for e in history.query(text="alice-42")] == [404]
    assert history.count(text="ALICE") == 1  # case-insensitive
    assert history.count(text="o-3 searched") == 1  # every word must match
    assert history.count(text="100%") == 0  # LIKE wildcards are literal
    page = history.query(limit=2, offset=2)
    assert [e.request.body["eventData"]["orderId"] for e in page] == ["o-2", "o-1"]
    assert history.event_names() == ["Order Completed", "Page Viewed", "Searched"]
    assert [e.id for e in history.search("searched")] == [entries[3].id, entries[1].id]
    assert len(history.list(outcome="auth")) == 1


def test_the_key_is_never_stored(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with History(path) as history:
        entry = make_entry()
        history.start(entry)
        history.finish(finish(entry, Outcome.ACCEPTED, 200))
    for file in tmp_path.iterdir():
        assert KEY.encode() not in file.read_bytes()


def test_threads_share_one_history(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(50):
                entry = make_entry(k * 100 + i)
                history.start(entry)
                history.finish(finish(entry, Outcome.ACCEPTED, 200))
                history.query(limit=5)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert history.count(outcome="accepted") == 200


def test_kill_9_mid_send_leaves_an_interrupted_entry(tmp_path: Path) -> None:
    """A process that started a delivery and was SIGKILLed: on reopen the entry is there, interrupted."""
    path = tmp_path / "h.db"
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(Path(__file__).parents[1])!r})
        from tests.test_history import make_entry
        from tui.store.history import History
        history = History({str(path)!r})
        entry = make_entry(7, event="Checkout Started")
        history.start(entry)
        print(entry.id, flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    entry_id = proc.stdout.readline().strip()  # waits until the entry has been written
    assert entry_id
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    history = History(path)
    entry = history.get(entry_id)
    assert entry is not None
    assert entry.event_name == "Checkout Started"
    assert entry.outcome is None and is_interrupted(entry)
    assert outcome_label(entry) == INTERRUPTED
    assert entry.hint is not None and "Interrupted" in entry.hint.title
    assert history.count(outcome=INTERRUPTED) == 1
    assert [e.id for e in history.query(outcome=INTERRUPTED)] == [entry_id]


def test_an_in_flight_entry_of_a_live_process_is_not_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    first = History(path)
    entry = make_entry()
    first.start(entry)
    second = History(path)  # e.g. the TUI opening while `send` runs in another terminal
    got = second.get(entry.id)
    assert got is not None and outcome_label(got) == "in flight"


def test_ten_thousand_entries(tmp_path: Path) -> None:
    """Correct at scale, and the filters use indexes (timings: tests/benchmarks/bench_history.py)."""
    history = History(tmp_path / "h.db")
    base = datetime(2026, 1, 1, tzinfo=UTC)
    outcomes = [Outcome.ACCEPTED, Outcome.AUTH, Outcome.NOT_FOUND, Outcome.RATE_LIMITED]
    statuses = {
        Outcome.ACCEPTED: 200,
        Outcome.AUTH: 401,
        Outcome.NOT_FOUND: 404,
        Outcome.RATE_LIMITED: 429,
    }
    template = make_entry(0)
    entries = []
    for i in range(10_000):
        outcome = outcomes[i % 4]
        entries.append(
            template.model_copy(
                update={
                    "id": f"e{i:05d}",
                    "created_at": base + timedelta(seconds=i),
                    "outcome": outcome,
                    "status": statuses[outcome],
                    "event_name": f"Event {i % 10}",
                }
            )
        )
    history.write_many(entries)
    assert history.count() == 10_000
    assert history.count(outcome="auth") == 2500
    assert history.count(event="Event 3") == 1000
    page = history.query(outcome="accepted", limit=50, offset=100)
    assert len(page) == 50 and page[0].id == "e09596"
    plan = " ".join(
        str(tuple(row))
        for row in history.connection.execute(
            "EXPLAIN QUERY PLAN SELECT entry FROM deliveries WHERE outcome = 'auth' "
            "ORDER BY seq DESC LIMIT 50"
        )
    )
    assert "deliveries_outcome" in plan


def test_a_reused_pid_does_not_keep_an_entry_in_flight(tmp_path: Path) -> None:
    """The sender died and its pid now belongs to another process (here: this one, started later)."""
    path = tmp_path / "h.db"
    history = History(path)
    entry = make_entry()
    history.start(entry)
    history.connection.execute("UPDATE deliveries SET owner = ?", (f"{os.getpid()}:1",))
    got = History(path).get(entry.id)
    assert got is not None and is_interrupted(got)


def test_the_file_is_private(tmp_path: Path) -> None:
    """Request bodies carry user ids, emails and phone numbers."""
    path = tmp_path / "data" / "h.db"
    History(path).start(make_entry())
    assert path.stat().st_mode & 0o777 == 0o600
    wal = path.with_name("h.db-wal")
    assert not wal.exists() or wal.stat().st_mode & 0o777 == 0o600


def history_of(tmp_path: Path, n: int) -> History:
    """`n` entries, e00000 the oldest; every third one a 401."""
    history = History(tmp_path / "h.db")
    template = make_entry(0)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    history.write_many(
        [
            template.model_copy(
                update={
                    "id": f"e{i:05d}",
                    "created_at": base + timedelta(seconds=i),
                    "outcome": Outcome.AUTH if i % 3 == 0 else Outcome.ACCEPTED,
                    "status": 401 if i % 3 == 0 else 200,
                }
            )
            for i in range(n)
        ]
    )
    return history


def test_a_page_from_an_anchor_is_the_page_at_that_offset(tmp_path: Path) -> None:
    """The log pages relative to an entry it shows; the rows must be the ones OFFSET gives."""
    history = history_of(tmp_path, 1000)
    cases: list[dict[str, Any]] = [{}, {"outcome": "auth"}, {"status": "2xx"}, {"text": "o-0"}]
    for filters in cases:
        everything = history.query(**filters, limit=2000)
        ids = [entry.id for entry in everything]
        for at in (0, 1, 150, len(ids) - 1):
            for step in (-200, -100, -1, 0, 1, 100, 199):
                want = [e.id for e in history.query(**filters, limit=50, offset=max(0, at + step))]
                got = history.query(**filters, limit=50, offset=step, anchor=ids[at])
                assert [e.id for e in got] == want, (filters, at, step)
    assert history.query(limit=5, anchor="no-such-entry") == []


def test_the_oldest_page(tmp_path: Path) -> None:
    history = history_of(tmp_path, 500)
    assert [e.id for e in history.query(limit=3, oldest=True)] == ["e00002", "e00001", "e00000"]
    assert [e.id for e in history.query(outcome="auth", limit=2, oldest=True)] == [
        "e00003",
        "e00000",
    ]
    assert history.query(limit=1000, oldest=True) == history.query(limit=1000)
    with pytest.raises(ValueError, match="not both"):
        history.query(oldest=True, anchor="e00001")


def test_paging_deep_in_the_history_never_skips_past_many_rows(tmp_path: Path) -> None:
    """SQLite's OFFSET reads every row it skips (~140 ms at 100,000): the log's page loads, from
    an anchor or from the oldest end, skip at most a step."""
    from tui.ui.widgets.log_pages import PAGE, STEP, fetch_page

    history = history_of(tmp_path, 3000)
    skipped: list[int] = []

    def trace(sql: str) -> None:
        if " OFFSET " in sql:
            skipped.append(int(sql.rsplit(" OFFSET ", 1)[1]))

    newest_first = history.query(limit=3000)
    history.connection.set_trace_callback(trace)
    found, _, window = fetch_page(history, {}, False, 3000 - PAGE)  # ctrl+home
    assert [e.id for e in found] == [e.id for e in newest_first[-PAGE:]]
    assert window.offset == 3000 - PAGE
    at = 1500  # one step older, and one newer, from a window deep in the history
    for offset in (at + STEP, at - STEP):
        found, _, window = fetch_page(history, {}, False, offset, (newest_first[at].id, at))
        assert [e.id for e in found] == [e.id for e in newest_first[offset : offset + PAGE]]
        assert window.offset == offset
    assert skipped and max(skipped) <= STEP
