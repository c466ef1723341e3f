"""What became of a delivery (Outcome), the plain-words hint for it, and the `send` exit code.

One table (PRODUCT.md §5) serves the CLI, the TUI's delivery log, exports and diagnose.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from tui import exit_codes
from tui.webengage.api import CALLS_PER_MINUTE, DataCentre, Endpoint


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    AUTH = "auth"
    NOT_FOUND = "not_found"
    MISSING_IDENTITY = "missing_identity"
    RESERVED_NAME = "reserved_name"
    BAD_REQUEST = "bad_request"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    NETWORK = "network"
    BAD_RESPONSE = "bad_response"

    @property
    def exit_code(self) -> int:
        """`webengage-debugger send`'s exit code (PRODUCT.md §6; 9 = a 2xx that was not WebEngage's)."""
        return _EXIT_CODES[self]

    @property
    def ok(self) -> bool:
        return self is Outcome.ACCEPTED


_EXIT_CODES = {
    Outcome.ACCEPTED: exit_codes.OK,
    Outcome.AUTH: exit_codes.AUTH,
    Outcome.NOT_FOUND: exit_codes.NOT_FOUND,
    Outcome.MISSING_IDENTITY: exit_codes.BAD_REQUEST,
    Outcome.RESERVED_NAME: exit_codes.BAD_REQUEST,
    Outcome.BAD_REQUEST: exit_codes.BAD_REQUEST,
    Outcome.RATE_LIMITED: exit_codes.RATE_LIMITED,
    Outcome.NETWORK: exit_codes.NETWORK,
    Outcome.SERVER_ERROR: exit_codes.SERVER_ERROR,
    Outcome.BAD_RESPONSE: exit_codes.NOT_WEBENGAGE,
}


class NetworkFailure(StrEnum):
    """Which way the network failed, for the `network` outcome's hint."""

    DNS = "dns"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    TLS = "tls"
    RESET = "reset"
    OTHER = "other"


