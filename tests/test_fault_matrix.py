"""Every way a delivery can fail ends as one log entry with the right outcome and hint, never lost.

The matrix: each fault the sandbox can inject (latency past the timeout, 5xx, 429 with and without
Retry-After, an HTML error page, a reset connection, a 2xx that is not JSON) and each network
failure (DNS, connection refused, TLS against a plain-HTTP port). Each case runs against the real
sandbox on loopback, through the client (with history written as the client reports) and through
the TUI (Pilot), where the app must also keep handling keys while the delivery is failing.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from textual.pilot import Pilot
from textual.widgets import Input

from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Fault, FaultKind, Sandbox
from tui.store.history import History
from tui.store.settings import AppSettings
from tui.ui.app import create_app
from tui.ui.widgets.delivery_log import DeliveryLog
from tui.ui.widgets.hint_view import HintView
from tui.webengage.api import DataCentre, Endpoint
from tui.webengage.client import RetryPolicy, WebEngageClient
from tui.webengage.entry import LogEntry
from tui.webengage.outcomes import NetworkFailure, Outcome
from tui.webengage.request import Connection, build_request

# Tiny but real backoff: retries happen, the suite stays fast.
RETRY = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.02, jitter_s=0.0)
TIMEOUT_S = 0.5  # long enough for a keystroke to be handled while a slow case is in flight
BODY = {"userId": "fault-matrix-user", "eventName": "Fault Matrix", "eventData": {"step": 1}}


@dataclass(frozen=True)
class Case:
    """One row of the matrix: how to break the delivery, and what the log entry must then say."""

    id: str
    outcome: Outcome
    hint_words: tuple[str, ...]  # all must appear in the hint's title (case-insensitive)
    fault: Fault | None = None
    route: str = "sandbox"  # sandbox | dns | refused | tls
    status: int | None = None
    network_failure: NetworkFailure | None = None
    attempts: int | None = None  # exact count when the case decides it
    retry_after_s: float | None = None
    response_contains: str | None = None
    timeout_s: float = TIMEOUT_S
    accepted_events: int = 0  # what the sandbox must hold afterwards: none, or exactly one


CASES = [
    Case(
        "latency-timeout",
        Outcome.NETWORK,
        ("network error (timeout)",),
        fault=Fault(kind=FaultKind.LATENCY, delay_s=TIMEOUT_S * 4, times=None),
        network_failure=NetworkFailure.TIMEOUT,
        attempts=RETRY.max_attempts,
    ),
    Case(
        "server-error-503",
        Outcome.SERVER_ERROR,
        ("server error (503)", "after 2 attempts"),
        fault=Fault(kind=FaultKind.SERVER_ERROR, times=None),
        status=503,
        attempts=RETRY.max_attempts,
    ),
    Case(
        "server-error-empty-body",
        Outcome.SERVER_ERROR,
        ("server error (500)",),
        fault=Fault(kind=FaultKind.SERVER_ERROR, status=500, empty_body=True, times=None),
        status=500,
        attempts=RETRY.max_attempts,
    ),
    Case(
        "rate-limited-no-retry-after",
        Outcome.RATE_LIMITED,
        ("rate limited (429)",),
        fault=Fault(kind=FaultKind.RATE_LIMIT, times=None),
        status=429,
        attempts=RETRY.max_attempts,
    ),
    Case(
        "rate-limited-retry-after",
        Outcome.RATE_LIMITED,
        ("rate limited (429)",),
        fault=Fault(kind=FaultKind.RATE_LIMIT, retry_after_s=0.05, times=None),
        status=429,
        attempts=RETRY.max_attempts,
        retry_after_s=0.05,
    ),
    Case(
        "html-error-page",
        Outcome.SERVER_ERROR,
        ("server error (502)",),
        fault=Fault(kind=FaultKind.HTML, times=None),
        status=502,
        attempts=RETRY.max_attempts,
        response_contains="<html>",
    ),
    Case(
        "connection-reset",
        Outcome.NETWORK,
        ("network error (reset)",),
        fault=Fault(kind=FaultKind.RESET, times=None),
        network_failure=NetworkFailure.RESET,
        attempts=RETRY.max_attempts,
    ),
    Case(
        "not-json-2xx",
        Outcome.BAD_RESPONSE,
        ("unexpected response (200)",),
        fault=Fault(kind=FaultKind.NOT_JSON, times=None),
        status=200,
        attempts=1,  # a 2xx is not retried: it may have been ingested
        response_contains="OK",
    ),
    Case(
        "latency-within-timeout",
        Outcome.ACCEPTED,
        ("accepted",),
        # 2.5 s: a loaded 2-core CI machine can take over a second to turn a keystroke into a
        # preview, and the test checks the keystroke did not wait for this delivery.
        fault=Fault(kind=FaultKind.LATENCY, delay_s=2.5),
        attempts=1,
        timeout_s=5.0,
        accepted_events=1,
    ),
    Case(
        "server-error-then-accepted",
        Outcome.ACCEPTED,
        ("accepted",),
        fault=Fault(kind=FaultKind.SERVER_ERROR, times=1),
        attempts=2,
        accepted_events=1,
    ),
    Case(
        "reset-then-accepted",
        Outcome.ACCEPTED,
        ("accepted",),
        fault=Fault(kind=FaultKind.RESET, times=1),
        attempts=2,
        accepted_events=1,
    ),
    Case(
        "dns-failure",
        Outcome.NETWORK,
        ("network error (dns)", "api.nonexistent.invalid"),
        route="dns",
        network_failure=NetworkFailure.DNS,
    ),
    Case(
        "connection-refused",
        Outcome.NETWORK,
        ("network error (refused)",),
        route="refused",
        network_failure=NetworkFailure.REFUSED,
        attempts=RETRY.max_attempts,
    ),
    Case(
        "tls-to-plain-http",
        Outcome.NETWORK,
        ("network error (tls)",),
        route="tls",
        network_failure=NetworkFailure.TLS,
        attempts=1,  # a TLS failure will not heal by retrying
    ),
]


def test_the_matrix_covers_every_fault_kind() -> None:
    """A fault kind added to the sandbox must get its row here."""
    covered = {case.fault.kind for case in CASES if case.fault is not None}
    assert covered == set(FaultKind)
    assert {case.route for case in CASES} == {"sandbox", "dns", "refused", "tls"}


@pytest.fixture(scope="module")
def fault_sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def sandbox_for_case(fault_sandbox: Sandbox) -> Iterator[Sandbox]:
    fault_sandbox.reset()
    fault_sandbox.clear_faults()
    yield fault_sandbox
    fault_sandbox.clear_faults()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def connection_for(case: Case, sandbox: Sandbox) -> Connection:
    key = SecretStr(DEMO_API_KEY)
    if case.route == "sandbox":
        return Connection(
            data_centre=DataCentre.GLOBAL,
            license_code=DEMO_LICENSE_CODE,
            api_key=key,
            route_to=sandbox.url,
        )
    host = {
        "dns": "https://api.nonexistent.invalid",
        "refused": f"http://127.0.0.1:{closed_port()}",
        "tls": f"https://127.0.0.1:{sandbox.port}",  # TLS spoken to the sandbox's plain HTTP
    }[case.route]
    return Connection(
        data_centre=None, custom_host=host, license_code=DEMO_LICENSE_CODE, api_key=key
    )


def check_entry(case: Case, entry: LogEntry) -> None:
    """The finished entry says what happened, in the matrix's words."""
    assert entry.outcome is case.outcome, entry.summary()
    assert entry.hint is not None
    title = entry.hint.title.lower()
    for word in case.hint_words:
        assert word.lower() in title, f"{word!r} not in hint {entry.hint.title!r}"
    assert entry.hint.fix
    assert entry.attempts, "every delivery records at least one attempt"
    if case.attempts is not None:
        assert len(entry.attempts) == case.attempts, entry.summary()
    if case.status is not None:
        assert entry.status == case.status
        assert entry.attempts[-1].status == case.status
    if case.network_failure is not None:
        assert entry.status is None
        assert entry.attempts[-1].network_failure is case.network_failure, entry.summary()
        assert entry.attempts[-1].error
    if case.retry_after_s is not None:
        assert entry.attempts[0].retry_after_s == pytest.approx(case.retry_after_s)
        assert entry.attempts[0].backoff_s == pytest.approx(case.retry_after_s, abs=0.01)
    if case.response_contains is not None:
        assert case.response_contains in (entry.response_body or "")
    # The key never lands in the entry, whatever the failure quoted.
    assert DEMO_API_KEY not in entry.model_dump_json()


