"""The guard in front of textual-serve: a token per run, one origin, a cap on sessions.

textual-serve 1.1.3 accepts its `/ws` websocket from any page, with no token: a site the user
happens to visit could open a session, press keys, read the REST API key off the screen stream
and send with it, and every session is a TUI process (~100 MB). `GuardedServer` is textual-serve's
`Server` with one aiohttp middleware added to the application it builds (`_make_app`):

- every request needs this run's token, from `?token=` (the printed URL) or from the cookie the
  page's response sets (HttpOnly, SameSite=Strict): textual-serve's script opens `/ws` with a URL
  of its own (`?width=..&height=..`), so the query string never reaches the websocket;
- the websocket is accepted only from the served origin (its `Origin` header), else 403;
- at most `max_sessions` websockets at once, else 503; one ending frees its place.

The token is printed once, in the URL, and redacted from everything logged.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler
from rich.logging import RichHandler
from textual_serve.server import Server

TOKEN_PARAMETER = "token"
WEBSOCKET_PATH = "/ws"
PAGE_PATH = "/"
REDACTED = "<token>"

NO_TOKEN = (
    "403 Forbidden: open the exact address `webengage-debugger serve` printed; it carries this "
    "run's access token.\n"
)
SECURITY_HEADERS = {
    # The page's URL holds the token: never send it on to the fonts it loads, or anywhere else.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

Origin = tuple[str, str, int]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) URL or `Origin` header, the default port filled in;
    None for anything else (`null`, an empty header, garbage)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80)


class SessionGuard:
    """Decides, per request, whether textual-serve gets to answer it."""

    def __init__(self, public_url: str, token: str, max_sessions: int) -> None:
        origin = origin_of(public_url)
        if origin is None:
            raise ValueError(f"not an http(s) URL: {public_url!r}")
        if max_sessions < 1:
            raise ValueError(f"max_sessions must be at least 1, not {max_sessions}")
        self.public_url = public_url.rstrip("/")
        self.origin = origin
        self.max_sessions = max_sessions
        self.sessions = 0
        self._token = token.encode()
        # Cookies are per host, not per port: two runs side by side must not overwrite each other's.
        self.cookie_name = f"webengage_debugger_serve_{origin[2]}"

    def __repr__(self) -> str:  # never the token, even in a traceback's locals
        return f"SessionGuard({self.public_url!r}, sessions={self.sessions}/{self.max_sessions})"

    def access_url(self, token: str) -> str:
        return f"{self.public_url}{PAGE_PATH}?{TOKEN_PARAMETER}={token}"

    def authorised(self, request: web.BaseRequest) -> bool:
        offered = (request.query.get(TOKEN_PARAMETER), request.cookies.get(self.cookie_name))
        return any(
            value is not None and hmac.compare_digest(value.encode(), self._token)
            for value in offered
        )

    def same_origin(self, request: web.BaseRequest) -> bool:
        return origin_of(request.headers.get("Origin", "")) == self.origin

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == WEBSOCKET_PATH:
            return await self._websocket(request, handler)
        if not self.authorised(request):
            return refusal(403, NO_TOKEN)
        response = await handler(request)
        if not response.prepared:
            response.headers.update(SECURITY_HEADERS)
            if request.path == PAGE_PATH:
                # What the page's own requests (static files, /ws, reloads) authenticate with.
                response.set_cookie(
                    self.cookie_name,
                    self._token.decode(),
                    path="/",
                    httponly=True,
                    samesite="Strict",
                    secure=self.origin[0] == "https",
                )
        return response

    async def _websocket(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.same_origin(request):
            return refusal(
                403,
                f"403 Forbidden: this websocket is only accepted from the page at "
                f"{self.public_url}, not from {request.headers.get('Origin', 'no origin')!r}.\n",
            )
        if not self.authorised(request):
            return refusal(403, NO_TOKEN)
        if self.sessions >= self.max_sessions:
            return refusal(
                503,
                f"503 Service Unavailable: {self.max_sessions} sessions are already open (the "
                "limit, --max-sessions); close a tab and reload.\n",
            )
        self.sessions += 1  # no await between the check and this: no race
        try:
            # textual-serve's handler runs the whole session and returns when it has ended.
            return await handler(request)
        finally:
            self.sessions -= 1


def refusal(status: int, text: str) -> web.Response:
    response = web.Response(status=status, text=text, content_type="text/plain")
    response.headers.update(SECURITY_HEADERS)
    return response


class RedactToken(logging.Filter):
    """Replaces the token in every message a handler writes (aiohttp's access log among them)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def __repr__(self) -> str:
        return "RedactToken()"

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg = message.replace(self._token, REDACTED)
            record.args = None
        return True


class GuardedServer(Server):
    """textual-serve's `Server`, its application wrapped by a `SessionGuard`."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        title: str,
        public_url: str,
        max_sessions: int,
        announce: str = "Serving at {url}",
        token: str | None = None,
    ) -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        token = token or new_token()
        self.guard = SessionGuard(public_url, token, max_sessions)
        self._redact = RedactToken(token)
        self._announcement = announce.format(url=self.guard.access_url(token))

    def __repr__(self) -> str:
        return f"GuardedServer({self.guard!r})"

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard.middleware)
        return app

    def initialize_logging(self) -> None:
        super().initialize_logging()
        for handler in logging.getLogger().handlers:
            handler.addFilter(self._redact)
            if isinstance(handler, RichHandler):
                handler.tracebacks_show_locals = False  # locals could hold the token

    async def on_startup(self, app: web.Application) -> None:
        """The one place the token is shown: the URL to open (textual-serve's banner has none)."""
        print(self._announcement, flush=True)
