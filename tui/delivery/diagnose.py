"""`diagnose`: which data centre does this license code live in, and is the key accepted there?

A 401 or 404 from one host cannot tell a wrong key from a wrong data centre from a wrong license
code. Asking all three data centres the same question can. The question is a POST /events with an
empty JSON object, which can never create data: WebEngage answers 400 "userId and anonymousId cannot
be empty" once the key and license code passed, 401 where the key is unknown (another data centre,
a wrong key, or an admin without Account Management + Update Data), 404 where the key is known but
the license code is not. When the key or license code carries stray quotes, spaces or a "Bearer "
prefix, the cleaned value is probed too (one factor changed at a time), so the verdict can say so.

`judge()` is pure (probes in, Diagnosis out) so the CLI, the TUI and the tests share every verdict;
`diagnose()` runs the probes concurrently through WebEngageClient, honouring `Connection.route_to`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

import httpx
from pydantic import BaseModel, SecretStr

from tui import exit_codes
from tui.webengage.api import DataCentre, Endpoint
from tui.webengage.client import RetryPolicy, WebEngageClient, classify_response
from tui.webengage.entry import LogEntry
from tui.webengage.outcomes import NetworkFailure, Outcome
from tui.webengage.request import Connection, WebEngageRequest, build_request

PROBE_BODY: dict[str, object] = {}
PROBE_RETRY = RetryPolicy(max_attempts=2, base_delay_s=0.2, max_delay_s=1.0, jitter_s=0.1)
PROBE_TIMEOUT_S = 5.0


class _Deliverer(Protocol):
    async def deliver(
        self, request: WebEngageRequest, *, event_name: str = "", source: str = ""
    ) -> LogEntry: ...


DelivererFor = Callable[[Connection], _Deliverer]
"""What sends a probe for a connection (the delivery service gives its session)."""


class ProbeResult(StrEnum):
    """What one data centre's answer says about the key and license code."""

    OK = "ok"  # 400 missing identity: key and license code both accepted here
    KEY_REJECTED = "key_rejected"  # 401/403
    LICENSE_NOT_FOUND = "license_not_found"  # 404: key known here, license code not
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    NETWORK = "network"
    UNEXPECTED = "unexpected"  # an answer that is not one of WebEngage's


_RESULTS = {
    Outcome.MISSING_IDENTITY: ProbeResult.OK,
    Outcome.ACCEPTED: ProbeResult.OK,
    Outcome.AUTH: ProbeResult.KEY_REJECTED,
    Outcome.NOT_FOUND: ProbeResult.LICENSE_NOT_FOUND,
    Outcome.RATE_LIMITED: ProbeResult.RATE_LIMITED,
    Outcome.SERVER_ERROR: ProbeResult.SERVER_ERROR,
    Outcome.NETWORK: ProbeResult.NETWORK,
}
_WORDS = {
    ProbeResult.OK: "key and license code accepted",
    ProbeResult.KEY_REJECTED: "key rejected",
    ProbeResult.LICENSE_NOT_FOUND: "key accepted, license code not found",
    ProbeResult.RATE_LIMITED: "rate limited",
    ProbeResult.SERVER_ERROR: "server error",
    ProbeResult.NETWORK: "unreachable",
    ProbeResult.UNEXPECTED: "unexpected answer",
}


class Probe(BaseModel):
    """One question to one host: `variant` is "" for the values as configured."""

    data_centre: DataCentre | None  # None: the configured custom host
    host: str
    url: str
    variant: str = ""
    result: ProbeResult
    status: int | None = None
    message: str | None = None
    network_failure: NetworkFailure | None = None
    latency_ms: float | None = None

    @property
    def label(self) -> str:
        return self.data_centre.label if self.data_centre else "custom"

    def line(self) -> str:
        status = str(self.status) if self.status is not None else "---"
        latency = f"{self.latency_ms:.0f} ms" if self.latency_ms is not None else ""
        words = _WORDS[self.result]
        if self.result is ProbeResult.NETWORK and self.message:
            words = f"unreachable: {self.message}"
        variant = f" [{self.variant}]" if self.variant else ""
        return f"{self.label:<7} {self.host:<24} {status:>3}  {words}{variant}  {latency}".rstrip()


class Verdict(StrEnum):
    OK = "ok"
    WRONG_DATA_CENTRE = "wrong_data_centre"
    VALUE_NEEDS_CLEANING = "value_needs_cleaning"
    LICENSE_NOT_FOUND = "license_not_found"
    KEY_REJECTED = "key_rejected"
    UNREACHABLE = "unreachable"
    INCONCLUSIVE = "inconclusive"
    MISSING_CREDENTIALS = "missing_credentials"

    @property
    def exit_code(self) -> int:
        """`diagnose`'s exit code: 0 all good; 1 works once the configuration changes; 2 nothing to
        probe with; 3 key rejected everywhere; 4 license code not found; 7 network; 8 inconclusive."""
        return _EXIT_CODES[self]


