"""`webengage-debugger serve` lets in only the page it printed: a token, one origin, a session cap.

textual-serve alone accepts `/ws` from any page with no token, so a site the user visits could
drive the TUI (and read the REST API key off its screen). These tests run the real command on a
free port and knock on it with aiohttp: the page and the websocket need this run's token, the
websocket needs the served `Origin`, and sessions past `--max-sessions` are turned away.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.test_serve_browser import Served, serving
from tui.cli import build_parser, main
from tui.cli.serve_guard import GuardedServer, RedactToken, SessionGuard, new_token, origin_of

EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One `serve --sandbox` (default options) shared by the tests that only knock."""
    with serving(tmp_path_factory.mktemp("serve")) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def cookie_for(served: Served) -> dict[str, str]:
    """What the browser sends back after loading the printed URL (aiohttp's jar skips IPs)."""
    return {"Cookie": f"webengage_debugger_serve_{served.port}={served.token}"}


async def handshake(
    http: aiohttp.ClientSession,
    served: Served,
    *,
    origin: str | None,
    query: str = "",
    headers: dict[str, str] | None = None,
) -> int:
    """The status the websocket handshake got: 101 when it was accepted (then closed)."""
    try:
        async with http.ws_connect(
            f"ws://127.0.0.1:{served.port}/ws?width=80&height=24{query}",
            origin=origin,
            headers=headers or {},
        ):
            return 101
    except aiohttp.WSServerHandshakeError as error:
        return error.status


async def refused_text(
    http: aiohttp.ClientSession, served: Served, origin: str, headers: dict[str, str]
) -> tuple[int, str]:
    """A plain GET of /ws: a refusal is answered before textual-serve sees it, with a reason."""
    async with http.get(
        f"http://127.0.0.1:{served.port}/ws", headers={"Origin": origin, **headers}
    ) as response:
        return response.status, await response.text()


# ---- the page ----------------------------------------------------------------------------------


async def test_the_page_without_the_token_is_refused(
    served: Served, http: aiohttp.ClientSession
) -> None:
    base = f"http://127.0.0.1:{served.port}"
    for path in ("/", "/?token=not-the-token", "/?token=", "/static/js/textual.js"):
        async with http.get(base + path) as response:
            assert response.status == 403, path
            assert response.content_type == "text/plain"
            assert "open the exact address `webengage-debugger serve` printed" in (
                await response.text()
            )
            assert "Set-Cookie" not in response.headers


async def test_the_printed_url_opens_the_page_and_sets_a_strict_cookie(
    served: Served, http: aiohttp.ClientSession
) -> None:
    assert served.url.startswith(f"http://127.0.0.1:{served.port}/?token=")
    assert len(served.token) >= 43  # token_urlsafe(32)
    async with http.get(served.url) as response:
        assert response.status == 200
        assert 'data-session-websocket-url="ws://127.0.0.1:' in await response.text()
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith(f"webengage_debugger_serve_{served.port}={served.token};")
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert response.headers["Referrer-Policy"] == "no-referrer"  # the URL holds the token
        assert response.headers["X-Frame-Options"] == "DENY"
    # A reload, or the page's static files, come back with the cookie alone.
    base = f"http://127.0.0.1:{served.port}"
    for path in ("/", "/static/js/textual.js"):
        async with http.get(base + path, headers=cookie_for(served)) as response:
            assert response.status == 200, path


# ---- the websocket -----------------------------------------------------------------------------


async def test_a_websocket_from_a_foreign_origin_is_refused(
    served: Served, http: aiohttp.ClientSession
) -> None:
    # With the token, in the query and as the cookie a browser would send cross-port: the token
    # alone is not enough, the page opening the websocket must be the served one.
    token = f"&token={served.token}"
    other_port = f"http://127.0.0.1:{served.port + 1}"  # same site as far as cookies go
    for origin in (EVIL, other_port, f"http://localhost:{served.port}", "null", None):
        status = await handshake(http, served, origin=origin, query=token)
        assert status == 403, origin
        status = await handshake(http, served, origin=origin, headers=cookie_for(served))
        assert status == 403, origin
    status, text = await refused_text(http, served, EVIL, cookie_for(served))
    assert status == 403
    assert f"only accepted from the page at http://127.0.0.1:{served.port}" in text


async def test_a_websocket_without_the_token_is_refused(
    served: Served, http: aiohttp.ClientSession
) -> None:
    for query in ("", "&token=", "&token=not-the-token", f"&token={served.token[:-1]}"):
        assert await handshake(http, served, origin=served.origin, query=query) == 403, query
    wrong_cookie = {"Cookie": f"webengage_debugger_serve_{served.port}=guess"}
    assert await handshake(http, served, origin=served.origin, headers=wrong_cookie) == 403
    status, text = await refused_text(http, served, served.origin, {})
    assert status == 403
    assert "open the exact address `webengage-debugger serve` printed" in text


