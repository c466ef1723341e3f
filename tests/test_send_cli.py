"""`webengage-debugger send` as a user runs it: a real process, a real sandbox, every exit code."""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from tui.cli import main
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Fault, FaultKind, Sandbox
from tui.store.history import History
from tui.store.settings import AppSettings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
WORKED = FIXTURES / "worked-example.json"
SEVERAL = FIXTURES / "several.ndjson"


def send(
    *args: str | Path,
    route_to: str | None = None,
    key: str | None = DEMO_API_KEY,
    in_process: bool = False,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """Run `send` in a real process (one test per exit code does), or in this one (faster)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("WEBENGAGE_")}
    full_env["WEBENGAGE_DEBUGGER_HOME"] = os.environ["WEBENGAGE_DEBUGGER_HOME"]
    full_env["WEBENGAGE_LICENSE_CODE"] = DEMO_LICENSE_CODE
    if key is not None:
        full_env["WEBENGAGE_API_KEY"] = key
    if route_to is not None:
        full_env["WEBENGAGE_ROUTE_TO"] = route_to
    full_env.update(env)
    if in_process:
        return _in_process([str(a) for a in args], full_env)
    result = subprocess.run(
        [sys.executable, "-m", "tui", "send", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        timeout=60,
    )
    assert DEMO_API_KEY not in result.stdout + result.stderr
    return result


def _in_process(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, env, clear=True),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(["send", *args])
        except SystemExit as exit_:  # argparse's usage errors
            code = int(exit_.code or 0)
    result = subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())
    assert DEMO_API_KEY not in result.stdout + result.stderr
    return result


def test_accepted_exits_0_and_is_in_the_history(sandbox: Sandbox) -> None:
    result = send(WORKED, route_to=sandbox.url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Order Completed: accepted (200) in ")
    assert "Fix:" in result.stdout
    [stored] = sandbox.accepted()
    assert stored["body"]["eventName"] == "Order Completed"
    with History.open(AppSettings().history_path) as history:
        [entry] = history.latest()
    assert entry.outcome is not None and entry.outcome.value == "accepted"
    assert entry.source.endswith("worked-example.json")


def test_json_prints_an_array_for_several_events(sandbox: Sandbox) -> None:
    result = send(SEVERAL, "--json", route_to=sandbox.url, in_process=True)
    assert result.returncode == 0, result.stderr
    summaries = json.loads(result.stdout)
    assert isinstance(summaries, list) and len(summaries) == len(sandbox.accepted()) > 1
    assert {s["outcome"] for s in summaries} == {"accepted"}
    assert all(s["attempts"][0]["status"] == 200 and s["hint"]["fix"] for s in summaries)


def test_dry_run_sends_nothing_and_needs_no_key(sandbox: Sandbox) -> None:
    result = send(WORKED, "--dry-run", route_to=sandbox.url, key=None, in_process=True)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["url"] == f"https://api.webengage.com/v1/accounts/{DEMO_LICENSE_CODE}/events"
    assert sandbox.accepted() == []


def test_findings_exit_1_and_force_sends_anyway(sandbox: Sandbox) -> None:
    refused = send(FIXTURES / "bad" / "no-identity.json", route_to=sandbox.url)
    assert refused.returncode == 1
    assert "error" in refused.stderr and "nothing sent" in refused.stderr
    assert sandbox.accepted() == []
    forced = send(FIXTURES / "bad" / "no-identity.json", "--force", route_to=sandbox.url)
    assert forced.returncode == 5, forced.stdout
    assert "missing_identity (400)" in forced.stdout


def test_unreadable_input_and_missing_credentials_exit_2(sandbox: Sandbox, tmp_path: Path) -> None:
    malformed = send(FIXTURES / "bad" / "malformed.json", route_to=sandbox.url)
    assert malformed.returncode == 2 and "malformed.json:" in malformed.stderr
    missing = send(tmp_path / "nope.json", route_to=sandbox.url, in_process=True)
    assert missing.returncode == 2 and "nope.json" in missing.stderr
    no_key = send(WORKED, route_to=sandbox.url, key=None, in_process=True)
    assert no_key.returncode == 2 and "WEBENGAGE_API_KEY" in no_key.stderr
    bad_dc = send(WORKED, "--data-centre", "eu", route_to=sandbox.url, in_process=True)
    assert bad_dc.returncode == 2 and "global, in, ksa" in bad_dc.stderr
    bad_env = send(WORKED, route_to=sandbox.url, in_process=True, WEBENGAGE_DATA_CENTRE="mars")
    assert bad_env.returncode == 2 and "WEBENGAGE_DATA_CENTRE" in bad_env.stderr
    assert sandbox.accepted() == []


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("--data-centre", "in"), 3, "auth (401)"),
        (("--license", "nope~1"), 4, "not_found (404)"),
    ],
)
def test_credential_problems(
    sandbox: Sandbox, args: tuple[str, ...], code: int, words: str
) -> None:
    result = send(WORKED, *args, route_to=sandbox.url)
    assert result.returncode == code, result.stdout
    assert words in result.stdout and "Fix:" in result.stdout


@pytest.mark.parametrize(
    ("fault", "code", "words", "in_process"),
    [
        (
            Fault(kind=FaultKind.RATE_LIMIT, times=None, retry_after_s=0.01),
            6,
            "rate_limited (429)",
            False,
        ),
        (
            Fault(kind=FaultKind.SERVER_ERROR, times=None, retry_after_s=0.01),
            8,
            "server_error (503)",
            False,
        ),
        (Fault(kind=FaultKind.HTML, times=None, retry_after_s=0.01), 8, "server_error (502)", True),
        (Fault(kind=FaultKind.NOT_JSON), 9, "bad_response (200)", False),
    ],
)
def test_faults_exit_codes(
    sandbox: Sandbox, fault: Fault, code: int, words: str, in_process: bool
) -> None:
    sandbox.inject(fault)
    result = send(WORKED, route_to=sandbox.url, in_process=in_process)
    assert result.returncode == code, result.stdout + result.stderr
    assert words in result.stdout


def test_rate_limited_retries_are_shown(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind=FaultKind.RATE_LIMIT, times=2, retry_after_s=0.05))
    result = send(WORKED, route_to=sandbox.url, in_process=True)
    assert result.returncode == 0
    assert "3 attempts" in result.stdout and "attempt 1: 429, waited 0.05 s" in result.stdout
    assert len(sandbox.accepted()) == 1


def test_network_failure_exits_7() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = send(WORKED, "--attempts", "1", route_to=f"http://127.0.0.1:{port}")
    assert result.returncode == 7
    assert "network" in result.stdout and "Nothing is listening" in result.stdout


def test_several_events_exit_with_the_worst_code(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind=FaultKind.LATENCY), Fault(kind=FaultKind.NOT_JSON))
    result = send(SEVERAL, route_to=sandbox.url, in_process=True)
    assert result.returncode == 9
    assert "1. Page Viewed: accepted" in result.stdout
    assert "2. Product Viewed: bad_response" in result.stdout


def test_bulk_sends_25_per_call(sandbox: Sandbox, tmp_path: Path) -> None:
    events = [
        {"user_id": f"u{i}", "event": "Product Viewed", "properties": {"n": i}} for i in range(30)
    ]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(events))
    result = send(path, "--bulk", "--json", route_to=sandbox.url, in_process=True)
    assert result.returncode == 0, result.stderr
    calls = sandbox.accepted()
    assert [c["endpoint"] for c in calls] == ["bulk-events", "bulk-events"]
    assert [len(c["body"]["events"]) for c in calls] == [25, 5]
    assert len(json.loads(result.stdout)) == 2


def test_profile_credentials_are_used(sandbox: Sandbox) -> None:
    from pydantic import SecretStr

    from tui.store.profiles import Profile, save_profile

    save_profile(
        AppSettings(),
        Profile(name="demo", license_code=DEMO_LICENSE_CODE, api_key=SecretStr(DEMO_API_KEY)),
        store_key=True,
    )
    result = send(
        WORKED,
        "--profile",
        "demo",
        route_to=sandbox.url,
        key=None,
        in_process=True,
        WEBENGAGE_LICENSE_CODE="",
    )
    assert result.returncode == 0, result.stderr
    unknown = send(WORKED, "--profile", "nope", route_to=sandbox.url, in_process=True)
    assert unknown.returncode == 2 and "no profile named 'nope'" in unknown.stderr


def test_identify_goes_to_users(sandbox: Sandbox) -> None:
    result = send(FIXTURES / "identify.json", route_to=sandbox.url, in_process=True)
    assert result.returncode == 0, result.stdout + result.stderr
    [stored] = sandbox.accepted()
    assert stored["endpoint"] == "users"


def test_a_changed_attribute_type_is_warned_about(sandbox: Sandbox, tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    first.write_text(
        json.dumps({"user_id": "u1", "event": "Product Viewed", "properties": {"sku": 12}})
    )
    assert send(first, route_to=sandbox.url, in_process=True).returncode == 0
    second = tmp_path / "second.json"
    second.write_text(
        json.dumps({"user_id": "u1", "event": "Product Viewed", "properties": {"sku": "A-12"}})
    )
    result = send(second, route_to=sandbox.url, in_process=True)
    assert result.returncode == 0  # a warning, not an error
    assert "warning" in result.stderr and "sku" in result.stderr


def test_bulk_dry_run_shows_the_calls_bulk_makes_in_input_order(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    events: list[dict[str, Any]] = [  # (a timestamp each: no "now" that moves between runs)
        {"user_id": f"u{i}", "event": "Product Viewed", "timestamp": "2026-06-06T18:29:00Z"}
        for i in range(27)
    ]
    path = tmp_path / "27.ndjson"
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    shown = send(path, "--bulk", "--dry-run", key=None, in_process=True)
    assert shown.returncode == 0, shown.stderr
    calls = json.loads(shown.stdout)
    assert [c["url"].rsplit("/", 1)[1] for c in calls] == ["bulk-events", "bulk-events"]
    assert [len(c["body"]["events"]) for c in calls] == [25, 2]
    sent = send(path, "--bulk", "--json", route_to=sandbox.url, in_process=True)
    assert sent.returncode == 0, sent.stderr
    assert [c["body"] for c in sandbox.accepted()] == [c["body"] for c in calls]
    assert "27 events: 2 bulk calls" in sent.stderr
    # An identify among the events: its own /bulk-users call, the events' calls still full.
    events[3] = {"type": "identify", "user_id": "u3", "traits": {"email": "a@b.co"}}
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    mixed = json.loads(send(path, "--bulk", "--dry-run", key=None, in_process=True).stdout)
    assert [(c["url"].rsplit("/", 1)[1], len(next(iter(c["body"].values())))) for c in mixed] == [
        ("bulk-events", 25),
        ("bulk-users", 1),
        ("bulk-events", 1),
    ]


def test_an_unfinished_backfill_is_not_resumed_silently(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "many.ndjson"
    path.write_text("\n".join(json.dumps({"user_id": f"u{i}", "event": "A"}) for i in range(60)))
    wrong = ("--bulk", "--license", "nope~1")
    first = send(path, *wrong, route_to=sandbox.url, in_process=True)
    assert first.returncode == 4 and "stopped" in first.stderr  # every call would 404
    assert "not_found (404)" in first.stdout and first.stdout.count("not_found") == 1
    again = send(path, *wrong, route_to=sandbox.url, in_process=True)
    assert again.returncode == 2 and "--resume" in again.stderr and sandbox.accepted() == []
    assert send(path, "--resume", route_to=sandbox.url, in_process=True).returncode == 2
    other_account = send(path, "--bulk", route_to=sandbox.url, in_process=True)
    assert other_account.returncode == 0  # a run is of one file to one account
    restarted = send(path, *wrong, "--restart", route_to=sandbox.url, in_process=True)
    assert restarted.returncode == 4
