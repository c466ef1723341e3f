"""The listener's request handler: origin check, CORS, reading within limits, answering.

A web page the user happens to visit can post to 127.0.0.1 too: a request that carries an
`Origin` is refused (403) unless that origin was allowed (`--allow-origin`), and only allowed
origins get CORS headers and an answer to their preflight. Server-side SDKs and curl send no
`Origin` and are accepted. The write key is accepted whatever it is (there is no account behind
it) and never shown in full. Every refusal is reported (`on_refused`), never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import ClientPayloadError, web
from aiohttp.http_exceptions import HttpProcessingError

from tui.live.collector import (
    BATCH_MAX,
    EVENT_MAX,
    Refusal,
    Refused,
    answer_body,
    check_content_type,
    check_encoding,
    decompress,
    read_call,
    route,
    too_large,
)
from tui.live.intake import Intake
from tui.safe_text import visible
from tui.webengage.entry import utc_now

READ_TIMEOUT_S = 30.0
CHUNK = 64 * 1024
PREFLIGHT_HEADERS = (
    "Authorization, Content-Type, Content-Encoding, AnonymousId, SentAt, Rsa-Recovered, "
    "Rsa-Retry-Attempt, Rsa-Since-Last-Attempt, X-Retry-Count, Accept"
)
"""What the browser SDKs add (analytics.js: X-Retry-Count; RudderStack v3: AnonymousId, SentAt,
Rsa-*), allowed when the preflight does not list what it wants."""
JSON = "application/json; charset=utf-8"
USAGE = (
    "webengage-debugger listener: POST Segment / RudderStack calls to /v1/batch, /v1/track, "
    "/v1/page, /v1/identify, /v1/screen, /v1/group, /v1/alias (or analytics.js's /v1/t, /v1/b, "
    "...), or Signal events to /events.\n"
)


@dataclass(frozen=True, slots=True)
class RefusedRequest:
    """A request the listener answered with an error (nothing in it was taken)."""

    method: str
    path: str
    refusal: Refusal
    origin: str | None = None
    at: datetime = field(default_factory=utc_now)

    def line(self) -> str:
        """`POST /v1/batch refused 400: malformed JSON (...)`, safe for a terminal."""
        refusal = self.refusal
        text = f"{self.method} {self.path} refused {refusal.status}: {refusal.message}"
        return visible(text, one_line=True)


OnRefused = Callable[[RefusedRequest], None]


class CollectorHandler:
    """Handles every request the listener receives; `intake` takes the events read."""

    def __init__(
        self,
        intake: Intake,
        *,
        origins: frozenset[str] = frozenset(),
        on_refused: OnRefused | None = None,
        on_error: Callable[[str], None] | None = None,
        read_timeout_s: float = READ_TIMEOUT_S,
        batch_max: int = BATCH_MAX,
        event_max: int = EVENT_MAX,
    ) -> None:
        self.intake = intake
        self.origins = origins
        self.on_refused = on_refused
        self.on_error = on_error
        self.read_timeout_s = read_timeout_s
        self.batch_max = batch_max
        self.event_max = event_max

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Every request: one answer, never an exception."""
        origin = request.headers.get("Origin")
        allowed = origin is not None and origin in self.origins
        try:
            response = await self._answer(request, origin, allowed)
        except asyncio.CancelledError:
            raise
        except Refused as refused:
            response = self._refuse(request, refused.refusal, origin)
        except Exception as error:  # a listener bug: said in plain words, never a traceback
            what = f"{type(error).__name__}: {error}"
            if self.on_error is not None:
                with contextlib.suppress(Exception):
                    self.on_error(visible(f"listener bug on {request.path}: {what}", one_line=True))
            response = self._refuse(request, Refusal(500, "listener_bug", what[:200]), origin)
        if allowed and origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
        if origin is not None:
            response.headers["Vary"] = "Origin"
        return response

    async def _answer(
        self, request: web.Request, origin: str | None, allowed: bool
    ) -> web.Response:
        if origin is not None and not allowed:
            raise Refused(
                403,
                "origin_not_allowed",
                f"requests from the web page at {origin[:100]} are refused (so no page you visit "
                f"can send events here); start the listener with --allow-origin {origin[:100]}",
            )
        if request.method == "OPTIONS":
            return self._preflight(request)
        if request.method in ("GET", "HEAD") and request.path == "/":
            return web.Response(text=USAGE, content_type="text/plain")
        kind = route(request.path)
        if kind is None:
            raise Refused(
                404, "not_found", f"no endpoint {request.path[:80]} here; {USAGE[28:].strip()}"
            )
        if request.method != "POST":
            raise Refused(405, "method_not_allowed", f"{request.method} {request.path}: use POST")
        check_content_type(request.headers.get("Content-Type", ""), kind)
        encoding = request.headers.get("Content-Encoding", "")
        check_encoding(encoding)
        limit = self.batch_max if kind in ("batch", "events") else self.event_max
        data = decompress(await self._read(request, limit), encoding, limit)
        call = read_call(
            request.path,
            kind,
            data,
            authorization=request.headers.get("Authorization", ""),
            query_key=request.query.get("writeKey", ""),
        )
        self.intake.take(call)
        if call.refused_events:
            message = next(iter(call.refused_events.values()))
            raise Refused(400, "event_too_large", message)
        return web.Response(body=answer_body(None), content_type="application/json")

    def _preflight(self, request: web.Request) -> web.Response:
        asked = request.headers.get("Access-Control-Request-Headers", "")
        headers = {
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": asked[:1000] or PREFLIGHT_HEADERS,
            "Access-Control-Max-Age": "600",
            "Allow": "POST, OPTIONS",
        }
        if request.headers.get("Access-Control-Request-Private-Network", "").lower() == "true":
            headers["Access-Control-Allow-Private-Network"] = "true"  # Chrome's loopback check
        return web.Response(status=204, headers=headers)

    async def _read(self, request: web.Request, limit: int) -> bytes:
        """The whole body, or `Refused` (413 over `limit`, 408 too slow, 400 cut short)."""
        if request.content_length is not None and request.content_length > limit:
            raise too_large(limit)
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.read_timeout_s):
                async for chunk in request.content.iter_chunked(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise too_large(limit)
                    chunks.append(chunk)
        except TimeoutError:
            seconds = f"{self.read_timeout_s:g}"
            raise Refused(408, "timeout", f"the body did not arrive within {seconds} s") from None
        except (ConnectionError, ClientPayloadError, HttpProcessingError):
            raise Refused(400, "incomplete", "the body did not arrive whole") from None
        return b"".join(chunks)

    def _refuse(self, request: web.Request, refusal: Refusal, origin: str | None) -> web.Response:
        if self.on_refused is not None:
            refused = RefusedRequest(request.method, request.path, refusal, origin)
            try:
                self.on_refused(refused)
            except Exception as error:
                if self.on_error is not None:
                    with contextlib.suppress(Exception):
                        self.on_error(f"listener on_refused failed: {type(error).__name__}")
        response = web.Response(
            status=refusal.status, body=answer_body(refusal), content_type="application/json"
        )
        if refusal.status in (403, 404, 405, 408, 413, 415):  # the body may be left unread
            response.force_close()
        return response