def check_history(history: History, entry: LogEntry) -> None:
    """Nothing lost: the entry is stored exactly once, finished, with every attempt."""
    assert history.count() == 1
    stored = history.get(entry.id)
    assert stored is not None
    assert stored.outcome is entry.outcome
    assert stored.request_id == entry.request_id
    assert len(stored.attempts) == len(entry.attempts)
    assert stored.hint == entry.hint


def check_sandbox(case: Case, sandbox: Sandbox, entry: LogEntry) -> None:
    """A failed delivery reached nobody; a retried one arrived exactly once (same x-request-id)."""
    accepted = sandbox.accepted()
    assert len(accepted) == case.accepted_events, accepted
    if case.accepted_events:
        assert entry.attempts[-1].status == sandbox.config.success_status
        assert accepted[0]["request_id"] == entry.request_id


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_client_fault_matrix(case: Case, sandbox_for_case: Sandbox, tmp_path: Path) -> None:
    sandbox = sandbox_for_case
    if case.fault is not None:
        sandbox.inject(case.fault)
    connection = connection_for(case, sandbox)
    request = build_request(connection, Endpoint.EVENTS, BODY)
    seen: list[bool] = []

    def record(entry: LogEntry) -> None:
        seen.append(entry.finished)
        history.record(entry)

    with History.open(tmp_path / "history.sqlite3") as history:
        async with WebEngageClient(connection, retry=RETRY, timeout_s=case.timeout_s) as client:
            entry = await client.deliver(request, event_name="Fault Matrix", on_update=record)
        check_entry(case, entry)
        check_history(history, entry)
    # Written before the first attempt (unfinished), and last when finished.
    assert seen[0] is False
    assert seen[-1] is True
    check_sandbox(case, sandbox, entry)