_EXIT_CODES = {
    Verdict.OK: exit_codes.OK,
    Verdict.WRONG_DATA_CENTRE: exit_codes.ELSEWHERE,
    Verdict.VALUE_NEEDS_CLEANING: exit_codes.ELSEWHERE,
    Verdict.MISSING_CREDENTIALS: exit_codes.MISSING_CREDENTIALS,
    Verdict.KEY_REJECTED: exit_codes.AUTH,
    Verdict.LICENSE_NOT_FOUND: exit_codes.NOT_FOUND,
    Verdict.UNREACHABLE: exit_codes.NETWORK,
    Verdict.INCONCLUSIVE: exit_codes.INCONCLUSIVE,
}


class Diagnosis(BaseModel):
    """The probes and what they mean, in plain words. Holds the key only in redacted form."""

    license_code: str
    key: str  # redacted
    configured: str  # "Global (api.webengage.com)" or the custom host
    configured_data_centre: DataCentre | None
    probes: list[Probe]
    verdict: Verdict
    account_data_centre: DataCentre | None = None
    title: str
    detail: str
    fix: str
    dashboard_url: str | None = None

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.OK

    def text(self) -> str:
        """The report `webengage-debugger diagnose` prints."""
        lines = [
            f"License code {self.license_code or '(none)'}, key {self.key}, "
            f"configured for {self.configured}.",
        ]
        if self.probes:
            lines += ["", *(f"  {p.line()}" for p in self.probes)]
        lines += ["", self.title, self.detail, f"Fix: {self.fix}"]
        if self.dashboard_url:
            lines.append(f"Dashboard: {self.dashboard_url}")
        return "\n".join(lines)


def dashboard_url(data_centre: DataCentre) -> str:
    return f"https://{data_centre.dashboard_host}"


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
    if _missing(connection):
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


def _missing(connection: Connection) -> list[str]:
    missing = []
    if not connection.license_code.strip():
        missing.append("the license code (WEBENGAGE_LICENSE_CODE, --license or a profile)")
    if not connection.api_key.get_secret_value().strip():
        missing.append("the REST API key (WEBENGAGE_API_KEY or a profile)")
    return missing


def _configured(connection: Connection) -> str:
    if connection.data_centre is not None:
        return f"{connection.data_centre.label} ({connection.host})"
    return f"custom host {connection.host}"


def _names(probes: list[Probe]) -> str:
    labels = [p.label for p in probes]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _dc_setting(data_centre: DataCentre) -> str:
    return (
        f"set WEBENGAGE_DATA_CENTRE={data_centre.value} (or `--data-centre {data_centre.value}`), "
        "or change the data centre in your profile"
    )


