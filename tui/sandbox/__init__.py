"""The sandbox: a WebEngage-compatible server on loopback for tests, demos and `--sandbox`.

    with Sandbox() as sandbox:               # or `async with`, or start()/stop()
        connection = Connection(license_code=DEMO_LICENSE_CODE,
                                api_key=SecretStr(DEMO_API_KEY), route_to=sandbox.url)
        sandbox.inject(Fault(kind=FaultKind.SERVER_ERROR, times=2))
        ...
        sandbox.accepted()                   # what arrived, oldest first

The API (`POST /v1/accounts/<license>/{events,users,bulk-events,bulk-users}`) checks, in order:
the data centre named by the Host header (an official host knows only its own accounts: 401 for
the others; a loopback or custom host is every account's home), the Bearer key (401), the license
code (404 unknown; 401 when it is another account's), the resource (400 "Invalid
resource/parameters" for one not of the four, e.g. `/event`), the rate limit per account and endpoint
(429; `X-RateLimit-Limit`/`-Remaining` on every answer from here on), the body (400 with a
message), then `x-request-id` (a repeat of an ingested id: 200 queued, not stored again).

Steering over HTTP, for another process: `GET /sandbox` (status: license codes and data centres,
never keys), `GET|DELETE /sandbox/events` (the newest `keep_events`; `X-Sandbox-Dropped` counts
older ones dropped), `GET|POST|DELETE /sandbox/faults` (POST a Fault as JSON, e.g.
`{"kind": "rate_limit", "retry_after_s": 1, "times": 2}`, or an array of them), `POST
/sandbox/reset`. Each needs the per-run admin token, `X-Sandbox-Token: <Sandbox.admin_token>`
(`sandbox.admin_headers`); a browser request from any other origin is refused (403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.sandbox.models import (
    DEFAULT_CLI_PORT,
    DEMO_API_KEY,
    DEMO_LICENSE_CODE,
    Fault,
    FaultKind,
    SandboxAccount,
    SandboxConfig,
    demo_account,
)

if TYPE_CHECKING:
    from tui.sandbox.app import RequestRecord
    from tui.sandbox.server import Sandbox, SandboxError

_LAZY = {"RequestRecord": "app", "Sandbox": "server", "SandboxError": "server"}
"""Names whose modules import aiohttp (~0.1 s): loaded on first use, so the TUI can fill in the
demo account (`DEMO_*`) and paint before the server's code is even imported."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"tui.sandbox.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_CLI_PORT",
    "DEMO_API_KEY",
    "DEMO_LICENSE_CODE",
    "Fault",
    "FaultKind",
    "RequestRecord",
    "Sandbox",
    "SandboxAccount",
    "SandboxConfig",
    "SandboxError",
    "demo_account",
]
