"""The verdicts of `diagnose`: what a set of probe answers means, in plain words, and what to fix.

`judge()` is pure (probes in, Diagnosis out) so the CLI, the TUI and the tests share every verdict.
The verdicts are tried in order, most specific first: the credentials work as configured, work on
another data centre, work once cleaned; then the license code is unknown, the account is rate
limited, the key is refused everywhere, a data centre is unreachable; else it is inconclusive.
`tui.delivery.diagnose` re-exports every public name here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from tui import exit_codes
from tui.webengage.api import DataCentre
from tui.webengage.outcomes import NetworkFailure
from tui.webengage.request import Connection


class ProbeResult(StrEnum):
    """What one data centre's answer says about the key and license code."""

    OK = "ok"  # 400 missing identity: key and license code both accepted here
    KEY_REJECTED = "key_rejected"  # 401/403
    LICENSE_NOT_FOUND = "license_not_found"  # 404: key known here, license code not
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    NETWORK = "network"
    UNEXPECTED = "unexpected"  # an answer that is not one of WebEngage's


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


def missing_credentials(connection: Connection) -> list[str]:
    """What diagnose cannot probe without (empty when the license code and key are both set)."""
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


@dataclass(frozen=True)
class _Evidence:
    """The probes of one diagnosis, and the Diagnosis fields every verdict shares."""

    connection: Connection
    probes: list[Probe]
    base: dict[str, Any]

    @property
    def plain(self) -> list[Probe]:
        """The probes of the values as configured (not of a cleaned variant)."""
        return [p for p in self.probes if not p.variant]

    def plain_with(self, *results: ProbeResult) -> list[Probe]:
        return [p for p in self.plain if p.result in results]


def judge(connection: Connection, probes: list[Probe]) -> Diagnosis:
    """The verdict for a set of probe results: pure, so every case is reproducible in a test."""
    evidence = _Evidence(
        connection,
        probes,
        {
            "license_code": connection.license_code,
            "key": connection.redacted_key(),
            "configured": _configured(connection),
            "configured_data_centre": connection.data_centre,
            "probes": probes,
        },
    )
    missing = missing_credentials(connection)
    if missing:
        return Diagnosis(
            **evidence.base,
            verdict=Verdict.MISSING_CREDENTIALS,
            title="Nothing to probe with: " + " and ".join(missing) + " is missing.",
            detail="diagnose needs both the license code and the REST API key to ask WebEngage.",
            fix="Both are under Data Platform > Integrations > REST API in the WebEngage dashboard.",
        )
    for verdict in _IN_ORDER:
        diagnosis = verdict(evidence)
        if diagnosis is not None:
            return diagnosis
    return _inconclusive(evidence)


def _works_as_configured(evidence: _Evidence) -> Diagnosis | None:
    connection = evidence.connection
    ok = evidence.plain_with(ProbeResult.OK)
    configured = next((p for p in ok if p.data_centre is connection.data_centre), None)
    if configured is None:
        return None
    home = configured.data_centre
    return Diagnosis(
        **evidence.base,
        verdict=Verdict.OK,
        account_data_centre=home,
        title=f"All good: the key and license code '{connection.license_code}' work on "
        f"{configured.label} ({configured.host}).",
        detail=(
            f"{configured.host} accepted the key and found the account (it answered "
            f"{configured.status}: the empty probe event was refused, as intended, so no data "
            "was created)."
        ),
        fix="Nothing to change. If events still do not show, check the userId they are sent with.",
        dashboard_url=dashboard_url(home) if home else None,
    )


def _works_elsewhere(evidence: _Evidence) -> Diagnosis | None:
    connection = evidence.connection
    ok = evidence.plain_with(ProbeResult.OK)
    good_dc = next((p for p in ok if p.data_centre is not None), None)
    if good_dc is None or good_dc.data_centre is None:
        return None
    home = good_dc.data_centre
    return Diagnosis(
        **evidence.base,
        verdict=Verdict.WRONG_DATA_CENTRE,
        account_data_centre=home,
        title=f"Wrong data centre: the account '{connection.license_code}' lives in {home.label}, "
        f"but you are configured for {_configured(connection)}.",
        detail=(
            f"{good_dc.host} accepted the key and license code; the configured host did not. "
            f"Your dashboard is {dashboard_url(home)}."
        ),
        fix=f"Send to {home.api_host}: {_dc_setting(home)}.",
        dashboard_url=dashboard_url(home),
    )


