"""The sandbox's HTTP application: WebEngage's four endpoints, plus /sandbox/* to inspect and steer it.

The API handler checks a request in the order WebEngage's answers imply, and `diagnose` relies on
it: (1) the data centre addressed by the Host header, (2) the Bearer key, (3) the license code,
(4) the account's rate limit, (5) the body, (6) the `x-request-id` of an earlier ingested request.
A resource that is not one of the four (`/v1/accounts/<license>/event`) is a 400 right after (3);
a URL outside `/v1/accounts/<license code>/<resource>` is a 404.

`/sandbox/*` (tui/sandbox/control.py) is guarded by the middleware before any handler runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import logging
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tui.safe_text import visible
from tui.sandbox import control
from tui.sandbox.answers import (
    ADMIN_TOKEN,
    CLIENT_GONE,
    NOTE,
    RESET,
    STATE,
    BodyTimeout,
    error_response,
    json_response,
    read_body,
    timed_out,
)
from tui.sandbox.models import Fault, FaultKind, SandboxAccount
from tui.sandbox.rules import Rejected, check, parse_body
from tui.sandbox.state import SandboxState
from tui.webengage.api import QUEUED_BODY, DataCentre, Endpoint

logger = logging.getLogger(__name__)

UNAUTHORIZED = "Unauthorized: invalid API key."
"""One message for an unknown key, a restricted key and a key from another data centre: WebEngage
cannot tell them apart either, which is why the "auth" hint lists every cause."""


@dataclass(frozen=True)
class RequestRecord:
    """One line of the sandbox's request log (never the key)."""

    method: str
    path: str
    status: int | None  # None: nothing was answered (a reset fault, or the client went away)
    latency_ms: float
    note: str = ""


ON_REQUEST: web.AppKey[Callable[[RequestRecord], None]] = web.AppKey("on_request")


def create_app(
    state: SandboxState,
    on_request: Callable[[RequestRecord], None] | None = None,
    *,
    admin_token: str,
) -> web.Application:
    app = web.Application(
        middlewares=[_answer_in_json], client_max_size=state.config.max_body_bytes
    )
    app[STATE] = state
    app[ADMIN_TOKEN] = admin_token
    if on_request is not None:
        app[ON_REQUEST] = on_request
    app.router.add_post("/v1/accounts/{license_code}/{endpoint}", handle_api)
    control.add_routes(app)
    return app


@web.middleware
async def _answer_in_json(
    request: web.Request, handler: Callable[[web.Request], Any]
) -> web.StreamResponse:
    """Every answer is JSON with a message (aiohttp's own 404/405 are text), and every request is
    logged once. `/sandbox/*` is guarded first (`control.refuse_control`). A client that hangs
    up mid-request is logged as gone; any other unexpected exception is a sandbox bug: a 500
    that says so."""
    started = time.perf_counter()
    try:
        refused = control.refuse_control(request)  # (a Response is a mapping: falsy, so no `or`)
        response: web.StreamResponse = refused if refused is not None else await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = error_response(exc.status, _explain(request, exc))
    except BodyTimeout as exc:
        response = timed_out(exc)
    except ConnectionError:
        # ConnectionResetError (aiohttp's ClientConnectionResetError is one) while reading the
        # body: the client is gone, nothing can be answered, and the sandbox did nothing wrong.
        _client_gone(request)
        response = web.Response(status=204)  # never written: the transport is gone
    except asyncio.CancelledError:
        if request.get(NOTE) == CLIENT_GONE:  # cancelled while reading the body (see read_body)
            _client_gone(request)
            _record(request, None, started)
        raise
    except Exception as exc:
        logger.exception("sandbox bug handling %s %s", _safe(request.method), _safe(request.path))
        response = error_response(500, f"Sandbox bug: {type(exc).__name__}: {exc}")
    _record(request, response.status, started)
    return response


def _safe(text: str) -> str:
    """A request's method or path as a log message may hold it: control characters escaped."""
    return visible(text, one_line=True)


def _client_gone(request: web.Request) -> None:
    request[NOTE] = CLIENT_GONE
    logger.info("%s during %s %s", CLIENT_GONE, _safe(request.method), _safe(request.path))


def _record(request: web.Request, status: int | None, started: float) -> None:
    on_request = request.app.get(ON_REQUEST)
    if on_request is None:
        return
    note = str(request.get(NOTE, ""))
    if note in (RESET, CLIENT_GONE):
        status = None
    latency_ms = (time.perf_counter() - started) * 1000
    try:
        on_request(RequestRecord(request.method, request.path, status, latency_ms, note))
    except Exception:
        logger.exception("sandbox on_request callback failed")


def _explain(request: web.Request, exc: web.HTTPException) -> str:
    if isinstance(exc, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(exc.allowed_methods))
        return f"Method not allowed: {request.method} {request.path} (allowed: {allowed})."
    if isinstance(exc, web.HTTPNotFound):
        return (
            f"Not found: {request.path}. WebEngage's endpoints are POST "
            "/v1/accounts/<license code>/{events,users,bulk-events,bulk-users}."
        )
    if isinstance(exc, web.HTTPRequestEntityTooLarge):
        return f"Request body too large: {exc.text}"
    return f"{exc.reason}: {exc.text or request.path}"


def _bearer(value: str | None) -> tuple[str | None, str]:
    """The key from `Authorization: Bearer <key>`, or None and why not."""
    if not value or not value.strip():
        return (
            None,
            "Unauthorized: no Authorization header; send 'Authorization: Bearer <REST API key>'.",
        )
    scheme, _, key = value.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key or " " in key:
        return None, "Unauthorized: the Authorization header must be 'Bearer <REST API key>'."
    return key, ""