class Hint(BaseModel):
    """A verdict in plain words and what to do about it."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    title: str
    detail: str
    fix: str
    fix_in_app: str | None = None
    """The fix in the TUI's words (its keys and palette), when they differ from the command line's."""

    def text(self) -> str:
        return f"{self.title}\n{self.detail}\nFix: {self.fix}"

    @property
    def app_fix(self) -> str:
        """What the TUI shows as the fix."""
        return self.fix_in_app or self.fix


def _dashboard(data_centre: DataCentre | None) -> str:
    return f"https://{(data_centre or DataCentre.GLOBAL).dashboard_host}"


def hint_for(
    outcome: Outcome,
    *,
    host: str,
    license_code: str,
    data_centre: DataCentre | None = None,
    status: int | None = None,
    message: str | None = None,
    network_failure: NetworkFailure | None = None,
    attempts: int = 1,
    endpoint: Endpoint | None = None,
) -> Hint:
    """The troubleshooting hint for `outcome`, naming the host and license code actually used."""
    said = f' WebEngage said: "{message.rstrip(".")}".' if message else ""
    retried = f" after {attempts} attempts" if attempts > 1 else ""
    if outcome is Outcome.ACCEPTED:
        if endpoint in (Endpoint.USERS, Endpoint.BULK_USERS):
            return _profile_accepted_hint(data_centre)
        return _accepted_hint(data_centre)
    if outcome in _REFUSALS:
        return _refusal_hint(
            outcome, host=host, license_code=license_code, status=status, said=said
        )
    if outcome in (Outcome.RATE_LIMITED, Outcome.SERVER_ERROR):
        return _retried_hint(outcome, status=status, said=said, retried=retried)
    if outcome is Outcome.NETWORK:
        return _network_hint(host, network_failure or NetworkFailure.OTHER, message, retried)
    return Hint(
        title=f"Unexpected response ({status}): not WebEngage's answer.",
        detail=(
            'The status said success but the body was not {"response":{"status":"queued"}}: '
            "something other than WebEngage (a proxy, a captive portal, a wrong custom host) answered."
        ),
        fix=f"Look at the raw response below, and check that {host} is a WebEngage API host.",
    )


def _profile_accepted_hint(data_centre: DataCentre | None) -> Hint:
    """/users: a profile was created or updated, not an event."""
    return Hint(
        title="Accepted: WebEngage queued the profile update.",
        detail=(
            "Processing is asynchronous: 'queued' means accepted, not yet on the profile. "
            f"Open the user in {_dashboard(data_centre)} (Users > search by userId): the "
            "attributes show once processed. An attribute whose type differs from its first-ever "
            "value is not updated."
        ),
        fix="Wait a moment, then look the user up by the same userId the events use.",
    )


def _accepted_hint(data_centre: DataCentre | None) -> Hint:
    """Accepted is not yet visible: the hint says where to look, and why it may not show."""
    return Hint(
        title="Accepted: WebEngage queued the event.",
        detail=(
            "Processing is asynchronous: 'queued' means accepted, not yet on the profile. "
            f"Open the user's profile in {_dashboard(data_centre)} (Users > search by userId) and "
            "look in the activity timeline. If it does not show after a minute, the profile may "
            "exist under a different identifier (userId vs anonymousId), or an attribute's type "
            "differs from its first-ever value."
        ),
        fix="Wait a moment, then check that event and user tracking use the same userId.",
    )


_REFUSALS = frozenset(
    {
        Outcome.AUTH,
        Outcome.NOT_FOUND,
        Outcome.MISSING_IDENTITY,
        Outcome.RESERVED_NAME,
        Outcome.BAD_REQUEST,
    }
)
"""The outcomes where WebEngage answered and refused: retrying will not help, a change will."""


def _auth_hint(host: str, status: int | None, said: str) -> Hint:
    """401/403: the key, or the data centre it belongs to."""
    return Hint(
        title=f"Rejected ({status}): the key was not accepted on {host}.",
        detail=(
            "Either this host is not your account's data centre (the dashboard URL tells: "
            "dashboard.webengage.com = Global, dashboard.in.webengage.com = India, "
            "dashboard.ksa.webengage.com = KSA), or the REST API key belongs to an admin "
            "without the Account Management and Update Data permissions (or one since removed)."
            + said
        ),
        fix=(
            "Confirm the data centre matches your dashboard's region, then copy the key of a fully "
            "permissioned Account Admin from Data Platform > Integrations > REST API. "
            "`webengage-debugger diagnose` probes all three data centres for you."
        ),
        fix_in_app=(
            "Confirm the data centre (the Data centre selector, F2) matches your dashboard's "
            "region, then copy the key of a fully permissioned Account Admin from Data "
            "Platform > Integrations > REST API. Diagnose (ctrl+p) probes all three data "
            "centres for you."
        ),
    )


def _refusal_hint(
    outcome: Outcome, *, host: str, license_code: str, status: int | None, said: str
) -> Hint:
    """The hint for one of `_REFUSALS`: what in the configuration or the body to change."""
    if outcome is Outcome.AUTH:
        return _auth_hint(host, status, said)
    if outcome is Outcome.NOT_FOUND:
        return Hint(
            title=f"Not found (404): no account '{license_code}' on {host}.",
            detail="The license code is wrong, or the account lives in another data centre." + said,
            fix=(
                "Re-copy the License Code from Data Platform > Integrations > REST API and confirm the "
                "data centre matches your dashboard URL (`webengage-debugger diagnose` checks all three)."
            ),
            fix_in_app=(
                "Re-copy the License Code from Data Platform > Integrations > REST API into the "
                "credentials (F2) and confirm the data centre matches your dashboard URL "
                "(Diagnose, in the palette ctrl+p, checks all three)."
            ),
        )
    if outcome is Outcome.MISSING_IDENTITY:
        return Hint(
            title="Rejected (400): the event has neither userId nor anonymousId.",
            detail="WebEngage attaches every event to a profile and could not tell whose this is."
            + said,
            fix=(
                "Make sure the pipeline collects anonymous_id (and user_id once the visitor is known) "
                "before this event fires."
            ),
        )
    if outcome is Outcome.RESERVED_NAME:
        return Hint(
            title="Rejected (400): an attribute name uses the reserved 'we_' prefix.",
            detail="Names starting with we_ belong to WebEngage's own system attributes." + said,
            fix="Rename the property in the blueprint mapping so it does not start with we_.",
        )
    if "invalid resource" in said.lower():
        return _resource_hint(license_code, status, said)
    return Hint(
        title=f"Rejected ({status}): WebEngage did not accept the request.",
        detail=said.strip() or "WebEngage gave no message.",
        fix=f"Check the license code ('{license_code}') and the body against the findings in the preview.",
    )


def _resource_hint(license_code: str, status: int | None, said: str) -> Hint:
    """400 "Invalid resource/parameters": most often a URL whose last part is not one of the four
    resources (`/event`, `/user`); WebEngage's words cover a bad parameter too."""
    resources = ", ".join(e.value for e in Endpoint)
    return Hint(
        title=f"Rejected ({status}): not a WebEngage resource, or an invalid parameter.",
        detail=(
            "The path after the license code is not a WebEngage resource: it must be one of "
            f"{resources} (/event and /user are not). If the path is right, a parameter in the "
            "body is invalid." + said
        ),
        fix=(
            f"Post to /v1/accounts/{license_code}/events (or users, bulk-events, bulk-users) on "
            "the API host, with nothing after it; then check the body against the preview's findings."
        ),
    )


