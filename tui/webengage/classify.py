"""How an HTTP answer or a network failure becomes an Outcome (PRODUCT.md §5), as pure functions.

Kept apart from the client so the table can be read, and tested, without any I/O.
"""

from __future__ import annotations

import errno
import json
import re
import socket
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from tui.webengage.outcomes import NetworkFailure, Outcome


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date. None when absent/garbled."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _error_message(body: str) -> str | None:
    """WebEngage's `response.message` (or a top-level message), when the body is its JSON."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    response = data.get("response")
    for holder in (response, data):
        if isinstance(holder, dict):
            for key in ("message", "error", "errorMessage"):
                if isinstance(holder.get(key), str):
                    return str(holder[key])
    return None


def classify_response(status: int, body: str) -> tuple[Outcome, str | None]:
    """The outcome of an HTTP answer (PRODUCT.md §5), with WebEngage's message when it gave one."""
    message = _error_message(body)
    if 200 <= status < 300:
        try:
            data: Any = json.loads(body)
        except ValueError:
            return Outcome.BAD_RESPONSE, None
        response = data.get("response") if isinstance(data, dict) else None
        if isinstance(response, dict) and response.get("status") == "queued":
            return Outcome.ACCEPTED, None
        return Outcome.BAD_RESPONSE, message
    if status < 200 or 300 <= status < 400:
        # WebEngage never redirects: a 3xx is a proxy, a captive portal or a wrong custom host.
        return Outcome.BAD_RESPONSE, message
    if status in (401, 403):
        return Outcome.AUTH, message
    if status == 404:
        return Outcome.NOT_FOUND, message
    if status == 429:
        return Outcome.RATE_LIMITED, message
    if status >= 500:
        return Outcome.SERVER_ERROR, message
    lowered = (message or "").lower()
    if lowered.startswith("invalid resource"):  # a wrong path: its hint says so (whatever it holds)
        return Outcome.BAD_REQUEST, message
    if "userid" in lowered and "anonymousid" in lowered and "empty" in lowered:
        return Outcome.MISSING_IDENTITY, message
    if "reserved" in lowered or re.search(r"\bwe_", lowered):
        return Outcome.RESERVED_NAME, message
    return Outcome.BAD_REQUEST, message


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


_DNS_TEXT = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated",
    "getaddrinfo failed",
)


def classify_exception(error: BaseException) -> tuple[NetworkFailure, str, bool]:
    """How the network failed, a plain message, and whether trying again could help."""
    chain = _chain(error)
    text = " | ".join(str(e) for e in chain).lower()
    if isinstance(error, httpx.TimeoutException):
        kind = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for the response",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(error), "")
        return NetworkFailure.TIMEOUT, f"timed out {kind}".strip(), True
    for link in chain:
        if isinstance(link, socket.gaierror):
            transient = link.errno == getattr(socket, "EAI_AGAIN", None)
            return NetworkFailure.DNS, f"DNS lookup failed: {link.strerror or link}", transient
    if any(marker in text for marker in _DNS_TEXT):
        return NetworkFailure.DNS, "DNS lookup failed", "temporary failure" in text
    for link in chain:
        if isinstance(link, ssl.SSLError | ssl.CertificateError):
            return NetworkFailure.TLS, f"TLS failed: {link}", False
    if "ssl" in text or "certificate" in text:
        return NetworkFailure.TLS, "TLS failed", False
    for link in chain:
        if (
            isinstance(link, ConnectionRefusedError)
            or getattr(link, "errno", None) == errno.ECONNREFUSED
        ):
            return NetworkFailure.REFUSED, "connection refused", True
    if isinstance(error, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError) or any(
        isinstance(link, ConnectionResetError | BrokenPipeError) for link in chain
    ):
        return NetworkFailure.RESET, "the connection was closed before a full response", True
    if isinstance(error, httpx.ConnectError):
        return NetworkFailure.OTHER, f"could not connect: {error}", True
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return NetworkFailure.OTHER, f"invalid URL: {error}", False
    if isinstance(error, httpx.LocalProtocolError):
        return NetworkFailure.OTHER, f"the request could not be sent: {error}", False
    return NetworkFailure.OTHER, f"{type(error).__name__}: {error}", False