async def handle_api(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    try:
        endpoint = Endpoint(request.match_info["endpoint"])
    except ValueError:
        return await _unknown_resource(request, state)
    fault = state.next_fault()
    if fault is not None:
        if fault.delay_s:
            await asyncio.sleep(fault.delay_s)
        if fault.kind is not FaultKind.LATENCY:
            return await _faulty_answer(request, fault, endpoint)
    return await _answer(request, state, endpoint)


def _account_for(
    request: web.Request, state: SandboxState, license_code: str
) -> SandboxAccount | web.Response:
    """Checks (1) to (3): the account the request may act for, or the 401/404 WebEngage sends."""
    host = request.headers.get("Host", "")
    # (1) An official host answers for its own data centre's accounts only; loopback or a custom
    # host stands for the home data centre of whichever account the request names.
    addressed = DataCentre.from_host(host)
    accounts = [a for a in state.config.accounts if addressed is None or a.data_centre is addressed]
    # (2) The key.
    key, why = _bearer(request.headers.get("Authorization"))
    if key is None:
        return error_response(401, why)
    owner = next((a for a in accounts if a.owns_key(key)), None)
    if owner is None or owner.is_restricted(key):
        return error_response(401, UNAUTHORIZED)
    # (3) The license code.
    account = next((a for a in accounts if a.license_code == license_code), None)
    if account is None:
        return error_response(
            404, f"Not found: no account with license code '{license_code}' on this data centre."
        )
    if account is not owner:
        return error_response(
            401, f"Unauthorized: the API key is not valid for license code '{license_code}'."
        )
    return account


def _invalid_resource(resource: str) -> str:
    """WebEngage's 400 for a path under /v1/accounts/<license code>/ that names no resource."""
    shown = visible(resource[:60], one_line=True)
    return (
        f"Invalid resource/parameters: '{shown}' is not a WebEngage resource; the path after the "
        f"license code must be one of {', '.join(e.value for e in Endpoint)}."
    )


async def _unknown_resource(request: web.Request, state: SandboxState) -> web.StreamResponse:
    """`/v1/accounts/<license>/event`: WebEngage answers 400 ("Invalid resource/parameters"),
    once the host, key and license code have passed; no fault, rate window or body is involved.
    (404 is for a URL that is not under /v1/accounts/<license code>/ at all.)"""
    account = _account_for(request, state, request.match_info["license_code"])
    if isinstance(account, web.Response):
        return account
    return error_response(400, _invalid_resource(request.match_info["endpoint"]))


async def _answer(
    request: web.Request, state: SandboxState, endpoint: Endpoint
) -> web.StreamResponse:
    license_code = request.match_info["license_code"]
    host = request.headers.get("Host", "")
    account = _account_for(request, state, license_code)
    if isinstance(account, web.Response):
        return account
    # (4) The rate limit, reported on every answer from here on.
    decision = state.rate_check(account.license_code, endpoint)
    headers = {
        "X-RateLimit-Limit": str(decision.limit),
        "X-RateLimit-Remaining": str(decision.remaining),
    }
    if not decision.allowed:
        return error_response(
            429,
            f"Too many requests: over {decision.limit} requests per "
            f"{state.config.window_s:g} s on /{endpoint.value} for this account.",
            headers,
        )
    # (5) The body.
    try:
        raw = await read_body(request)
    except web.HTTPRequestEntityTooLarge:
        return error_response(
            413,
            f"Request body too large: at most {state.config.max_body_bytes} bytes.",
            headers,
        )
    except BodyTimeout as exc:
        return timed_out(exc, headers)
    try:
        stored = check(endpoint, parse_body(raw))
    except Rejected as exc:
        return error_response(400, exc.message, headers)
    # (6) A repeat of an ingested x-request-id is answered as before but not stored again.
    request_id = request.headers.get("x-request-id", "").strip() or None
    record = {
        "received_at": datetime.now(UTC).isoformat(),
        "endpoint": endpoint.value,
        "license_code": account.license_code,
        "host": host,
        "request_id": request_id,
        "body": stored,
    }
    if not state.ingest(record, request_id):
        request[NOTE] = "duplicate"
        headers["X-Sandbox-Duplicate"] = "true"
    return json_response(QUEUED_BODY, status=state.config.success_status, headers=headers)


_HTML_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


async def _faulty_answer(
    request: web.Request, fault: Fault, endpoint: Endpoint
) -> web.StreamResponse:
    request[NOTE] = f"fault: {fault.kind.value}"
    await read_body(request)  # the client has sent its request; the failure is in the answer
    status = fault.effective_status
    if fault.kind is FaultKind.RESET or status is None:
        request[NOTE] = RESET
        _reset(request)
        return web.Response(status=204)  # never written: the transport is gone
    reason = _reason(status)
    headers: dict[str, str] = {}
    if fault.retry_after_s is not None:
        headers["Retry-After"] = f"{fault.retry_after_s:g}"
    if fault.kind is FaultKind.HTML:
        page = fault.body or _HTML_PAGE.format(status=status, reason=reason)
        return web.Response(status=status, text=page, content_type="text/html", headers=headers)
    if fault.kind is FaultKind.NOT_JSON:
        return web.Response(
            status=status, text=fault.body or "OK", content_type="text/plain", headers=headers
        )
    if fault.kind is FaultKind.RATE_LIMIT:
        config = request.app[STATE].config
        limit = config.bulk_rate_limit if endpoint.is_bulk else config.rate_limit
        headers |= {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0"}
    if fault.empty_body:
        return web.Response(status=status, body=b"", headers=headers)
    if fault.body is not None:
        return web.Response(status=status, text=fault.body, headers=headers)
    return error_response(status, reason, headers)


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _reset(request: web.Request) -> None:
    """Abort the connection with a TCP RST (SO_LINGER 0), the way a dropping proxy does."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
