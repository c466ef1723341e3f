"""Backfills: the bulk plan in input order, checkpoints, and a run killed part-way (SIGKILL,
ctrl+c) then resumed delivering every event exactly once; pacing with zero 429s near the limit."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.conftest import MakeSandbox, demo_connection
from tui.delivery.backfill import Backfill, Source, duration_text, eta_text, survey
from tui.delivery.plans import plan_bulk
from tui.delivery.service import DeliveryService
from tui.mapping.blueprint import default_blueprint
from tui.mapping.preview import preview_event
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Fault, FaultKind, Sandbox
from tui.store.checkpoints import CONFIRMED, STARTED, Checkpoints, FileIdentity
from tui.store.history import History
from tui.store.settings import AppSettings
from tui.webengage.client import RetryPolicy
from tui.webengage.pacing import PaceLimits
from tui.webengage.request import Connection

ROOT = Path(__file__).resolve().parents[1]
FAST = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.05, jitter_s=0.01)


def write_events(path: Path, count: int, identify_at: tuple[int, ...] = ()) -> Path:
    lines = []
    for i in range(count):
        if i in identify_at:
            event: dict[str, Any] = {"type": "identify", "user_id": f"u{i}", "traits": {"n": i}}
        else:
            event = {"event": "Product Viewed", "user_id": f"u{i}", "properties": {"n": i}}
        lines.append(json.dumps(event))
    path.write_text("\n".join(lines) + "\n")
    return path


def delivered(sandbox: Sandbox) -> Counter[str]:
    """How many times each user id arrived (events and users), over every accepted call."""
    seen: Counter[str] = Counter()
    for call in sandbox.accepted():
        body = call["body"]
        for item in body.get("events", body.get("users", [body])):
            seen[item["userId"]] += 1
    return seen


def test_the_bulk_plan_fills_each_endpoints_calls_in_input_order() -> None:
    connection = Connection(license_code="lc")
    blueprint = default_blueprint()
    raws: list[dict[str, Any]] = [
        {"event": "Product Viewed", "user_id": f"u{i}"} for i in range(60)
    ]
    raws[30] = {"type": "identify", "user_id": "u30", "traits": {"email": "a@b.co"}}
    previews = [(i, preview_event(raw, connection, blueprint)) for i, raw in enumerate(raws)]
    jobs = list(plan_bulk(connection, previews))
    assert [(j.request.endpoint.value, j.first, j.last, j.items) for j in jobs] == [
        ("bulk-events", 0, 24, 25),
        ("bulk-events", 25, 50, 25),  # the identify at 30 does not cut the events short
        ("bulk-users", 30, 30, 1),  # sent when the file ends, by its place in it
        ("bulk-events", 51, 59, 9),
    ]
    # an export's usual shape: an identify before each user's events, users interleaved
    mixed: list[dict[str, Any]] = []
    for i in range(100):
        mixed.append({"type": "identify", "user_id": f"u{i}", "traits": {"n": i}})
        mixed.append({"event": "Signed Up", "user_id": f"u{i}"})
        mixed.append({"event": "Order Completed", "user_id": f"u{i}"})
    previews = [(i, preview_event(raw, connection, blueprint)) for i, raw in enumerate(mixed)]
    jobs = list(plan_bulk(connection, previews))
    assert all(j.items == 25 for j in jobs)  # every call full (cut at each identify: 200 calls)
    assert Counter(j.request.endpoint.value for j in jobs) == {"bulk-events": 8, "bulk-users": 4}
    for key in ("events", "users"):  # input order within each endpoint
        sent = [
            (item["userId"], item.get("eventName"))
            for job in jobs
            for item in job.request.body.get(key, [])
        ]
        expected = (
            [(raw["user_id"], raw.get("event")) for raw in mixed if (raw.get("type") == "identify")]
            if key == "users"
            else [(raw["user_id"], raw["event"]) for raw in mixed if "event" in raw]
        )
        assert sent == expected


def test_old_checkpoints_count_their_events_by_span(tmp_path: Path) -> None:
    """A history from before calls counted their items: the column is added, old rows count
    by their index span, new rows by their items."""
    import sqlite3

    path = tmp_path / "history.sqlite3"
    with History.open(path) as history:
        with history.locked() as db:
            db.executescript(
                "CREATE TABLE backfill_calls (run_id TEXT NOT NULL, first INTEGER NOT NULL, "
                "last INTEGER NOT NULL, request_id TEXT NOT NULL, state TEXT NOT NULL, outcome "
                "TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (run_id, first)) WITHOUT ROWID;"
            )
            db.execute(
                "INSERT INTO backfill_calls VALUES ('r', 0, 24, 'id0', ?, 'accepted', 'now')",
                (CONFIRMED,),
            )
        checkpoints = Checkpoints(history)
        checkpoints.started("r", 25, 80, "id1", 25)  # 25 events between 25 and 80
        checkpoints.ended("r", 25, confirmed=True, outcome="accepted")
        assert checkpoints.confirmed_events("r") == 25 + 25
    assert "items" in {
        row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(backfill_calls)")
    }


def test_the_eta_is_said_in_plain_words() -> None:
    limits = PaceLimits(calls=500, window_s=60)
    assert eta_text(27_000, 1_080, True, limits) == (
        "27,000 events: 1,080 bulk calls, about 2 min 10 s at WebEngage's 500 calls/minute"
    )
    assert duration_text(80 * 60) == "1 h 20 min"
    assert "within one window" in eta_text(30, 2, True, limits)
    # 1,000,000 events, a quarter of them identifies: each bulk endpoint has its own 500 a minute
    assert eta_text(1_000_000, 40_000, True, limits, busiest=30_000) == (
        "1,000,000 events: 40,000 bulk calls, about 1 h at WebEngage's 500 calls/minute "
        "per endpoint"
    )


def test_the_survey_counts_the_calls_of_the_busiest_endpoint(tmp_path: Path) -> None:
    path = write_events(tmp_path / "mixed.ndjson", 100, identify_at=tuple(range(0, 100, 4)))
    source = Source(path, Connection(license_code="lc"), default_blueprint())
    found = survey(source, bulk=True, include_errors=False)
    assert (found.events, found.calls, found.busiest) == (100, 4, 3)  # 75 events, 25 users
    each = survey(source, bulk=False, include_errors=False)
    assert (each.calls, each.busiest) == (100, 75)


async def test_a_call_started_but_not_confirmed_is_resent_with_its_same_id(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """The crash case, made exact: the run stops after 4 calls, then the last confirmed call is
    put back to "started" (as if the process died between WebEngage's answer and the write)."""
    sandbox = make_sandbox(bulk_rate_limit=1000, window_s=1.0)
    limits = PaceLimits(calls=1000, window_s=1.0)  # (resuming waits out one window: 1 s, not 60)
    path = write_events(tmp_path / "events.ndjson", 260, identify_at=(100,))
    source = Source(path, demo_connection(sandbox), default_blueprint())
    history = History(AppSettings().history_path)
    checkpoints = Checkpoints(history)
    found = survey(source, bulk=True, include_errors=False)
    assert (found.events, found.calls) == (260, 12)
    cancel = asyncio.Event()
    service = DeliveryService(retry=FAST)
    backfill = Backfill(service, source, checkpoints=checkpoints, limits=limits)

    def stop_after_four(done: int, total: int, entry: object) -> None:
        if done >= 100:
            cancel.set()

    first = await backfill.run(found, progress=stop_after_four, cancel=cancel)
    assert first.cancelled and backfill.run_record is not None
    record = backfill.run_record
    calls = checkpoints.calls(record.id)
    assert [c.state for c in calls.values()] == [CONFIRMED] * 4
    with history.locked() as db:  # "killed" after the fourth call was ingested
        db.execute("UPDATE backfill_calls SET state = ? WHERE first = 75", (STARTED,))
    unfinished = backfill.unfinished()
    assert unfinished is not None and unfinished.id == record.id
    resumed = await Backfill(service, source, checkpoints=checkpoints, limits=limits).run(
        found, resume=unfinished
    )
    await service.aclose()
    assert resumed.ok and resumed.calls == 9  # 8 new calls and the fourth again
    assert sandbox.state.duplicates == 1  # the fourth, dropped for its repeated x-request-id
    assert delivered(sandbox) == Counter({f"u{i}": 1 for i in range(260)})
    assert Backfill(service, source, checkpoints=checkpoints).unfinished() is None
    assert FileIdentity.of(path) is not None and FileIdentity.of(Path("-")) is None
    history.close()


def _env(sandbox: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBENGAGE_")}
    env["WEBENGAGE_DEBUGGER_HOME"] = os.environ["WEBENGAGE_DEBUGGER_HOME"]
    env["WEBENGAGE_LICENSE_CODE"] = DEMO_LICENSE_CODE
    env["WEBENGAGE_API_KEY"] = DEMO_API_KEY
    env["WEBENGAGE_ROUTE_TO"] = sandbox.url
    return env


def _send(sandbox: Sandbox, *args: str | Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "tui", "send", *map(str, args)],
        capture_output=True,
        text=True,
        env=_env(sandbox),
        cwd=ROOT,
        timeout=120,
    )
    assert DEMO_API_KEY not in done.stdout + done.stderr
    return done


def _wait(condition: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _only_run(history: History) -> str:
    with history.locked() as db:
        [(run_id,)] = db.execute("SELECT id FROM backfill_runs").fetchall()
    return str(run_id)


def _interrupted_then_resumed(sandbox: Sandbox, path: Path, how: signal.Signals) -> None:
    """Start a paced backfill, stop it with `how` while a slow call is in flight (the sandbox
    ingests it after the sender is gone), then resume it."""
    pace = ("--rate-limit", "4", "--window", "1")
    sandbox.inject(
        Fault(kind=FaultKind.LATENCY, delay_s=0.0, times=3),
        Fault(kind=FaultKind.LATENCY, delay_s=1.5),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "send", str(path), "--bulk", *pace],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(sandbox),
        cwd=ROOT,
    )
    _wait(lambda: len(sandbox.accepted()) >= 3)
    time.sleep(0.4)  # the fourth call is at the sandbox, waiting out its latency
    process.send_signal(how)
    _out, err = process.communicate(timeout=30)
    if how is signal.SIGINT:
        assert process.returncode == 130 and "--resume" in err, err
    else:
        assert process.returncode == -signal.SIGKILL
    with History(AppSettings().history_path) as history:
        calls = Checkpoints(history).calls(_only_run(history))
    in_flight = [c.request_id for c in calls.values() if c.state == STARTED]
    assert len(in_flight) == 1 and len(calls) == 4  # the slow fourth call: started, unconfirmed
    refused = _send(sandbox, path, "--bulk", *pace)
    assert refused.returncode == 2 and "--resume" in refused.stderr, refused.stderr
    resumed = _send(sandbox, path, "--bulk", "--resume", *pace)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "resuming" in resumed.stderr
    ids = [call["request_id"] for call in sandbox.accepted()]
    assert in_flight[0] in ids  # the fourth call again, with its same x-request-id
    assert delivered(sandbox) == Counter({f"u{i}": 1 for i in range(300)})
    again = _send(sandbox, path, "--bulk", "--resume", *pace)
    assert again.returncode == 2 and "no unfinished run" in again.stderr


def test_a_backfill_killed_with_sigkill_resumes_exactly_once(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(bulk_rate_limit=4, window_s=1.0)
    path = write_events(tmp_path / "backfill.ndjson", 300, identify_at=(40, 41, 200))
    _interrupted_then_resumed(sandbox, path, signal.SIGKILL)


def test_a_backfill_stopped_with_ctrl_c_resumes_exactly_once(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(bulk_rate_limit=4, window_s=1.0)
    path = write_events(tmp_path / "backfill.json", 300)
    path.write_text(json.dumps([json.loads(line) for line in path.read_text().splitlines()]))
    _interrupted_then_resumed(sandbox, path, signal.SIGINT)


def _share(summaries: list[dict[str, Any]], limit: int, window: float) -> float:
    """The best schedule's span (`limit` calls at each window's start) over the run's span."""
    starts = sorted(
        datetime.fromisoformat(s["attempts"][0]["started_at"]).timestamp() for s in summaries
    )
    ideal = ((len(starts) - 1) // limit) * window
    return ideal / (starts[-1] - starts[0])


def test_a_paced_bulk_send_gets_no_429_at_95_percent_of_the_limit(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(bulk_rate_limit=10, window_s=5.0)
    path = write_events(tmp_path / "paced.ndjson", 775)  # 31 calls: 3 windows and one call
    done = _send(sandbox, path, "--bulk", "--json", "--rate-limit", "10", "--window", "5")
    assert done.returncode == 0, done.stderr
    summaries = json.loads(done.stdout)
    statuses = [a["status"] for s in summaries for a in s["attempts"]]
    assert len(summaries) == 31 and statuses == [200] * 31  # no 429, no retry
    assert "0 × 429" in done.stderr and "about" in done.stderr.splitlines()[0]
    assert _share(summaries, 10, 5.0) >= 0.95
    assert delivered(sandbox) == Counter({f"u{i}": 1 for i in range(775)})


def test_a_plain_send_is_paced_to_the_events_limit(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(rate_limit=20, window_s=1.0)
    path = write_events(tmp_path / "each.ndjson", 50)
    done = _send(sandbox, path, "--json", "--rate-limit", "20", "--window", "1")
    assert done.returncode == 0, done.stderr
    summaries = json.loads(done.stdout)
    assert [s["attempts"][0]["status"] for s in summaries] == [200] * 50
    arrived = [call["body"]["userId"] for call in sandbox.accepted()]
    assert arrived == [f"u{i}" for i in range(50)]  # in input order
    assert delivered(sandbox) == Counter({f"u{i}": 1 for i in range(50)})