async def test_the_token_and_the_served_origin_open_a_session(
    served: Served, http: aiohttp.ClientSession
) -> None:
    assert "/?token=" in served.url
    # As the page does it (the cookie), and as a script given the URL could (the query).
    assert await handshake(http, served, origin=served.origin, headers=cookie_for(served)) == 101
    assert (
        await handshake(http, served, origin=served.origin, query=f"&token={served.token}") == 101
    )


async def test_sessions_past_the_cap_are_refused_until_one_ends(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    with serving(tmp_path, "--max-sessions", "2") as served:
        url = f"ws://127.0.0.1:{served.port}/ws?width=80&height=24"
        headers = cookie_for(served)
        first = await http.ws_connect(url, origin=served.origin, headers=headers)
        second = await http.ws_connect(url, origin=served.origin, headers=headers)
        try:
            assert await handshake(http, served, origin=served.origin, headers=headers) == 503
            status, text = await refused_text(http, served, served.origin, headers)
            assert status == 503
            assert "2 sessions are already open" in text
            assert "--max-sessions" in text
            await first.close()
            # The place is free once that session's TUI process has quit.
            deadline = time.monotonic() + 20
            while await handshake(http, served, origin=served.origin, headers=headers) != 101:
                assert time.monotonic() < deadline, "closing a session never freed its place"
                await asyncio.sleep(0.2)
        finally:
            await first.close()
            await second.close()


# ---- the options, without a server -------------------------------------------------------------


def test_a_host_beyond_loopback_needs_allow_remote(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "192.0.2.10"]) == 2
    err = capsys.readouterr().err
    assert "serve: 192.0.2.10 is not a loopback address" in err
    assert "--allow-remote" in err


def test_every_address_is_refused_even_with_allow_remote(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for host in ("0.0.0.0", "::"):
        assert main(["serve", "--host", host, "--allow-remote"]) == 2
        assert f"--host {host} listens on every address" in capsys.readouterr().err


def test_the_session_cap_defaults_to_four_and_must_be_positive(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = build_parser("serve").parse_args(["serve"])
    assert args.max_sessions == 4
    assert args.allow_remote is False
    assert main(["serve", "--max-sessions", "0"]) == 2
    assert "--max-sessions must be at least 1, not 0" in capsys.readouterr().err


def local_address() -> str | None:
    """An address of this machine that is not loopback (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.254", 9))
        except OSError:
            return None
        address: str = sock.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


async def test_allow_remote_still_needs_the_token(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    address = local_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    with serving(tmp_path, "--allow-remote", host=address) as served:
        base = f"http://{address}:{served.port}"
        assert served.url == f"{base}/?token={served.token}"
        assert served.token
        async with http.get(base + "/") as response:
            assert response.status == 403
        async with http.get(served.url) as response:
            assert response.status == 200
        async with http.get(base + "/ws", headers={"Origin": base}) as response:
            assert response.status == 403
        async with http.get(
            base + "/ws", headers={"Origin": EVIL, **cookie_for(served)}
        ) as response:
            assert response.status == 403


# ---- the guard's parts -------------------------------------------------------------------------


def test_origins_compare_by_scheme_host_and_port() -> None:
    assert origin_of("http://127.0.0.1:8000") == ("http", "127.0.0.1", 8000)
    assert origin_of("HTTP://LocalHost:80/") == origin_of("http://localhost")
    assert origin_of("http://[::1]:8000") == ("http", "::1", 8000)
    assert origin_of("https://example.com") == ("https", "example.com", 443)
    for garbage in ("", "null", "file://", "http://", "http://host:99999", "javascript:x"):
        assert origin_of(garbage) is None, garbage


def test_the_token_is_never_in_a_repr_or_a_log_line() -> None:
    token = new_token()
    guard = SessionGuard("http://127.0.0.1:8000", token, 4)
    assert token not in repr(guard)
    server = GuardedServer(
        "true",
        host="127.0.0.1",
        port=8000,
        title="t",
        public_url="http://127.0.0.1:8000",
        max_sessions=4,
        token=token,
    )
    assert token not in repr(server)
    record = logging.LogRecord(
        "aiohttp.access", logging.INFO, __file__, 1, '"GET /?token=%s HTTP/1.1" 200', (token,), None
    )
    assert RedactToken(token).filter(record)
    assert record.getMessage() == '"GET /?token=<token> HTTP/1.1" 200'


def test_max_sessions_below_one_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SessionGuard("http://127.0.0.1:8000", new_token(), 0)
