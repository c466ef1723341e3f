"""The relay's request handler: check the call, send it through the delivery service, answer.

Nothing is refused for its findings (a relay observes) and nothing is retried (the caller decides
that, on WebEngage's real answer). The caller's key goes on the wire through the `Connection` and
is never recorded: the request the history keeps carries its redacted form.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import ClientPayloadError, web
from aiohttp.http_exceptions import HttpProcessingError
from pydantic import SecretStr

from tui.delivery.service import DeliveryEvent, DeliveryService, Observer
from tui.live.checks import body_findings, content_type_finding, not_json
from tui.live.exchange import Exchange, RelayedRequest, event_names, names_text, parse_body
from tui.live.exchange import passed_back as passed_back_headers
from tui.safe_text import visible
from tui.webengage.api import DataCentre, Endpoint
from tui.webengage.client import RetryPolicy
from tui.webengage.entry import LogEntry
from tui.webengage.findings import Finding, has_errors
from tui.webengage.outcomes import Hint
from tui.webengage.request import Connection, json_text

API_PATH = re.compile(r"/v1/accounts/([^/]+)/(events|users|bulk-events|bulk-users)")
ACCOUNT_PATH = re.compile(r"/v1/accounts/([^/]+)/([^/]+)/?")
"""A path under an account that names no resource: WebEngage answers 400, not 404."""
BODY_MAX = 5 * 1024 * 1024
"""A body larger than this (5 MiB) is answered 413 and not forwarded."""
READ_TIMEOUT_S = 30.0
CHUNK = 64 * 1024
NO_RETRY = RetryPolicy(max_attempts=1)
SOURCE = "relay"
_BEARER = re.compile(r"\s*bearer\s+(.*?)\s*", re.IGNORECASE | re.DOTALL)

OnExchange = Callable[[Exchange], None]
OnError = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Route:
    """Where the relay sends: a data centre's API host, or `upstream` with that host's Host header."""

    data_centre: DataCentre = DataCentre.GLOBAL
    upstream: str | None = None
    body_max: int = BODY_MAX
    read_timeout_s: float = READ_TIMEOUT_S

    def connection(self, license_code: str, api_key: str) -> Connection:
        return Connection(
            data_centre=self.data_centre,
            license_code=license_code,
            api_key=SecretStr(api_key),
            route_to=self.upstream,
        )

    @property
    def where(self) -> str:
        return self.upstream or f"https://{self.data_centre.api_host}"


def error_body(message: str) -> bytes:
    """WebEngage's error body: `{"response":{"status":"error","message":...}}`."""
    body = {"response": {"status": "error", "message": message}}
    return json_text(body, separators=(",", ":")).encode("utf-8")


JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def _key_problem(key: str) -> str | None:
    """Why the key cannot go in a header (said without the key), or None."""
    problem = Connection(api_key=SecretStr(key)).key_problem()
    return problem.split(", so it", 1)[0] if problem else None


def bearer_key(authorization: str) -> str:
    """The key in `Authorization: Bearer <key>` ("" when there is none)."""
    match = _BEARER.fullmatch(authorization)
    return match.group(1) if match else ""