def _works_cleaned(evidence: _Evidence) -> Diagnosis | None:
    probes = evidence.probes
    fixed = next((p for p in probes if p.variant and p.result is ProbeResult.OK), None)
    if fixed is None or fixed.data_centre is None:
        return None
    home = fixed.data_centre
    what = "license code" if fixed.variant.startswith("license") else "REST API key"
    extra = "" if home is evidence.connection.data_centre else f", and {_dc_setting(home)}"
    return Diagnosis(
        **evidence.base,
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


def _license_not_found(evidence: _Evidence) -> Diagnosis | None:
    connection = evidence.connection
    not_found = evidence.plain_with(ProbeResult.LICENSE_NOT_FOUND)
    if not not_found:
        return None
    where = not_found[0].data_centre or connection.data_centre or DataCentre.GLOBAL
    return Diagnosis(
        **evidence.base,
        verdict=Verdict.LICENSE_NOT_FOUND,
        account_data_centre=not_found[0].data_centre,
        title=f"Wrong license code: the key is accepted on {_names(not_found)}, "
        f"but no account there has license code '{connection.license_code}'.",
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


def _rate_limited(evidence: _Evidence) -> Diagnosis | None:
    limited = evidence.plain_with(ProbeResult.RATE_LIMITED)
    if not limited:
        return None
    return Diagnosis(
        **evidence.base,
        verdict=Verdict.INCONCLUSIVE,
        account_data_centre=limited[0].data_centre,
        title=f"Rate limited on {_names(limited)}: the account is probably there, but "
        "WebEngage did not say more.",
        detail="Over 5,000 requests a minute were sent to this account; the probe was refused.",
        fix="Wait a minute and run diagnose again.",
        dashboard_url=dashboard_url(limited[0].data_centre) if limited[0].data_centre else None,
    )


_ODD = (ProbeResult.SERVER_ERROR, ProbeResult.UNEXPECTED)
"""Answers that are not the ones WebEngage gives to a key or license code."""


def _key_rejected(evidence: _Evidence) -> Diagnosis | None:
    rejected = evidence.plain_with(ProbeResult.KEY_REJECTED)
    if not rejected or evidence.plain_with(ProbeResult.NETWORK) or evidence.plain_with(*_ODD):
        return None
    return Diagnosis(
        **evidence.base,
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


def _unreachable(evidence: _Evidence) -> Diagnosis | None:
    unreachable = evidence.plain_with(ProbeResult.NETWORK)
    if not unreachable or evidence.plain_with(ProbeResult.OK):
        return None
    answered = [p for p in evidence.plain if p not in unreachable]
    detail = "; ".join(f"{p.label} ({p.host}): {p.message or 'no response'}" for p in unreachable)
    if answered:
        detail += ". The others refused the key, so the account may live on the unreachable one."
    return Diagnosis(
        **evidence.base,
        verdict=Verdict.UNREACHABLE,
        title=f"Could not reach {_names(unreachable)}.",
        detail=detail,
        fix=(
            "Check your network, proxy and firewall (curl the host), then run diagnose again."
            if answered
            else "No data centre answered: check your internet connection, proxy or VPN."
        ),
    )


def _inconclusive(evidence: _Evidence) -> Diagnosis:
    detail = "; ".join(
        f"{p.label} ({p.host}): {p.status} {p.message or ''}".strip()
        for p in evidence.plain_with(*_ODD) or evidence.plain
    )
    return Diagnosis(
        **evidence.base,
        verdict=Verdict.INCONCLUSIVE,
        title="Inconclusive: the data centres did not answer the way WebEngage does.",
        detail=detail or "No probe answered.",
        fix="Run diagnose again in a few minutes; if it persists, contact WebEngage support.",
    )


_IN_ORDER: tuple[Callable[[_Evidence], Diagnosis | None], ...] = (
    _works_as_configured,
    _works_elsewhere,
    _works_cleaned,
    _license_not_found,
    _rate_limited,
    _key_rejected,
    _unreachable,
)
"""The verdicts `judge` tries, most specific first; the first that applies is the diagnosis."""