# ---- the same matrix through the TUI ---------------------------------------------------------


class ShortTimeout(httpx.AsyncBaseTransport):
    """A real HTTP transport whose timeout is `timeout_s`: the app's client waits 10 s, which would
    make the latency case slow. httpx hands the timeout to the transport in the request, so the
    real transport is used, only told to give up sooner."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout = httpx.Timeout(timeout_s).as_dict()
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.extensions["timeout"] = self.timeout
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.005)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_tui_fault_matrix(case: Case, sandbox_for_case: Sandbox, tmp_path: Path) -> None:
    sandbox = sandbox_for_case
    if case.fault is not None:
        sandbox.inject(case.fault)
    slow = case.fault is not None and case.fault.kind is FaultKind.LATENCY
    with History.open(tmp_path / "history.sqlite3") as history:
        app = create_app(
            AppSettings(),
            connection=connection_for(case, sandbox),
            transport=ShortTimeout(case.timeout_s) if slow else None,
            # The credentials panel keeps a sandbox route only when it knows the sandbox.
            sandbox=sandbox if case.route == "sandbox" else None,
            history=history,
        )
        app.service.retry = RETRY
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_until(pilot, lambda: app.preview is not None, "the first preview")
            log = app.query_one(DeliveryLog)
            await pilot.press("f5")
            await wait_until(pilot, lambda: bool(log.entries), "the log entry")
            (entry_id,) = log.entries

            # Responsive while (or right after) the delivery fails: typing still updates the preview.
            in_flight = not log.entries[entry_id].finished
            app.query_one("#user-id", Input).focus()
            await pilot.press("end", "x")
            await wait_until(
                pilot,
                lambda: (
                    app.preview is not None and app.preview.request.body.get("userId") == "johndoex"
                ),
                "the preview to follow a keystroke",
            )
            if slow:
                assert in_flight, "the latency case should still be in flight while typing"
                assert not log.entries[entry_id].finished, "a keystroke waited for the delivery"

            await wait_until(
                pilot, lambda: log.entries[entry_id].finished, "the delivery to finish"
            )
            await pilot.pause()
            entry = log.entries[entry_id]
            check_entry(case, entry)
            assert entry.hint is not None
            hint_shown = str(app.query_one("#log-hint", HintView).content)
            assert entry.hint.title in hint_shown
            check_history(history, entry)
    check_sandbox(case, sandbox, entry)