def _retried_hint(outcome: Outcome, *, status: int | None, said: str, retried: str) -> Hint:
    """Rate limited or server error: the tool already retried, so the hint says what else helps."""
    if outcome is Outcome.RATE_LIMITED:
        return Hint(
            title=f"Rate limited (429){retried}.",
            detail=(
                f"WebEngage allows {CALLS_PER_MINUTE:,} requests a minute per account on /events and "
                "/users (500 on the bulk endpoints). The tool retried with backoff, honouring "
                "Retry-After when present."
            ),
            fix="Reduce bursts (replay paces itself), or ask WebEngage to raise the account's limit.",
        )
    return Hint(
        title=f"Server error ({status}){retried}.",
        detail=(
            "WebEngage, or a proxy in front of it, failed. It was retried with backoff; the same "
            "x-request-id was sent each time, so WebEngage ingests it at most once." + said
        ),
        fix="Try again shortly; if it persists, check WebEngage's status and contact support with the evidence pack.",
    )


def _network_hint(host: str, failure: NetworkFailure, message: str | None, retried: str) -> Hint:
    if failure is NetworkFailure.DNS and DataCentre.from_host(host) is not None:
        # WebEngage's own name cannot be misspelt: this machine cannot resolve names at all.
        return Hint(
            title=f"Network error (dns){retried}: no response from {host}.",
            detail=(
                f"{host} is WebEngage's own API host, so it is not misspelt: this machine could "
                "not resolve it, which means no DNS or no network here."
                + (f" ({message})" if message else "")
            ),
            fix="Check this machine's network, DNS, VPN or proxy, then retry.",
        )
    detail = {
        NetworkFailure.DNS: f"The name {host} does not resolve: it is misspelt, or DNS is unreachable.",
        NetworkFailure.REFUSED: f"Nothing is listening at {host}: the host or port is wrong, or the service is down.",
        NetworkFailure.TIMEOUT: f"{host} did not answer in time: a firewall, a proxy or a slow network.",
        NetworkFailure.TLS: f"The TLS handshake with {host} failed: wrong port or scheme, or a proxy intercepting TLS.",
        NetworkFailure.RESET: f"{host} closed the connection mid-request: a proxy or load balancer dropped it.",
        NetworkFailure.OTHER: f"The request to {host} failed before any response came back.",
    }[failure]
    fix = {
        NetworkFailure.DNS: "Check the spelling: api.webengage.com, api.in.webengage.com or api.ksa.webengage.com.",
        NetworkFailure.REFUSED: "Check the host and port; for the sandbox, check that it is running.",
        NetworkFailure.TIMEOUT: "Check connectivity to the host (curl it), proxies and firewalls; then retry.",
        NetworkFailure.TLS: "Use https:// with the official hosts; for a local sandbox use http://.",
        NetworkFailure.RESET: "Retry; if it persists, check proxies between you and WebEngage.",
        NetworkFailure.OTHER: "Check the host and your network, then retry.",
    }[failure]
    return Hint(
        title=f"Network error ({failure.value}){retried}: no response from {host}.",
        detail=detail + (f" ({message})" if message else ""),
        fix=fix,
    )
