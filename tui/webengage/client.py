"""The WebEngage REST client: one delivery in, one LogEntry out, whatever happens on the wire.

It never raises httpx's (or any) exceptions to its caller: every failure becomes an Outcome with a
hint. Retries (429, 5xx, connect errors, timeouts, resets) reuse the delivery's `x-request-id`, so
WebEngage ingests a retried event at most once. An optional Pacer keeps every attempt, retries
included, under the account's rate limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_result,
    stop_after_attempt,
    wait_exponential_jitter,
)

from tui.masking import Masker
from tui.webengage.api import BULK_ITEMS_MAX, Endpoint
from tui.webengage.classify import classify_exception, classify_response, parse_retry_after
from tui.webengage.entry import RESPONSE_BODY_MAX, Attempt, LogEntry, new_request_id, utc_now
from tui.webengage.findings import Finding
from tui.webengage.outcomes import Outcome, hint_for
from tui.webengage.pacing import Pacer
from tui.webengage.request import Connection, WebEngageRequest, bulk_requests

__all__ = [
    "RetryPolicy",
    "WebEngageClient",
    "classify_exception",
    "classify_response",
    "parse_retry_after",
]

OnUpdate = Callable[[LogEntry], None]
USER_AGENT = "webengage-debugger"


class RetryPolicy(BaseModel):
    """How hard to try. Tests use tiny delays; the defaults suit WebEngage's real limits."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    max_attempts: int = Field(default=4, ge=1, le=20)
    base_delay_s: float = Field(default=0.5, ge=0)
    max_delay_s: float = Field(default=8.0, ge=0)
    jitter_s: float = Field(default=0.25, ge=0)
    retry_after_max_s: float = Field(default=60.0, ge=0)
    """A server's Retry-After is honoured up to this long; a longer one is cut to it."""

    def backoff(self, state: RetryCallState) -> float:
        """Exponential with jitter, for when the server gave no Retry-After."""
        waiter = wait_exponential_jitter(
            multiplier=self.base_delay_s, max=self.max_delay_s, jitter=self.jitter_s
        )
        return float(waiter(state))


class _Result(BaseModel):
    """One attempt's classification, for the retry loop."""

    outcome: Outcome
    retryable: bool
    message: str | None = None


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, ValueError):
        return None


class _Delivery:
    """One delivery in progress: the latest immutable snapshot of its entry, and who hears of it."""

    __slots__ = ("entry", "notify")

    def __init__(self, entry: LogEntry, notify: OnUpdate | None) -> None:
        self.entry = entry
        self.notify = notify

    def set(self, **changes: Any) -> None:
        self.entry = self.entry.model_copy(update=changes)

    def add_attempt(self, attempt: Attempt) -> None:
        self.set(attempts=(*self.entry.attempts, attempt))

    def set_attempt(self, **changes: Any) -> None:
        *earlier, last = self.entry.attempts
        self.set(attempts=(*earlier, last.model_copy(update=changes)))

    def publish(self) -> None:
        if self.notify is not None:
            self.notify(self.entry)


