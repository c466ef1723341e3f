"""`/sandbox/*`: the sandbox's own control surface (status, accepted events, faults, reset), not
WebEngage's. Guarded: a request needs the per-run admin token in `X-Sandbox-Token` (401 without
it), and one a browser sends from any other origin is refused (403), so a web page the user
visits can neither read nor steer the sandbox."""

from __future__ import annotations

import contextlib
import hmac
import ipaddress

from aiohttp import web
from pydantic import TypeAdapter, ValidationError

from tui.sandbox.answers import ADMIN_TOKEN, STATE, error_response, json_response, read_body
from tui.sandbox.models import ADMIN_TOKEN_HEADER, Fault, SandboxAccount

_FAULTS = TypeAdapter(Fault | list[Fault])
_SAME_ORIGIN_FETCH = frozenset({"same-origin", "none"})
"""`Sec-Fetch-Site` values a browser sends for the sandbox's own pages or a typed-in address."""


def add_routes(app: web.Application) -> None:
    app.router.add_get("/sandbox", handle_status)
    app.router.add_get("/sandbox/health", handle_status)
    app.router.add_get("/sandbox/events", handle_events)
    app.router.add_delete("/sandbox/events", handle_clear_events)
    app.router.add_get("/sandbox/faults", handle_faults)
    app.router.add_post("/sandbox/faults", handle_inject)
    app.router.add_delete("/sandbox/faults", handle_clear_faults)
    app.router.add_post("/sandbox/reset", handle_reset)


def is_control(path: str) -> bool:
    return path == "/sandbox" or path.startswith("/sandbox/")


def refuse_control(request: web.Request) -> web.Response | None:
    """The 403 or 401 for a `/sandbox/*` request a browser page sent, or one without the admin
    token; None when it may go on (and for WebEngage's own endpoints, which the key guards).

    The token is what matters: a page cannot read it, and cannot set a custom header on a
    cross-origin request without a CORS preflight the sandbox never grants. Refusing a foreign
    `Origin` (or a `Sec-Fetch-Site` other than same-origin) also stops a DNS-rebound page early.
    """
    if not is_control(request.path):
        return None
    origin = request.headers.get("Origin")
    if origin is not None and origin.strip().lower() not in _own_origins(request):
        return error_response(
            403,
            "Forbidden: the sandbox's control endpoints answer no web page of another origin "
            f"(this request came from {origin.strip()[:100]!r}).",
        )
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site.strip().lower() not in _SAME_ORIGIN_FETCH:
        return error_response(
            403,
            f"Forbidden: the sandbox's control endpoints answer no {fetch_site.strip()[:20]} "
            "request from a web page.",
        )
    given = request.headers.get(ADMIN_TOKEN_HEADER, "").strip()
    expected = request.app[ADMIN_TOKEN]
    if not given or not hmac.compare_digest(
        given.encode("utf-8", "replace"), expected.encode("utf-8")
    ):
        why = "no" if not given else "the wrong"
        return error_response(
            401,
            f"Unauthorized: {why} {ADMIN_TOKEN_HEADER} header. The /sandbox/* endpoints need the "
            "sandbox's admin token (printed by `webengage-debugger sandbox` at start-up; "
            "`Sandbox.admin_token` in Python).",
        )
    return None


def _own_origins(request: web.Request) -> frozenset[str]:
    """The origins a page served by this sandbox would have: its address and port (and, on
    loopback, the other names of loopback)."""
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    if not sockname:
        return frozenset()
    address, port = str(sockname[0]), int(sockname[1])
    hosts = {address, request.app[STATE].config.host}
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(address).is_loopback:
            hosts |= {"127.0.0.1", "localhost", "::1"}
    return frozenset(
        f"http://{f'[{host}]' if ':' in host else host}:{port}".lower() for host in hosts
    )


def _public_account(account: SandboxAccount) -> dict[str, str]:
    return {
        "license_code": account.license_code,
        "data_centre": account.data_centre.value,
        "api_host": account.data_centre.api_host,
    }


async def handle_status(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    config = state.config
    return json_response(
        {
            "status": "ok",
            "accounts": [_public_account(a) for a in config.accounts],
            "rate_limit": config.rate_limit,
            "bulk_rate_limit": config.bulk_rate_limit,
            "window_s": config.window_s,
            "accepted": len(state.accepted()),
            "dropped": state.dropped,
            "keep_events": config.keep_events,
            "duplicates": state.duplicates,
            "pending_faults": len(state.pending_faults()),
        }
    )


async def handle_events(request: web.Request) -> web.StreamResponse:
    """What it accepted, oldest first; `X-Sandbox-Dropped`: how many older ones were dropped to
    keep the newest `keep_events` (`X-Sandbox-Keep`)."""
    state = request.app[STATE]
    events, dropped = state.accepted_and_dropped()
    headers = {"X-Sandbox-Dropped": str(dropped), "X-Sandbox-Keep": str(state.config.keep_events)}
    return json_response(events, headers=headers)


async def handle_clear_events(request: web.Request) -> web.StreamResponse:
    return json_response({"cleared": request.app[STATE].clear_accepted()})


async def handle_faults(request: web.Request) -> web.StreamResponse:
    return json_response(request.app[STATE].pending_faults())


async def handle_inject(request: web.Request) -> web.StreamResponse:
    """Queue one fault (a JSON object) or several (an array), in order."""
    raw = await read_body(request)
    try:
        parsed = _FAULTS.validate_json(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        return error_response(400, f"Invalid fault: {problems}")
    faults = parsed if isinstance(parsed, list) else [parsed]
    request.app[STATE].inject(*faults)
    return json_response({"queued": len(faults)})


async def handle_clear_faults(request: web.Request) -> web.StreamResponse:
    return json_response({"cleared": request.app[STATE].clear_faults()})


async def handle_reset(request: web.Request) -> web.StreamResponse:
    request.app[STATE].reset()
    return json_response({"reset": True})
