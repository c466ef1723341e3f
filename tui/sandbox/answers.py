"""What the sandbox's handlers share: the app's keys, WebEngage's JSON answers, and reading a body
within the read timeout (a stalled body is a 408; a client that hangs up is gone, not a bug)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from tui.sandbox.state import SandboxState

STATE = web.AppKey("state", SandboxState)
ADMIN_TOKEN = web.AppKey("admin_token", str)
NOTE = web.RequestKey("sandbox_note", str)
"""A word for the request log: "duplicate", "fault: html", RESET, CLIENT_GONE."""
RESET = "reset"
CLIENT_GONE = "client went away"
"""The note of a request whose client hung up before it was answered: no bug, no status."""


class BodyTimeout(Exception):
    """The body did not arrive within `read_timeout_s`: a 408, and the connection closed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the body did not arrive within {seconds:g} s")
        self.seconds = seconds


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Compact JSON, byte for byte what WebEngage sends: `{"response":{"status":"queued"}}`.

    Text that holds a lone surrogate (a `\\ud800` escape parsed from a request) has no UTF-8
    form: then the whole answer is ASCII with `\\u` escapes, still exact JSON, never a 500."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return web.Response(
        body=data,
        status=status,
        headers=headers,
        content_type="application/json",
        charset="utf-8",
    )


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """WebEngage's error body: `{"response":{"status":"error","message":...}}`."""
    body = {"response": {"status": "error", "message": message}}
    return json_response(body, status=status, headers=headers)


async def read_body(request: web.Request) -> bytes:
    """The whole body, within `read_timeout_s` (else BodyTimeout): a client that sends headers
    and then stalls does not hold a handler forever. A client that hangs up meanwhile raises
    ConnectionResetError, or cancels the handler; either way the middleware logs it as gone."""
    seconds = request.app[STATE].config.read_timeout_s
    try:
        async with asyncio.timeout(seconds):
            return await request.read()
    except TimeoutError:
        raise BodyTimeout(seconds) from None
    except asyncio.CancelledError:
        request[NOTE] = CLIENT_GONE
        raise


def timed_out(exc: BodyTimeout, headers: dict[str, str] | None = None) -> web.Response:
    """What nginx answers a stalled body with (`client_body_timeout`): 408, then it hangs up."""
    response = error_response(408, f"Request timeout: {exc}.", headers)
    response.force_close()
    return response