class WebEngageClient:
    """Delivers WebEngageRequests for one Connection. Use as an async context manager.

    `transport` lets a test or the TUI inject its own httpx transport; `pacer` (pacing.py) makes every
    attempt wait its turn under the account's rate limit.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout_s: float = 10.0,
        pacer: Pacer | None = None,
        sleep: Callable[[float], Any] | None = None,
    ) -> None:
        self.connection = connection
        self.retry = retry or RetryPolicy()
        self.timeout_s = timeout_s
        self.pacer = pacer
        self._sleep = sleep or asyncio.sleep
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            # A local sandbox must not be sent through the user's HTTP(S)_PROXY.
            trust_env=not connection.route_to,
        )
        self._mask = Masker([connection.api_key.get_secret_value()])

    async def __aenter__(self) -> WebEngageClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def __repr__(self) -> str:
        return f"WebEngageClient(host={self.connection.host!r}, license_code={self.connection.license_code!r})"

    def _scrub(self, text: str) -> str:
        """Never let the key into a message, whatever a server or an exception chose to quote."""
        return self._mask(text)

    def _key_problem(self) -> str | None:
        """Why the key cannot go in a header at all (then nothing is sent, and nothing quoted)."""
        return self.connection.key_problem()

    def new_entry(
        self,
        request: WebEngageRequest,
        *,
        event_name: str = "",
        findings: Sequence[Finding] = (),
        forced: bool = False,
        source: str = "",
    ) -> LogEntry:
        """The log entry for a delivery, before anything is sent (its x-request-id in the request)."""
        request_id = request.headers.get("x-request-id") or new_request_id()
        if "x-request-id" not in request.headers:
            headers = {**request.headers, "x-request-id": request_id}
            request = request.model_copy(update={"headers": headers})
        return LogEntry(
            request_id=request_id,
            request=request,
            event_name=event_name,
            data_centre=self.connection.data_centre_label,
            host=urlsplit(request.url).netloc or self.connection.host,
            license_code=self.connection.license_code,
            endpoint=request.endpoint,
            findings=tuple(findings),
            forced=forced,
            source=source,
        )

    async def deliver(
        self,
        request: WebEngageRequest,
        *,
        event_name: str = "",
        findings: Sequence[Finding] = (),
        forced: bool = False,
        source: str = "",
        on_update: OnUpdate | None = None,
    ) -> LogEntry:
        """Send `request`, retrying per the policy; the finished LogEntry, never an exception.

        `on_update` sees the entry when it is created, after every attempt, and before each backoff
        (with that attempt's `backoff_s` set, so a UI can count down).
        """
        entry = self.new_entry(
            request, event_name=event_name, findings=findings, forced=forced, source=source
        )
        return await self.run(entry, on_update=on_update)

    async def run(
        self,
        entry: LogEntry,
        *,
        on_update: OnUpdate | None = None,
        pacer: Pacer | None = None,
        slot_taken: bool = False,
    ) -> LogEntry:
        """Deliver an entry made by `new_entry` (lets a caller record it before sending).

        `pacer` overrides the client's own for this delivery (replay paces each endpoint apart);
        `slot_taken` says the caller already waited for the first attempt's slot (retries still wait).
        """
        delivery = _Delivery(entry, on_update)
        delivery.publish()
        last: _Result | None = None
        retrying = self._retrying(delivery)
        try:
            last = await retrying(self._attempt, delivery, pacer or self.pacer, slot_taken)
        except asyncio.CancelledError:
            attempts = delivery.entry.attempts
            if attempts and attempts[-1].latency_ms is None:
                delivery.set_attempt(error="cancelled before a response")
            delivery.publish()
            raise
        assert last is not None
        self._finish(delivery, last)
        return delivery.entry

    def _retrying(self, delivery: _Delivery) -> AsyncRetrying:
        """The retry loop for one delivery: the policy's attempts and backoff, Retry-After first."""

        def wait(state: RetryCallState) -> float:
            retry_after = delivery.entry.attempts[-1].retry_after_s
            if retry_after is not None:
                return min(retry_after, self.retry.retry_after_max_s)
            return self.retry.backoff(state)

        def before_sleep(state: RetryCallState) -> None:
            # Set here, not in wait(): tenacity computes a wait even when it then stops.
            delivery.set_attempt(backoff_s=round(state.upcoming_sleep, 3))
            delivery.publish()

        return AsyncRetrying(
            stop=stop_after_attempt(self.retry.max_attempts),
            wait=wait,
            retry=retry_if_result(lambda result: bool(result.retryable)),
            before_sleep=before_sleep,
            sleep=self._sleep,
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )

    def _finish(self, delivery: _Delivery, last: _Result) -> None:
        """Set the outcome of the last attempt, and its hint, on the entry; then publish it."""
        done = delivery.entry
        failure = done.attempts[-1].network_failure if done.attempts else None
        delivery.set(
            outcome=last.outcome,
            finished_at=utc_now(),
            hint=hint_for(
                last.outcome,
                host=done.host,
                license_code=done.license_code,
                data_centre=self.connection.data_centre,
                status=done.status,
                message=last.message,
                network_failure=failure,
                attempts=len(done.attempts),
                endpoint=done.endpoint,
            ),
        )
        delivery.publish()

    def _wire(self, request: WebEngageRequest) -> tuple[str, dict[str, str]]:
        """Where to connect and what headers to send (real key, real Host when routed)."""
        headers = self.connection.wire_headers(request)
        if not self.connection.route_to:
            return request.url, headers
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers["Host"] = parts.netloc or self.connection.host
        return f"{self.connection.route_to.rstrip('/')}{path}", headers

    async def _attempt(self, delivery: _Delivery, pacer: Pacer | None, slot_taken: bool) -> _Result:
        if pacer is not None and not (slot_taken and not delivery.entry.attempts):
            await pacer.wait()
        delivery.add_attempt(Attempt(number=len(delivery.entry.attempts) + 1, started_at=utc_now()))
        delivery.publish()
        started = time.perf_counter()
        try:
            problem = self._key_problem()
            if problem is not None:
                raise httpx.LocalProtocolError(problem)
            url, headers = self._wire(delivery.entry.request)
            result = await self._exchange(delivery, url, headers, started)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # every failure is an outcome, never an exception
            failure, message, retryable = classify_exception(error)
            shown = self._scrub(message)
            delivery.set_attempt(
                latency_ms=round((time.perf_counter() - started) * 1000, 3),
                error=shown,
                network_failure=failure,
            )
            delivery.set(status=None)
            result = _Result(outcome=Outcome.NETWORK, retryable=retryable, message=shown)
        attempt = delivery.entry.attempts[-1]
        if pacer is not None and attempt.status is not None and attempt.latency_ms is not None:
            pacer.observe(attempt.latency_ms / 1000)
        delivery.publish()
        return result

    async def _exchange(
        self, delivery: _Delivery, url: str, headers: dict[str, str], started: float
    ) -> _Result:
        request = self._http.build_request(
            delivery.entry.request.method,
            url,
            headers=headers,
            content=delivery.entry.request.body_bytes(),
        )
        response = await self._http.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            truncated = False
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > RESPONSE_BODY_MAX * 4:  # bytes; characters are checked below
                    truncated = True
                    break
        finally:
            await response.aclose()
        latency_ms = round((time.perf_counter() - started) * 1000, 3)
        body = b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")
        if len(body) > RESPONSE_BODY_MAX:
            body, truncated = body[:RESPONSE_BODY_MAX], True
        # Masked before anything reads it: a server that echoes the key must not put it in a hint.
        body = self._scrub(body)
        outcome, message = classify_response(response.status_code, body)
        retryable = outcome in (Outcome.RATE_LIMITED, Outcome.SERVER_ERROR)
        delivery.set_attempt(
            latency_ms=latency_ms,
            status=response.status_code,
            retry_after_s=parse_retry_after(response.headers.get("retry-after"))
            if retryable
            else None,
        )
        delivery.set(
            status=response.status_code,
            response_headers={k: self._scrub(v) for k, v in response.headers.items()},
            response_body=body,
            response_truncated=truncated,
            rate_limit_limit=_int_header(response.headers, "x-ratelimit-limit"),
            rate_limit_remaining=_int_header(response.headers, "x-ratelimit-remaining"),
        )
        return _Result(outcome=outcome, retryable=retryable, message=message)

    async def deliver_bulk(
        self,
        bodies: Sequence[Any],
        *,
        endpoint: Endpoint = Endpoint.BULK_EVENTS,
        event_name: str = "",
        source: str = "",
        on_update: OnUpdate | None = None,
        chunk_size: int = BULK_ITEMS_MAX,
    ) -> list[LogEntry]:
        """Send `bodies` (already-mapped event or user bodies) through a bulk endpoint, 25 per call.

        One LogEntry per call, in order; pacing comes from the client's Pacer. For progress,
        cancellation and concurrency use the delivery service's replay.
        """
        entries = []
        for request in bulk_requests(
            self.connection, bodies, endpoint=endpoint, chunk_size=chunk_size
        ):
            entries.append(
                await self.deliver(
                    request, event_name=event_name, source=source, on_update=on_update
                )
            )
        return entries
