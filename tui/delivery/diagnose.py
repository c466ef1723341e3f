"""`diagnose`: which data centre does this license code live in, and is the key accepted there?

A 401 or 404 from one host cannot tell a wrong key from a wrong data centre from a wrong license
code. Asking all three data centres the same question can. The question is a POST /events with an
empty JSON object, which can never create data: WebEngage answers 400 "userId and anonymousId cannot
be empty" once the key and license code passed, 401 where the key is unknown (another data centre,
a wrong key, or an admin without Account Management + Update Data), 404 where the key is known but
the license code is not. When the key or license code carries stray quotes, spaces or a "Bearer "
prefix, the cleaned value is probed too (one factor changed at a time), so the verdict can say so.

`judge()` is pure (probes in, Diagnosis out) so the CLI, the TUI and the tests share every verdict;
it lives in `tui.delivery.verdicts`, with the Probe and Diagnosis models, and is re-exported here.
`diagnose()` runs the probes concurrently through WebEngageClient, honouring `Connection.route_to`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from pydantic import SecretStr

from tui.delivery.verdicts import (
    Diagnosis,
    Probe,
    ProbeResult,
    Verdict,
    dashboard_url,
    judge,
    missing_credentials,
)
from tui.webengage.api import DataCentre, Endpoint
from tui.webengage.client import RetryPolicy, WebEngageClient, classify_response
from tui.webengage.deliverer import Deliverer
from tui.webengage.outcomes import Outcome
from tui.webengage.request import Connection, build_request

__all__ = [
    "PROBE_BODY",
    "PROBE_RETRY",
    "PROBE_TIMEOUT_S",
    "DelivererFor",
    "Diagnosis",
    "Probe",
    "ProbeResult",
    "Verdict",
    "dashboard_url",
    "diagnose",
    "judge",
    "variants",
]

PROBE_BODY: dict[str, object] = {}
PROBE_RETRY = RetryPolicy(max_attempts=2, base_delay_s=0.2, max_delay_s=1.0, jitter_s=0.1)
PROBE_TIMEOUT_S = 5.0


DelivererFor = Callable[[Connection], Deliverer]
"""What sends a probe for a connection (the delivery service gives its session)."""


_RESULTS = {
    Outcome.MISSING_IDENTITY: ProbeResult.OK,
    Outcome.ACCEPTED: ProbeResult.OK,
    Outcome.AUTH: ProbeResult.KEY_REJECTED,
    Outcome.NOT_FOUND: ProbeResult.LICENSE_NOT_FOUND,
    Outcome.RATE_LIMITED: ProbeResult.RATE_LIMITED,
    Outcome.SERVER_ERROR: ProbeResult.SERVER_ERROR,
    Outcome.NETWORK: ProbeResult.NETWORK,
}


def _clean(value: str, *, key: bool) -> str:
    cleaned = value.strip().strip("\"'<>` ").strip()
    if key and cleaned.lower().startswith("bearer "):
        cleaned = cleaned[7:].strip()
    return cleaned


def variants(connection: Connection) -> list[tuple[str, Connection]]:
    """The connection as configured, then each cleaned value on its own (only when it differs)."""
    found: list[tuple[str, Connection]] = [("", connection)]
    license_code = connection.license_code
    if (clean := _clean(license_code, key=False)) and clean != license_code:
        found.append(
            ("license code cleaned", connection.model_copy(update={"license_code": clean}))
        )
    api_key = connection.api_key.get_secret_value()
    if (clean := _clean(api_key, key=True)) and clean != api_key:
        found.append(("key cleaned", connection.model_copy(update={"api_key": SecretStr(clean)})))
    return found


async def _probe(
    connection: Connection,
    data_centre: DataCentre | None,
    variant: str,
    *,
    transport: httpx.AsyncBaseTransport | None,
    retry: RetryPolicy,
    timeout_s: float,
    deliverer: DelivererFor | None,
) -> Probe:
    if data_centre is not None:
        connection = connection.model_copy(update={"data_centre": data_centre, "custom_host": None})
    request = build_request(connection, Endpoint.EVENTS, PROBE_BODY)
    if deliverer is not None:
        entry = await deliverer(connection).deliver(
            request, event_name="(diagnose probe)", source="diagnose"
        )
    else:
        async with WebEngageClient(
            connection, transport=transport, retry=retry, timeout_s=timeout_s
        ) as client:
            entry = await client.deliver(request, event_name="(diagnose probe)", source="diagnose")
    last = entry.attempts[-1] if entry.attempts else None
    if entry.outcome is Outcome.NETWORK:
        message = last.error if last else None
    else:
        message = classify_response(entry.status or 0, entry.response_body or "")[1]
    return Probe(
        data_centre=data_centre,
        host=connection.host,
        url=request.url,
        variant=variant,
        result=_RESULTS.get(entry.outcome or Outcome.BAD_RESPONSE, ProbeResult.UNEXPECTED),
        status=entry.status,
        message=message,
        network_failure=last.network_failure if last else None,
        latency_ms=entry.latency_ms,
    )


async def diagnose(
    connection: Connection,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    retry: RetryPolicy = PROBE_RETRY,
    timeout_s: float = PROBE_TIMEOUT_S,
    deliverer: DelivererFor | None = None,
) -> Diagnosis:
    """Probe every data centre (and a configured custom host) concurrently, then judge.

    `deliverer` gives what sends each probe's connection (the delivery service's session); without
    it each probe gets a client of its own with `transport`, `retry` and `timeout_s`.
    """
    if missing_credentials(connection):
        return judge(connection, [])
    custom: list[DataCentre | None] = [None] if connection.data_centre is None else []
    jobs = [
        _probe(
            candidate,
            dc,
            variant,
            transport=transport,
            retry=retry,
            timeout_s=timeout_s,
            deliverer=deliverer,
        )
        for variant, candidate in variants(connection)
        for dc in [*DataCentre, *([] if variant else custom)]
    ]
    return judge(connection, list(await asyncio.gather(*jobs)))