def judge(connection: Connection, probes: list[Probe]) -> Diagnosis:
    """The verdict for a set of probe results: pure, so every case is reproducible in a test."""
    license_code = connection.license_code
    base = {
        "license_code": license_code,
        "key": connection.redacted_key(),
        "configured": _configured(connection),
        "configured_data_centre": connection.data_centre,
        "probes": probes,
    }
    missing = _missing(connection)
    if missing:
        return Diagnosis(
            **base,
            verdict=Verdict.MISSING_CREDENTIALS,
            title="Nothing to probe with: " + " and ".join(missing) + " is missing.",
            detail="diagnose needs both the license code and the REST API key to ask WebEngage.",
            fix="Both are under Data Platform > Integrations > REST API in the WebEngage dashboard.",
        )
    plain = [p for p in probes if not p.variant]
    ok = [p for p in plain if p.result is ProbeResult.OK]
    configured = next((p for p in ok if p.data_centre is connection.data_centre), None)
    if configured is not None:
        home = configured.data_centre
        return Diagnosis(
            **base,
            verdict=Verdict.OK,
            account_data_centre=home,
            title=f"All good: the key and license code '{license_code}' work on {configured.label} "
            f"({configured.host}).",
            detail=(
                f"{configured.host} accepted the key and found the account (it answered "
                f"{configured.status}: the empty probe event was refused, as intended, so no data "
                "was created)."
            ),
            fix="Nothing to change. If events still do not show, check the userId they are sent with.",
            dashboard_url=dashboard_url(home) if home else None,
        )
    good_dc = next((p for p in ok if p.data_centre is not None), None)
    if good_dc is not None and good_dc.data_centre is not None:
        home = good_dc.data_centre
        return Diagnosis(
            **base,
            verdict=Verdict.WRONG_DATA_CENTRE,
            account_data_centre=home,
            title=f"Wrong data centre: the account '{license_code}' lives in {home.label}, "
            f"but you are configured for {_configured(connection)}.",
            detail=(
                f"{good_dc.host} accepted the key and license code; the configured host did not. "
                f"Your dashboard is {dashboard_url(home)}."
            ),
            fix=f"Send to {home.api_host}: {_dc_setting(home)}.",
            dashboard_url=dashboard_url(home),
        )
    fixed = next((p for p in probes if p.variant and p.result is ProbeResult.OK), None)
    if fixed is not None and fixed.data_centre is not None:
        home = fixed.data_centre
        what = "license code" if fixed.variant.startswith("license") else "REST API key"
        extra = "" if home is connection.data_centre else f", and {_dc_setting(home)}"
        return Diagnosis(
            **base,
            verdict=Verdict.VALUE_NEEDS_CLEANING,
            account_data_centre=home,
            title=f"The {what} has stray characters: cleaned, it works on {home.label}.",
            detail=(
                f"As configured it was refused everywhere; without the surrounding spaces, quotes or "
                f"'Bearer ' prefix, {fixed.host} accepted it."
            ),
            fix=f"Re-enter the {what} without quotes, spaces or a 'Bearer ' prefix{extra}.",
            dashboard_url=dashboard_url(home),
        )
    not_found = [p for p in plain if p.result is ProbeResult.LICENSE_NOT_FOUND]
    if not_found:
        where = not_found[0].data_centre or connection.data_centre or DataCentre.GLOBAL
        return Diagnosis(
            **base,
            verdict=Verdict.LICENSE_NOT_FOUND,
            account_data_centre=not_found[0].data_centre,
            title=f"Wrong license code: the key is accepted on {_names(not_found)}, "
            f"but no account there has license code '{license_code}'.",
            detail=(
                "The key is fine; the license code is mistyped, or belongs to another account or "
                "another data centre."
            ),
            fix=(
                f"Copy the License Code from {dashboard_url(where)} > Data Platform > Integrations > "
                "REST API (it is next to the key)."
            )
            + (f" Then {_dc_setting(where)}." if where is not connection.data_centre else ""),
            dashboard_url=dashboard_url(where),
        )
    limited = [p for p in plain if p.result is ProbeResult.RATE_LIMITED]
    if limited:
        return Diagnosis(
            **base,
            verdict=Verdict.INCONCLUSIVE,
            account_data_centre=limited[0].data_centre,
            title=f"Rate limited on {_names(limited)}: the account is probably there, but "
            "WebEngage did not say more.",
            detail="Over 5,000 requests a minute were sent to this account; the probe was refused.",
            fix="Wait a minute and run diagnose again.",
            dashboard_url=dashboard_url(limited[0].data_centre) if limited[0].data_centre else None,
        )
    rejected = [p for p in plain if p.result is ProbeResult.KEY_REJECTED]
    unreachable = [p for p in plain if p.result is ProbeResult.NETWORK]
    odd = [p for p in plain if p.result in (ProbeResult.SERVER_ERROR, ProbeResult.UNEXPECTED)]
    if rejected and not unreachable and not odd:
        return Diagnosis(
            **base,
            verdict=Verdict.KEY_REJECTED,
            title=f"Key rejected by every data centre ({_names(rejected)}).",
            detail=(
                "No data centre accepted this REST API key with this license code: the key is wrong "
                "(mistyped, rotated, or from another account than the license code), or it belongs "
                "to an admin without the Account Management and Update Data permissions (or one "
                "since removed)."
            ),
            fix=(
                "In your dashboard, Data Platform > Integrations > REST API, copy both the key and "
                "the license code of the same account, as a fully permissioned Account Admin."
            ),
        )
    if unreachable and not ok:
        answered = [p for p in plain if p not in unreachable]
        detail = "; ".join(
            f"{p.label} ({p.host}): {p.message or 'no response'}" for p in unreachable
        )
        if answered:
            detail += (
                ". The others refused the key, so the account may live on the unreachable one."
            )
        return Diagnosis(
            **base,
            verdict=Verdict.UNREACHABLE,
            title=f"Could not reach {_names(unreachable)}.",
            detail=detail,
            fix=(
                "Check your network, proxy and firewall (curl the host), then run diagnose again."
                if answered
                else "No data centre answered: check your internet connection, proxy or VPN."
            ),
        )
    detail = "; ".join(
        f"{p.label} ({p.host}): {p.status} {p.message or ''}".strip() for p in odd or plain
    )
    return Diagnosis(
        **base,
        verdict=Verdict.INCONCLUSIVE,
        title="Inconclusive: the data centres did not answer the way WebEngage does.",
        detail=detail or "No probe answered.",
        fix="Run diagnose again in a few minutes; if it persists, contact WebEngage support.",
    )
