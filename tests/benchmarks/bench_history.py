"""Delivery history at scale: insert 10,000 entries, open, page, count, search (PRODUCT.md §8).

Run: `python tests/benchmarks/bench_history.py [N]`. Prints milliseconds; asserts nothing.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.test_history import make_entry
from tui.store.history import History
from tui.webengage.outcomes import Outcome


def ms(start: float) -> str:
    return f"{(time.perf_counter() - start) * 1000:8.1f} ms"


def main(n: int = 10_000) -> None:
    outcomes = [Outcome.ACCEPTED, Outcome.AUTH, Outcome.NOT_FOUND, Outcome.RATE_LIMITED]
    base = datetime(2026, 1, 1, tzinfo=UTC)
    template = make_entry(0, outcome=Outcome.ACCEPTED, status=200)
    entries = [
        template.model_copy(
            update={
                "id": f"e{i:06d}",
                "created_at": base + timedelta(seconds=i),
                "outcome": outcomes[i % 4],
                "event_name": f"Event {i % 10}",
                "request": template.request.model_copy(
                    update={"body": {**template.request.body, "userId": f"user-{i}"}}
                ),
            }
        )
        for i in range(n)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.db"
        history = History(path)
        t = time.perf_counter()
        history.write_many(entries)
        print(f"insert {n} (one transaction)  {ms(t)}")
        t = time.perf_counter()
        for entry in entries[:500]:
            history.start(entry.model_copy(update={"id": "x" + entry.id, "outcome": None}))
            history.finish(entry.model_copy(update={"id": "x" + entry.id}))
        print(
            f"500 start+finish (autocommit)  {ms(t)}  ({(time.perf_counter() - t) * 1000 / 500:.2f} ms per delivery)"
        )
        history.close()
        t = time.perf_counter()
        history = History(path)
        print(f"open                            {ms(t)}")
        t = time.perf_counter()
        page = history.latest(100)
        print(f"latest 100                      {ms(t)}")
        t = time.perf_counter()
        history.query(limit=100, offset=n // 2)
        print(f"page 100 at offset {n // 2:<6}      {ms(t)}")
        t = time.perf_counter()
        history.query(outcome="auth", limit=100)
        print(f"filter outcome, page 100        {ms(t)}")
        t = time.perf_counter()
        total = history.count()
        print(f"count all ({total})            {ms(t)}")
        t = time.perf_counter()
        history.count(outcome="not_found", event="Event 2")
        print(f"count outcome+event             {ms(t)}")
        t = time.perf_counter()
        found = history.query(text="user-9876")
        print(f"text search page               {ms(t)}  ({len(found)} hits)")
        t = time.perf_counter()
        history.count(text="user-9876")
        print(f"text search count               {ms(t)}")
        size = path.stat().st_size + (
            path.with_name(path.name + "-wal").stat().st_size
            if path.with_name(path.name + "-wal").exists()
            else 0
        )
        print(f"file size                       {size / 1e6:8.1f} MB")
        print(
            f"max RSS                         {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.1f} MB"
        )
        assert len(page) == 100


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