class Forwarder:
    """Handles every request the relay receives; `service` sends (and records) what it forwards."""

    def __init__(
        self,
        route: Route,
        service: DeliveryService,
        *,
        on_exchange: OnExchange | None = None,
        observer: Observer | None = None,
        on_error: OnError | None = None,
    ) -> None:
        self.route = route
        self.service = service
        self.on_exchange = on_exchange
        self.observer = observer
        self.on_error = on_error

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Every request: one Exchange reported, one answer, never an exception."""
        try:
            exchange = await self._exchange(request)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a relay bug: said in plain words, never a traceback
            what = f"{type(error).__name__}: {error}"
            self._error(f"relay bug on {request.method} {request.path}: {what}")
            exchange = self._own(request, 500, f"Relay bug: {what}", "report it, with the request")
        self._report(exchange)
        response = web.Response(status=exchange.status, body=exchange.body)
        response.headers.update(exchange.headers)
        if exchange.status in (400, 408, 413):  # the body was not read whole: hang up
            response.force_close()
        return response

    async def _exchange(self, request: web.Request) -> Exchange:
        match = API_PATH.fullmatch(request.rel_url.raw_path)
        resource = ACCOUNT_PATH.fullmatch(request.rel_url.raw_path)
        if match is None and resource is not None:  # what WebEngage answers such a path
            return self._own(
                request,
                400,
                f"Invalid resource/parameters: '{visible(resource.group(2)[:60], one_line=True)}' "
                "is not a WebEngage resource; the path after the license code must be one of "
                f"{', '.join(e.value for e in Endpoint)}.",
                "end the path with /events, /users, /bulk-events or /bulk-users",
            )
        if match is None:
            return self._own(
                request,
                404,
                "Not found: the relay forwards /v1/accounts/<license code>/events, /users, "
                "/bulk-events and /bulk-users only.",
                "point the integration's API host at the relay's URL, with nothing after it",
            )
        try:
            raw = await self._read(request)
        except TimeoutError:
            seconds = f"{self.route.read_timeout_s:g}"
            return self._own(
                request,
                408,
                f"Request timeout: the body did not arrive within {seconds} s.",
                "send the whole body at once",
            )
        except (ConnectionError, ClientPayloadError, HttpProcessingError):
            return self._own(
                request, 400, "Bad request: the body did not arrive whole.", "send it again"
            )
        if raw is None:
            return self._own(
                request,
                413,
                f"Request entity too large: the relay forwards bodies of at most "
                f"{self.route.body_max / 1024 / 1024:g} MiB.",
                "split the call (a bulk call takes at most 25 items)",
            )
        key = bearer_key(request.headers.get("Authorization", ""))
        problem = "there is no Authorization: Bearer header" if not key else _key_problem(key)
        if problem is not None:
            return self._own(
                request,
                401,
                f"Unauthorized: {problem}.",
                "send Authorization: Bearer <REST API key> "
                "(Data Platform > Integrations > REST API)",
            )
        return await self._forward(request, match.group(1), Endpoint(match.group(2)), raw, key)

    async def _read(self, request: web.Request) -> bytes | None:
        """The whole body, or None when it is larger than `body_max` (the rest is left unread)."""
        limit = self.route.body_max
        if request.content_length is not None and request.content_length > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        async with asyncio.timeout(self.route.read_timeout_s):
            async for chunk in request.content.iter_chunked(CHUNK):
                size += len(chunk)
                if size > limit:
                    return None
                chunks.append(chunk)
        return b"".join(chunks)

    def _findings(
        self,
        endpoint: Endpoint,
        body: object,
        problem: str | None,
        content_type: str,
        license_code: str,
    ) -> list[Finding]:
        found = [f for f in (content_type_finding(content_type),) if f is not None]
        if problem is not None:
            return [not_json(problem), *found]
        known = self.service.recorder.known_types(license_code)
        return [*body_findings(endpoint, body, known_types=known), *found]

    async def _forward(
        self, request: web.Request, license_code: str, endpoint: Endpoint, raw: bytes, key: str
    ) -> Exchange:
        connection = self.route.connection(license_code, key)
        content_type = request.headers.get("Content-Type", "")
        headers = {"Authorization": f"Bearer {connection.redacted_key()}"}
        if content_type:
            headers["Content-Type"] = content_type
        if request_id := request.headers.get("x-request-id", ""):
            headers["x-request-id"] = request_id  # kept: WebEngage drops a repeat within 4 h
        query = request.rel_url.raw_query_string
        body, problem = parse_body(raw)
        relayed = RelayedRequest(
            method=request.method,
            endpoint=endpoint,
            url=connection.url(endpoint) + (f"?{query}" if query else ""),
            headers=headers,
            body=body,
            raw=raw,
        )
        findings = self._findings(endpoint, body, problem, content_type, license_code)
        names = event_names(endpoint, body)
        session = self.service.session(connection, self._observe, retry=NO_RETRY)
        entry = await session.deliver(
            relayed,
            event_name=names_text(names) if endpoint.is_bulk else (names or ("",))[0],
            findings=findings,
            forced=has_errors(findings),
            source=SOURCE,
        )
        return self._answer(request, relayed, entry, tuple(findings), names)

    def _answer(
        self,
        request: web.Request,
        relayed: RelayedRequest,
        entry: LogEntry,
        findings: tuple[Finding, ...],
        names: tuple[str, ...],
    ) -> Exchange:
        """WebEngage's answer as the caller gets it; a 502 when nothing came back."""
        if entry.status is None:  # refused, DNS, TLS, timeout, reset: WebEngage said nothing
            said = f" {entry.hint.title} {entry.hint.detail}" if entry.hint else ""
            status, headers = 502, JSON_HEADERS
            body = error_body(
                f"Bad gateway: the relay got no answer from {self.route.where}.{said}"
            )
        else:
            # The client keeps no raw response: the caller gets the entry's body, which is the
            # upstream's decoded as text with only the caller's own key masked in it (an echo),
            # cut at 64 KiB (RESPONSE_BODY_MAX; WebEngage's JSON answers are far smaller), and
            # sent back as UTF-8. Headers: rate limits, Retry-After, Content-Type, as they came.
            status, headers = entry.status, passed_back_headers(entry.response_headers)
            body = (entry.response_body or "").encode("utf-8", errors="replace")
        return Exchange(
            method=request.method,
            path=request.path,
            status=status,
            headers=dict(headers),
            body=body,
            request=relayed,
            entry=entry,
            findings=findings,
            hint=entry.hint,
            names=names,
        )

    def _own(self, request: web.Request, status: int, message: str, fix: str) -> Exchange:
        """An answer from the relay itself (nothing forwarded), in WebEngage's style."""
        hint = Hint(title=f"Not forwarded ({status}): the relay answered.", detail=message, fix=fix)
        return Exchange(
            method=request.method,
            path=request.path,
            status=status,
            headers=dict(JSON_HEADERS),
            body=error_body(message),
            hint=hint,
        )

    def _observe(self, event: DeliveryEvent) -> None:
        if self.observer is None:
            return
        try:
            self.observer(event)
        except Exception as error:  # a subscriber's bug must not break the caller's delivery
            self._error(f"relay observer failed: {type(error).__name__}: {error}")

    def _report(self, exchange: Exchange) -> None:
        if self.on_exchange is None:
            return
        try:
            self.on_exchange(exchange)
        except Exception as error:
            self._error(f"relay on_exchange failed: {type(error).__name__}: {error}")

    def _error(self, message: str) -> None:
        if self.on_error is not None:
            with contextlib.suppress(Exception):  # (nowhere left to say it)
                self.on_error(visible(message, one_line=True))
